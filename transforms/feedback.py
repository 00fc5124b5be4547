"""The feedback sheet (反馈单) of one county: its scores and rank, its area profile against the
prefecture's average, every unmet requirement with its figure and rule, and its open orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from expectations.catalog import Catalog
from transforms.bulletin import Issue, OrderLine, county_issues
from transforms.orders import CLOSED


@dataclass(frozen=True)
class AreaLine:
    label: str
    rate: float | None
    average: float | None


@dataclass(frozen=True)
class FeedbackContext:
    issuer: str
    title: str
    county: str
    quarter: str
    quarter_label: str
    issue_date: dt.date
    total: float | None
    rank: int | None
    ranked: int
    rank_change: int | None
    rank_range: str
    remark: str
    deduction: float | None
    lists: str
    goal: str
    areas: tuple[AreaLine, ...]
    issues: tuple[Issue, ...]
    orders: tuple[OrderLine, ...]


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def build_feedback(code: str, quarter: str, quarter_label: str, issue_date: dt.date, scores, assessment,
                   catalog: Catalog, notes: dict[tuple[str, str], str],
                   issues: tuple[Issue, ...] | None = None) -> FeedbackContext:
    county = catalog.county_by_code[code].name
    ranking = scores.ranking.set_index("county_code")
    row = ranking.loc[code]
    reported = ranking[ranking["total"].notna()]
    areas = tuple(
        AreaLine(a.label, _num(row.get(f"area_{a.num}_rate")), _num(reported[f"area_{a.num}_rate"].mean())
                 if f"area_{a.num}_rate" in reported else None)
        for a in catalog.areas
    )
    listed = assessment.lists.set_index("county_code")["list"].to_dict() if len(assessment.lists) else {}
    action = {r.county_code: r.action for r in assessment.escalations.itertuples(index=False)}
    lists = listed.get(code) or "未上榜"
    if code in action:
        lists += f"（{action[code]}）"
    goals = assessment.goals.set_index("county_code")
    robust = assessment.robustness.set_index("county_code")
    span = f"{robust.loc[code, 'rank_low']}–{robust.loc[code, 'rank_high']}" if code in robust.index else "—"
    mine = assessment.orders[(assessment.orders["county_code"] == code) & (assessment.orders["status"] != CLOSED)]
    return FeedbackContext(
        issuer=catalog.issuer, title=f"{quarter_label}文明城市创建测评反馈单", county=county, quarter=quarter,
        quarter_label=quarter_label, issue_date=issue_date, total=_num(row["total"]),
        rank=None if pd.isna(row["rank"]) else int(row["rank"]), ranked=int(ranking["rank"].notna().sum()),
        rank_change=None if pd.isna(row["rank_change"]) else int(row["rank_change"]), rank_range=span,
        remark=row["not_ranked_reason"] or "", deduction=_num(row.get("deduction")),
        lists=lists if assessment.focus_name else "本季度未设大比武",
        goal=f"{goals.loc[code, 'goal']}：{goals.loc[code, 'status']}",
        areas=areas,
        issues=issues if issues is not None else county_issues(code, scores.indicators, scores.tasks, catalog, notes),
        orders=tuple(OrderLine(o.order_id, o.county, o.problem, o.responsible, o.deadline, o.status)
                     for o in mine.itertuples(index=False)),
    )
