"""Progress classes for annual figures (the Open SDG method): the observed compound growth rate since
last year against the rate needed to reach the threshold by the target year."""

from __future__ import annotations

import math

import pandas as pd

from chuangwen.quarters import parse_quarter
from expectations.catalog import Catalog

ACHIEVED, ON_TRACK, ACCELERATE, LIMITED, DETERIORATING = "已达标", "进度正常", "需加快", "进展有限", "倒退"
PROGRESS_COLUMNS = ["county_code", "indicator_id", "base_value", "value", "target", "observed_rate",
                    "required_rate", "ratio", "progress"]


def classify(base: float, value: float, target: float, years_observed: int, years_to_target: int,
             met: bool) -> tuple[float | None, float | None, float | None, str | None]:
    """(observed rate, required rate, ratio, class); class None where growth rates are undefined."""
    if met:
        return None, None, None, ACHIEVED
    if base <= 0 or value <= 0 or target <= 0 or years_observed <= 0 or years_to_target <= 0:
        return None, None, None, None
    observed = (value / base) ** (1 / years_observed) - 1
    required = (target / base) ** (1 / years_to_target) - 1
    if required == 0:  # the base already stood at the target: any move away is a step back
        return observed, required, None, DETERIORATING if observed != 0 else ON_TRACK
    ratio = observed / required
    if ratio >= 0.95:
        label = ON_TRACK
    elif ratio >= 0.5:
        label = ACCELERATE
    elif ratio >= 0:
        label = LIMITED
    else:
        label = DETERIORATING
    return observed, required, ratio, label


def progress_classes(indicator_scores: pd.DataFrame, history: pd.DataFrame, catalog: Catalog, quarter: str,
                     target_year: int | None = None) -> pd.DataFrame:
    """One row per county and annual numeric indicator that has last year's value.

    history: county_code, item_id, years_back, value. The target is the threshold, or the reference
    figure for a relative rule; the target year defaults to the quarter's year (the annual goal).
    """
    year = parse_quarter(quarter)[0]
    target_year = target_year or year
    last = history[history["years_back"] == 1].set_index(["county_code", "item_id"])["value"]
    rows = []
    for r in indicator_scores.itertuples(index=False):
        ind = catalog.indicator_by_id[r.indicator_id]
        if ind.frequency != "annual" or ind.op not in (">=", ">", "<=", "<", "relative"):
            continue
        base = last.get((r.county_code, ind.id))
        target = r.reference if ind.op == "relative" else float(ind.threshold)
        if base is None or pd.isna(base) or not isinstance(r.value, float) or target is None:
            continue
        met = r.outcome == "达标"
        observed, required, ratio, label = classify(float(base), r.value, float(target), 1,
                                                    max(target_year - (year - 1), 1), met)
        rows.append({"county_code": r.county_code, "indicator_id": ind.id, "base_value": float(base),
                     "value": r.value, "target": float(target), "observed_rate": observed,
                     "required_rate": required, "ratio": None if ratio is None or math.isnan(ratio) else ratio,
                     "progress": label})
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
