"""What the bulletin's three charts show, chosen from the quarter's scores: the ranking bars, the area
heat map and the trend of totals. Beyond LIST_ALL_UNITS_UP_TO units (a province, the country) the
ranking and the heat map show the two ends of the ranking, and the trend its TREND_MAX_UNITS ends. The
drawing is adapters/charts.py's."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.zh import cn_numeral
from expectations.catalog import Catalog
from transforms.assess import Assessment
from transforms.documents.bulletin import LIST_ALL_UNITS_UP_TO
from transforms.scoring import QuarterScores

TREND_MAX_UNITS = 10  # lines in one trend chart, beyond the prefecture's eight


@dataclass(frozen=True)
class ChartData:
    heatmap_units: list[str]
    heatmap_areas: list[str]  # the heat map's columns: 一、精神文明, 二、政务环境, … (the key under annex 1 names them)
    heatmap_rates: list[list[float | None]]  # per unit, per area: its rate (None where it has none)
    trend_quarters: list[str]
    trend_series: dict[str, list[float | None]]  # unit → its total in each quarter (None where it has none)
    scope: str  # which units the ranking and heat map show, when not all
    trend_scope: str  # which units the trend shows, when not all


def _ends(frame: pd.DataFrame, most: int) -> tuple[pd.DataFrame, str]:
    """All rows when few, else the first and last most/2 (by rank) and the caption saying so."""
    if len(frame) <= most:
        return frame, ""
    head, tail = most // 2, most - most // 2
    return (pd.concat([frame.head(head), frame.tail(tail)]), f"（共{len(frame)}个单位，图中为前{head}名和后{tail}名）")


def _total(trend: pd.DataFrame, quarter: str, county: str) -> float | None:
    hit = trend[(trend["quarter"] == quarter) & (trend["county"] == county)]["total"]
    return None if hit.empty or pd.isna(hit.iloc[0]) else float(hit.iloc[0])


def chart_data(scores: QuarterScores, assessment: Assessment, catalog: Catalog) -> ChartData:
    ranked = scores.ranking[scores.ranking["total"].notna()]
    shown, scope = _ends(ranked, LIST_ALL_UNITS_UP_TO)
    shown_codes = set(shown["county_code"])
    reported = [c for c in catalog.counties if c.code in shown_codes]
    by_code = shown.set_index("county_code")
    rates = [
        [None if pd.isna(v := by_code.loc[c.code].get(f"area_{a.num}_rate")) else float(v) for a in catalog.areas]
        for c in reported
    ]
    trend = assessment.trend
    quarters = sorted(trend["quarter"].unique())
    if len(catalog.counties) <= LIST_ALL_UNITS_UP_TO:
        lines, trend_scope = list(catalog.counties), ""
    else:
        picked, trend_scope = _ends(ranked, TREND_MAX_UNITS)
        lines = [catalog.county_by_code[code] for code in picked["county_code"]]
    return ChartData(
        heatmap_units=[c.name for c in reported],
        heatmap_areas=[short_area(a.num, a.name) for a in catalog.areas],
        heatmap_rates=rates,
        trend_quarters=quarters,
        trend_series={c.name: [_total(trend, q, c.name) for q in quarters] for c in lines},
        scope=scope,
        trend_scope=trend_scope,
    )


SHORT_AREA = 4  # characters of an area's name on the heat map's columns


def short_area(num: int, name: str) -> str:
    """An area's column label: its numeral and the head of its name, which the task list's area names end
    on (建设……社会主义精神文明 → 精神文明, 廉洁高效的政务环境 → 政务环境, 城乡融合发展 → 融合发展)."""
    return f"{cn_numeral(num)}、{name[-SHORT_AREA:]}"
