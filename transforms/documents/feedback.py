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
class IssueGroup:
    """A county's unmet items in one area, each with the deadline of the order it was given."""

    area: str
    issues: tuple[Issue, ...]
    deadlines: tuple[str, ...]  # per issue: its order's deadline (empty where there is none)


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
    groups: tuple[IssueGroup, ...] = ()  # this quarter's issues by area
    earlier: tuple[OrderLine, ...] = ()  # orders of earlier quarters not closed: overdue, or not yet due
    noted: bool = False  # some issue carries the county's own 备注


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
    found = issues if issues is not None else county_issues(code, scores.indicators, scores.tasks, catalog, notes)
    # Each issue with the deadline of its item's oldest open order: an item unmet again while its order
    # from an earlier quarter is overdue shows that order's deadline, marked, and is not listed twice.
    due: dict[str, str] = {}
    for o in mine.sort_values("deadline", kind="stable").itertuples(index=False):
        if o.item_id not in due:
            due[o.item_id] = f"{o.deadline}（逾期）" if o.status == OrderState.OVERDUE else o.deadline
    by_area: dict[int, list[Issue]] = {}
    for issue in found:
        by_area.setdefault(int(issue.item_id.split(".")[0]), []).append(issue)
    listed = {i.item_id for i in found}
    groups = tuple(
        IssueGroup(a.name, tuple(by_area[a.num]), tuple(due.get(i.item_id, "") for i in by_area[a.num]))
        for a in catalog.areas
        if a.num in by_area
    )
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
        groups=groups,
        earlier=tuple(
            order_line(o)
            for o in mine[(mine["issued_quarter"] != quarter) & ~mine["item_id"].isin(listed)].itertuples(index=False)
        ),
        noted=any(i.note for i in found),
    )
