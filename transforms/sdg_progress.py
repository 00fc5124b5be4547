"""Progress classes for annual figures with a numeric target: the Open SDG progress measure.

Open SDG (after Statistics Canada) compares the compound annual growth rate observed since a base year
with the rate that would reach the target by the target year, signed by the desired direction:

    observed CAGR = (value / base) ** (1 / (year - base_year)) - 1
    required CAGR = (target / base) ** (1 / (target_year - base_year)) - 1
    ratio         = direction × observed CAGR / |required CAGR|      (direction +1 higher is better, -1 lower)

and classes the ratio with the cut-offs 0.95 / 0.6 / 0: 进度正常 (on track), 需加快 (progress made but
acceleration needed), 进展有限 (limited progress), 倒退 (deterioration); a figure that meets its target is
已达标. The sign makes a fall below a target that was once met a 倒退, whatever side of the target the
base stood on (38 → 35 against ≥ 36, 4 → 6 against ≤ 5).
"""

from __future__ import annotations

import math

import pandas as pd

from core.quarters import parse_quarter
from expectations.catalog import Catalog

ACHIEVED, ON_TRACK, ACCELERATE, LIMITED, DETERIORATING = "已达标", "进度正常", "需加快", "进展有限", "倒退"
# Open SDG's thresholds on the ratio of observed to required growth, best class first.
CUTOFFS = ((0.95, ON_TRACK), (0.6, ACCELERATE), (0.0, LIMITED))
PROGRESS_COLUMNS = [
    "county_code",
    "indicator_id",
    "base_year",
    "base_value",
    "value",
    "target",
    "target_year",
    "observed_rate",
    "required_rate",
    "ratio",
    "progress",
]
NUMERIC_TARGETS = (">=", ">", "<=", "<", "relative")
_FLOATS = ("base_value", "value", "target", "observed_rate", "required_rate", "ratio")


def _typed(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The classes with numbers as numbers whatever the rows (an empty quarter too): the history store
    types its columns from the first quarter it sees."""
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    return frame.astype({c: "float64" for c in _FLOATS} | {"base_year": "Int64", "target_year": "Int64"})


def classify(
    base: float, value: float, target: float, years_observed: int, years_to_target: int, met: bool, direction: int
) -> tuple[float | None, float | None, float | None, str | None]:
    """(observed rate, required rate, ratio, class) for one figure; class None where the growth rates
    are undefined (a figure or the target at or below zero, no year observed, no year to the target).

    direction: +1 when a higher value is better, -1 when lower is better.
    """
    if met:
        return None, None, None, ACHIEVED
    if base <= 0 or value <= 0 or target <= 0 or years_observed <= 0 or years_to_target <= 0:
        return None, None, None, None
    observed = (value / base) ** (1 / years_observed) - 1
    required = (target / base) ** (1 / years_to_target) - 1
    if required == 0:  # the base stood exactly at the target (a strict rule): only the direction counts
        moved = direction * observed
        return observed, required, None, ON_TRACK if moved > 0 else LIMITED if moved == 0 else DETERIORATING
    ratio = direction * observed / abs(required)
    label = next((name for cut, name in CUTOFFS if ratio >= cut), DETERIORATING)
    return observed, required, ratio, label


def progress_classes(
    indicator_scores: pd.DataFrame,
    base_figures: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    base_year: int,
    target_year: int,
) -> pd.DataFrame:
    """One row per county and annual indicator with a numeric target, judged this quarter, whose base-year
    figure is known.

    base_figures: county_code, item_id, value: the figures reported for the base year (its fourth quarter).
    The target is the threshold, or the reference figure for a relative rule. Nothing is classed before
    a year has passed since the base year.
    """
    year = parse_quarter(quarter)[0]
    if year <= base_year or len(indicator_scores) == 0:
        return _typed([])
    base = (
        base_figures.set_index(["county_code", "item_id"])["value"] if len(base_figures) else pd.Series(dtype="float64")
    )
    judged = indicator_scores
    if "due_this_quarter" in judged.columns:
        judged = judged[judged["due_this_quarter"].astype(bool)]
    rows = []
    for r in judged.itertuples(index=False):
        ind = catalog.indicator_by_id[r.indicator_id]
        if ind.frequency != "annual" or ind.op not in NUMERIC_TARGETS:
            continue
        start = base.get((r.county_code, ind.id))
        target = r.reference if ind.op == "relative" else float(ind.threshold)
        if (
            start is None
            or pd.isna(start)
            or not isinstance(r.value, float)
            or math.isnan(r.value)
            or target is None
            or pd.isna(target)
        ):
            continue
        direction = 1 if ind.direction == "higher" else -1
        observed, required, ratio, label = classify(
            float(start),
            r.value,
            float(target),
            year - base_year,
            target_year - base_year,
            r.outcome == "达标",
            direction,
        )
        rows.append(
            {
                "county_code": r.county_code,
                "indicator_id": ind.id,
                "base_year": base_year,
                "base_value": float(start),
                "value": r.value,
                "target": float(target),
                "target_year": target_year,
                "observed_rate": observed,
                "required_rate": required,
                "ratio": ratio,
                "progress": label,
            }
        )
    return _typed(rows)
