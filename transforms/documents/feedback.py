"""The feedback sheet (反馈单) of one county: its scores and rank, its area profile against the
prefecture's average, every unmet requirement with its figure and rule, and its open orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core.vocab import OrderState
from expectations.catalog import Catalog
from transforms.assess import Assessment
from transforms.documents.bulletin import Issue, OrderLine, county_issues, escalation_texts, order_line
from transforms.scoring import QuarterScores


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


def _num(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class FeedbackTables:
    """What every unit's feedback sheet looks up, indexed once per quarter rather than once per unit
    (which grew with the square of the number of units)."""

    ranking: pd.DataFrame  # by county_code
    averages: dict[int, float | None]  # area number → mean 得分率 of the units that reported
    ranked: int
    listed: dict[str, str]
    reason: dict[str, str]  # why a county is on the black list without a rank (未报送, 不予排名)
    action: dict[str, str]
    goals: pd.DataFrame  # by county_code
    robust: pd.DataFrame  # by county_code
    open_orders: dict[str, pd.DataFrame]  # county_code → its orders not closed


def feedback_tables(scores: QuarterScores, assessment: Assessment, catalog: Catalog) -> FeedbackTables:
    ranking = scores.ranking.set_index("county_code")
    reported = ranking[ranking["total"].notna()]
    orders = assessment.orders[assessment.orders["status"] != OrderState.CLOSED]
    return FeedbackTables(
        ranking=ranking,
        averages={
            a.num: _num(reported[f"area_{a.num}_rate"].mean()) if f"area_{a.num}_rate" in reported else None
            for a in catalog.areas
        },
        ranked=int(ranking["rank"].notna().sum()),
        listed=assessment.lists.set_index("county_code")["list"].to_dict() if len(assessment.lists) else {},
        reason=assessment.lists.set_index("county_code")["reason"].to_dict() if len(assessment.lists) else {},
        action=escalation_texts(assessment.escalations),
        goals=assessment.goals.set_index("county_code"),
        robust=assessment.robustness.set_index("county_code"),
        open_orders={code: frame for code, frame in orders.groupby("county_code", sort=False)},
    )


def build_feedback(
    code: str,
    quarter: str,
    quarter_label: str,
    issue_date: dt.date,
    scores: QuarterScores,
    assessment: Assessment,
    catalog: Catalog,
    notes: dict[tuple[str, str], str],
    issues: tuple[Issue, ...] | None = None,
    tables: FeedbackTables | None = None,
) -> FeedbackContext:
    t = tables or feedback_tables(scores, assessment, catalog)
    county = catalog.county_by_code[code].name
    row = t.ranking.loc[code]
    areas = tuple(AreaLine(a.label, _num(row.get(f"area_{a.num}_rate")), t.averages[a.num]) for a in catalog.areas)
    lists = t.listed.get(code) or "未上榜"
    said = "，".join(x for x in (t.reason.get(code) or "", t.action.get(code, "")) if x)
    if said:
        lists += f"（{said}）"
    robust = t.robust
    span = f"{robust.loc[code, 'rank_low']}–{robust.loc[code, 'rank_high']}" if code in robust.index else "—"
    mine = t.open_orders.get(code, assessment.orders.iloc[:0])
    return FeedbackContext(
        issuer=catalog.issuer,
        title=f"{quarter_label}文明城市创建测评反馈单",
        county=county,
        quarter=quarter,
        quarter_label=quarter_label,
        issue_date=issue_date,
        total=_num(row["total"]),
        rank=None if pd.isna(row["rank"]) else int(row["rank"]),
        ranked=t.ranked,
        rank_change=None if pd.isna(row["rank_change"]) else int(row["rank_change"]),
        rank_range=span,
        remark=row["not_ranked_reason"] or "",
        deduction=_num(row.get("deduction")),
        lists=lists,
        goal=f"{t.goals.loc[code, 'goal']}：{t.goals.loc[code, 'status']}",
        areas=areas,
        issues=issues if issues is not None else county_issues(code, scores.indicators, scores.tasks, catalog, notes),
        orders=tuple(order_line(o) for o in mine.itertuples(index=False)),
    )
