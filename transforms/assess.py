"""What the office does with a quarter's scores: 大比武 red and black lists, escalation, goals, the order
ledger, progress classes and rank robustness. Pure: from the scores, the quarter's history (one typed
value, transforms/history.py), the office's inputs and the quarter's settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core.problems import Problem
from expectations.catalog import Catalog, focus_name
from expectations.settings import QuarterSettings
from transforms.goals import creation_summary, goal_status
from transforms.history import QuarterHistory
from transforms.lists import escalate, red_black_lists
from transforms.orders import order_ledger, rectification_rates
from transforms.robustness import rank_ranges
from transforms.scoring import QuarterScores
from transforms.sdg_progress import progress_classes


@dataclass(frozen=True)
class OfficeInputs:
    """The office's own files for the quarter (督导评分, 参照数据, 省级测评排名)."""

    ratings: pd.DataFrame | None
    finding_counts: pd.DataFrame | None
    province_rank: tuple[int, int] | None
    problems: tuple[Problem, ...]
    references: pd.DataFrame | None = None  # county_code, item_id, value, file, cell


@dataclass(frozen=True)
class Assessment:
    """What the office does with the scores: 大比武 lists, escalation, goals, orders, progress, robustness."""

    settings: QuarterSettings
    focus_name: str
    lists: pd.DataFrame
    escalations: pd.DataFrame
    goals: pd.DataFrame
    creation: str
    orders: pd.DataFrame
    rates: pd.DataFrame
    progress: pd.DataFrame
    robustness: pd.DataFrame
    trend: pd.DataFrame  # quarter, county, total: this and up to seven earlier quarters
    progress_years: tuple[int, int]  # (base year, target year) of the progress classes


def assess(
    quarter: str,
    scores: QuarterScores,
    history: QuarterHistory,
    catalog: Catalog,
    settings: QuarterSettings,
    office: OfficeInputs,
    issued_on: dt.date,
) -> Assessment:
    """Lists, escalation, goals, orders and progress for the quarter, from its scores and its history."""
    focus = settings.require_focus(quarter)
    lists = red_black_lists(scores.tasks, scores.ranking, catalog, focus, settings.lists)
    earlier = history.lists if len(history.lists) else pd.DataFrame(columns=["quarter", "county_code", "list"])
    escalations = escalate(lists, earlier, settings.escalation)
    goals = goal_status(scores.ranking, catalog, settings.lines, office.province_rank)
    orders = order_ledger(
        history.previous_orders,
        scores.indicators,
        scores.tasks,
        catalog,
        quarter,
        issued_on,
        settings.order_deadline_quarters,
    )
    robustness = rank_ranges(
        scores.tasks,
        scores.ranking,
        catalog,
        settings.robustness.draws,
        settings.robustness.spread,
        settings.robustness.seed,
    )
    base_year, target_year = settings.progress.years(catalog.year)
    return Assessment(
        settings=settings,
        focus_name=focus_name(catalog, focus),
        lists=lists,
        escalations=escalations,
        goals=goals,
        creation=creation_summary(goals, catalog),
        orders=orders,
        rates=rectification_rates(orders, quarter, catalog),
        progress=progress_classes(scores.indicators, history.base_figures, catalog, quarter, base_year, target_year),
        robustness=robustness,
        trend=_trend(history.rankings, scores.ranking, quarter),
        progress_years=(base_year, target_year),
    )


TREND_QUARTERS = 8  # the trend chart: this quarter and up to seven before it


def _trend(earlier: pd.DataFrame, ranking: pd.DataFrame, quarter: str, quarters: int = TREND_QUARTERS) -> pd.DataFrame:
    now = ranking.assign(quarter=quarter)[["quarter", "county", "total"]]
    frames = [earlier[["quarter", "county", "total"]], now] if len(earlier) else [now]
    out = pd.concat(frames, ignore_index=True)
    keep = sorted(out["quarter"].unique())[-quarters:]
    return out[out["quarter"].isin(keep)].reset_index(drop=True)
