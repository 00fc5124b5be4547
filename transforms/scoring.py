"""A quarter's scoring from its validated figures: indicators → tasks → totals → ranking."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.zh import figure_text
from expectations.catalog import Catalog
from transforms.rank import rank_counties
from transforms.score import deductions, score_indicators, score_tasks, total_scores


@dataclass(frozen=True)
class QuarterScores:
    indicators: pd.DataFrame
    tasks: pd.DataFrame
    deductions: pd.DataFrame
    ranking: pd.DataFrame


def score_quarter(
    values: pd.DataFrame,
    rules: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    previous_ranking: pd.DataFrame | None = None,
    ratings: pd.DataFrame | None = None,
    finding_counts: pd.DataFrame | None = None,
    carried: pd.DataFrame | None = None,
    references: pd.DataFrame | None = None,
    absent: dict[str, str] | None = None,
) -> QuarterScores:
    """Score a quarter from its figures and the compliance validation's rule table; the office's
    inspection ratings override self-reported statuses and its findings feed the negative list.
    carried: last year's fourth-quarter indicator scores (annual figures between their reports);
    references: the bars the office supplies (county_code, item_id, value); absent: county code → why a
    county has no figures (未报送, or 报送的文件未能读取（…）)."""
    present = set(values["county_code"])
    counties = [c.code for c in catalog.counties if c.code in present]
    indicators = score_indicators(values, rules, catalog, quarter, counties, carried, references)
    tasks = score_tasks(indicators, values, catalog, quarter, counties, ratings)
    cut = deductions(values, finding_counts, catalog, counties)
    totals = total_scores(tasks, catalog, cut) if counties else pd.DataFrame(columns=["county_code", "total"])
    ranking = rank_counties(totals, indicators, catalog, previous_ranking, absent)
    return QuarterScores(indicators, tasks, cut, ranking)


def history_frame(earlier: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Earlier years' figures of the same quarter, keyed by how many years back they are."""
    frames = [
        v.loc[v["kind"] != "task", ["county_code", "item_id", "value"]].assign(years_back=k)
        for k, v in earlier.items()
        if not v.empty
    ]
    if not frames:
        return pd.DataFrame(columns=["county_code", "item_id", "value", "years_back"])
    return pd.concat(frames, ignore_index=True)


def shown_values(values: pd.DataFrame) -> dict[str, dict[str, str]]:
    """County → (figure id → value as a template shows it: 92.5, Ⅱ类, 是), accepted figures only."""
    figures = values[(values["kind"] != "task") & (values["value"].notna() | values["answer"].notna())]
    out: dict[str, dict[str, str]] = {}
    for r in figures.itertuples(index=False):
        out.setdefault(r.county, {})[r.item_id] = figure_text(r.answer if r.answer is not None else r.value)
    return out
