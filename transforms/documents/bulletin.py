"""The bulletin's typed context: everything the template shows, already decided and worded.

Templates stay logic-free: they loop over these lists and format numbers with the filters of
report_templates/filters.py; every figure here can be traced to the file and cell it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.quarters import shift_quarter
from core.vocab import UNMET_OUTCOMES, Absence, ListKind, OrderState, Outcome
from core.zh import cn_numeral, figure_text
from expectations.catalog import Catalog
from expectations.rules import rule_text
from expectations.settings import ListRule
from transforms.assess import TREND_QUARTERS, Assessment
from transforms.normalise import quoted
from transforms.orders import deadline_quarter, quarter_end
from transforms.scoring import QuarterScores

COMMON_AT_LEAST = 3  # 共性问题: unmet in at least this many units
NOTE_CHARS = 120  # what a document quotes of a county's 备注


@dataclass(frozen=True)
class RankRow:
    rank: int | None
    county: str
    total: float | None
    rank_change: int | None
    met: int
    unmet: int
    remark: str


@dataclass(frozen=True)
class Issue:
    item_id: str
    name: str
    reported: str
    requirement: str
    outcome: str
    source: str  # file and cell the figure came from
    note: str = ""  # the county's own 备注 on that row, shown as text


@dataclass(frozen=True)
class CountyIssues:
    county: str
    issues: tuple[Issue, ...]


@dataclass(frozen=True)
class IntakeNote:
    """A file or county whose figures were not (all) accepted, and why."""

    county: str
    file: str
    outcome: str
    reason: str


@dataclass(frozen=True)
class Listed:
    county: str
    rate: float | None
    note: str


@dataclass(frozen=True)
class GoalRow:
    county: str
    goal: str
    status: str


@dataclass(frozen=True)
class OrderRow:
    county: str
    new: int
    closed: int
    overdue: int
    open: int
    rate: float | None


@dataclass(frozen=True)
class BulletinExtras:
    """Lists, goals and orders of the quarter (see transforms/assess.py)."""

    focus_name: str
    list_rule: str
    red: tuple[Listed, ...]
    black: tuple[Listed, ...]
    goals: tuple[GoalRow, ...]
    creation: str
    orders: tuple[OrderRow, ...]
    overdue: tuple[str, ...]  # the overdue orders' problems, "county：problem"
    rank_ranges: dict[str, str]
    draws: int  # how the rank ranges were measured: draws of area weights within ± spread
    spread: float
    previous_average: float | None = None  # last quarter's average total of the units that reported
    improved: int = 0  # units whose rank rose against last quarter
    declined: int = 0
    escalated: tuple[str, ...] = ()  # 丘北县连续第2次上黑榜，予以约谈
    deadline: dt.date | None = None  # this quarter's orders are due by this day
    contact: str = ""  # 联系人：…，电话：…
    overdue_counties: int = 0  # units with overdue orders


@dataclass(frozen=True)
class Charts:
    """SVG charts as data: URIs (the only URLs the renderer loads besides the project's assets)."""

    heatmap: str
    trend: str
    scope: str = ""  # which units charts 1 and 2 show, when not all (a province or the country)
    trend_scope: str = ""
    trend_quarters: int = TREND_QUARTERS  # how many quarters the trend chart spans at most


@dataclass(frozen=True)
class Theme:
    """The main problems of one area, worded as a paragraph of the bulletin."""

    area: str  # the area's name
    text: str


@dataclass(frozen=True)
class AnnexRow:
    rank: int | None
    county: str
    total: float | None
    deduction: float | None
    area_rates: tuple[float | None, ...]


@dataclass(frozen=True)
class OrderLine:
    order_id: str
    county: str
    problem: str
    responsible: str
    deadline: str
    status: str
    issued: str = ""  # the quarter it was issued in
    item_id: str = ""  # the indicator or task it is about


@dataclass(frozen=True)
class BulletinContext:
    issuer: str
    doc_number: str
    title: str
    quarter: str
    quarter_label: str
    issue_date: dt.date
    recipients: str
    source_document: str
    reported: int
    counties: int
    not_reported: tuple[str, ...]  # counties that sent nothing
    average: float | None
    ranking: tuple[RankRow, ...]
    intake: tuple[IntakeNote, ...]
    catalog_version: str
    total_points: float  # the catalog's points (one per part by default), turned into the hundred-point scale
    parts: int  # how many parts the tasks' points are shared among
    undecidable: tuple[str, ...] = ()  # parts no county or some counties could not be judged on, and why
    extras: BulletinExtras | None = None
    charts: Charts | None = None
    common_at_least: int = COMMON_AT_LEAST  # a problem is common when unmet in at least this many units
    area_labels: tuple[str, ...] = ()
    annex_scores: tuple[AnnexRow, ...] = ()
    cc: str = ""
    refused: tuple[str, ...] = ()  # counties whose files could not be read (the reasons are in intake)
    themes: tuple[Theme, ...] = ()  # the main problems, by area
    data_gaps: tuple[str, ...] = ()  # 丘北县3项未填报、1项数据异常
    all_listed: bool = True  # every unit is listed (at most LIST_ALL_UNITS_UP_TO): the per-unit tables are shown
    shown_scope: str = ""  # beyond LIST_ALL_UNITS_UP_TO units: which rows the ranking and annex show
    unranked: int = 0  # units without a rank, when the ranking shows only its ends
    remarks: bool = False  # some ranking row has a remark (else the column is left out)
    podium: str = ""  # the ranking in a sentence: the first three, the last three, the biggest climb
    intake_total: int = 0  # files or figures not (all) accepted; beyond LIST_ALL_UNITS_UP_TO units only the
    # first INTAKE_SHOWN are listed, the rest are in the validation report and problems.json


def county_issues(
    county: str,
    indicator_scores: pd.DataFrame,
    task_scores: pd.DataFrame,
    catalog: Catalog,
    notes: dict[tuple[str, str], str] | None = None,
    rules: dict[str, str] | None = None,
) -> tuple[Issue, ...]:
    """A county's unmet requirements and unfinished tasks, with its figure, the rule and its own 备注.
    rules: indicator id → rule text, when the caller has them already."""
    notes = notes or {}
    rules = rules or {}
    out = []
    mine = indicator_scores[indicator_scores["county_code"] == county]
    for r in mine[mine["outcome"].isin(UNMET_OUTCOMES)].itertuples(index=False):
        ind = catalog.indicator_by_id[r.indicator_id]
        note = f"（{r.note}）" if r.note else ""
        source = f"{r.file} {r.cell}" if r.cell else ""
        if isinstance(getattr(r, "carried_from", None), str):
            source = f"{r.carried_from} {source}".strip()
        out.append(
            Issue(
                ind.id,
                ind.name,
                figure_text(r.value, ind.unit),
                rules.get(ind.id) or rule_text(ind, catalog),
                r.outcome + note,
                source,
                quoted(notes.get((county, ind.id), ""), NOTE_CHARS),
            )
        )
    done = catalog.done_statuses()
    mine = task_scores[task_scores["county_code"] == county]
    tasks = mine[mine["status"].notna() & ~mine["status"].isin(done)]
    for r in tasks.itertuples(index=False):
        task = catalog.task_by_id[r.task_id]
        outcome = "未完成" if r.status != Outcome.MISSING else Outcome.MISSING
        name = f"{task.title}（定量指标以外的其余工作）" if catalog.indicators_of(task.id) else task.title
        out.append(
            Issue(
                task.id,
                name,
                r.status,
                "应完成",
                outcome,
                f"{r.file} {r.cell}" if r.cell else "",
                quoted(notes.get((county, task.id), ""), NOTE_CHARS),
            )
        )
    return tuple(out)


# A prefecture's units are listed one by one (annex 3, charts); beyond this many — a province, the
# country — the annex refers to each unit's feedback sheet and the charts show the two ends.
LIST_ALL_UNITS_UP_TO = 30


def issues_by_county(
    indicator_scores: pd.DataFrame,
    task_scores: pd.DataFrame,
    catalog: Catalog,
    notes: dict[tuple[str, str], str] | None = None,
) -> dict[str, tuple[Issue, ...]]:
    """county_issues for every county at once: the frames are filtered and split by county once, not
    once per county (which grew with the square of the number of units)."""
    unmet = indicator_scores[indicator_scores["outcome"].isin(UNMET_OUTCOMES)]
    open_tasks = task_scores[task_scores["status"].notna() & ~task_scores["status"].isin(catalog.done_statuses())]
    by_indicator = {code: frame for code, frame in unmet.groupby("county_code", sort=False)}
    by_task = {code: frame for code, frame in open_tasks.groupby("county_code", sort=False)}
    rules = {ind.id: rule_text(ind, catalog) for ind in catalog.indicators}
    return {
        code: county_issues(
            code, by_indicator.get(code, unmet.iloc[:0]), by_task.get(code, open_tasks.iloc[:0]), catalog, notes, rules
        )
        for code in {*by_indicator, *by_task}
    }


def build_bulletin(
    quarter: str,
    quarter_label: str,
    ranking: pd.DataFrame,
    indicator_scores: pd.DataFrame,
    task_scores: pd.DataFrame,
    catalog: Catalog,
    doc_number: str,
    issue_date: dt.date,
    intake: tuple[IntakeNote, ...] = (),
    extras: BulletinExtras | None = None,
    charts: Charts | None = None,
    cc: str = "",
    recipients: str = "",
) -> BulletinContext:
    """Assemble the bulletin's context from the quarter's ranking and scores. The counts of met and
    unmet indicators are the ranking's (transforms.score.outcome_counts): one count in every output.
    A prefecture's units are all listed; beyond LIST_ALL_UNITS_UP_TO the ranking and the annex show the
    two ends, and the full table is in scores.xlsx."""
    rows = [
        RankRow(
            rank=None if pd.isna(r.rank) else int(r.rank),
            county=r.county,
            total=None if pd.isna(r.total) else float(r.total),
            rank_change=None if pd.isna(r.rank_change) else int(r.rank_change),
            met=0 if pd.isna(r.met) else int(r.met),
            unmet=0 if pd.isna(r.unmet) else int(r.unmet),
            remark=r.not_ranked_reason,
        )
        for r in ranking.itertuples(index=False)
    ]
    annex = [
        AnnexRow(
            None if pd.isna(r.rank) else int(r.rank),
            r.county,
            None if pd.isna(r.total) else float(r.total),
            float(getattr(r, "deduction", 0) or 0) if not pd.isna(r.total) else None,
            tuple(_rate(getattr(r, f"area_{a.num}_rate", None)) for a in catalog.areas),
        )
        for r in ranking.itertuples(index=False)
    ]
    units = len(ranking)
    scope, unranked = "", 0
    if units > LIST_ALL_UNITS_UP_TO:
        ranked = [i for i, r in enumerate(rows) if r.rank is not None]
        ends = ranked[:ENDS_SHOWN] + ranked[-ENDS_SHOWN:] if len(ranked) > 2 * ENDS_SHOWN else ranked
        rows = [rows[i] for i in ends]
        annex = [annex[i] for i in ends]
        unranked = units - len(ranked)
        scope = f"共{units}个单位，表中为前{ENDS_SHOWN}名和后{ENDS_SHOWN}名，全部单位的得分见得分表"
    reported = ranking[ranking["total"].notna()]
    return BulletinContext(
        issuer=catalog.issuer,
        doc_number=doc_number,
        title=f"关于{quarter_label}全州文明城市创建工作测评情况的通报",
        quarter=quarter,
        quarter_label=quarter_label,
        issue_date=issue_date,
        recipients=recipients,
        source_document=catalog.source,
        reported=len(reported),
        counties=len(catalog.counties),
        not_reported=tuple(ranking.loc[ranking["total"].isna() & ~_refused(ranking), "county"]),
        refused=tuple(ranking.loc[ranking["total"].isna() & _refused(ranking), "county"]),
        average=float(reported["total"].mean()) if len(reported) else None,
        ranking=tuple(rows),
        intake=intake if units <= LIST_ALL_UNITS_UP_TO else intake[:INTAKE_SHOWN],
        intake_total=len(intake),
        catalog_version=catalog.version,
        total_points=catalog.total_points,
        parts=len(catalog.part_points),
        undecidable=undecidable_parts(indicator_scores, catalog),
        extras=extras,
        charts=charts,
        area_labels=tuple(a.label for a in catalog.areas),
        annex_scores=tuple(annex),
        cc=cc,
        themes=problem_themes(indicator_scores, task_scores, catalog),
        data_gaps=data_gaps(indicator_scores, catalog),
        all_listed=units <= LIST_ALL_UNITS_UP_TO,
        shown_scope=scope,
        unranked=unranked,
        remarks=any(r.remark for r in rows),
        podium=podium(rows),
    )


def podium(rows: list[RankRow], most: int = 3) -> str:
    """砚山县、马关县、文山市位列前三名，……位列后三名；麻栗坡县排名上升最多（上升2位）."""
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: r.rank or 0)
    if len(ranked) < 2 * most:
        return ""
    n = cn_numeral(most)
    top = "、".join(r.county for r in ranked[:most])
    tail = "、".join(r.county for r in ranked[-most:])
    text = f"{top}位列前{n}名，{tail}位列后{n}名"
    climbs = [r for r in ranked if r.rank_change and r.rank_change > 0]
    if climbs:
        best = max(r.rank_change or 0 for r in climbs)
        who = "、".join(r.county for r in climbs if r.rank_change == best)
        text += f"；{who}排名上升最多（上升{best}位）"
    return text + "。"


ENDS_SHOWN = 10  # beyond LIST_ALL_UNITS_UP_TO units, the ranking shows this many at each end
INTAKE_SHOWN = 20  # beyond LIST_ALL_UNITS_UP_TO units, the intake notes the bulletin lists


def problem_themes(
    indicator_scores: pd.DataFrame,
    task_scores: pd.DataFrame,
    catalog: Catalog,
    at_least: int = COMMON_AT_LEAST,
    most_areas: int = 3,
    most_items: int = 2,
) -> tuple[Theme, ...]:
    """The main problems grouped by area, in prose: per area, the requirements and tasks unmet in at
    least `at_least` units (the most widespread first, `most_items` named), and the units with most
    unmet items there. The `most_areas` areas with most unmet items, in the catalog's order."""
    names = {c.code: c.name for c in catalog.counties}
    unmet = indicator_scores[indicator_scores["outcome"].isin([Outcome.UNMET, Outcome.BAD_DATA])]
    done = catalog.done_statuses()
    open_tasks = task_scores[task_scores["status"].notna() & ~task_scores["status"].isin(done)]
    items: dict[int, list[tuple[int, str, str, list[str]]]] = {}  # area → (units, id, phrase, unit names)
    weight: dict[int, int] = {}  # area → unmet cells
    per_unit: dict[int, dict[str, int]] = {}
    for ind_id, grp in unmet.groupby("indicator_id", sort=False):
        ind = catalog.indicator_by_id[ind_id]
        area = int(ind.id.split(".")[0])
        weight[area] = weight.get(area, 0) + len(grp)
        for code in grp["county_code"]:
            per_unit.setdefault(area, {})[code] = per_unit.get(area, {}).get(code, 0) + 1
        if len(grp) >= at_least:
            rule = rule_text(ind, catalog)
            phrase = f"{ind.name}（{rule}）" if rule not in ("是", "否") else ind.name
            items.setdefault(area, []).append((len(grp), ind.id, phrase, [names[c] for c in grp["county_code"]]))
    for task_id, grp in open_tasks.groupby("task_id", sort=False):
        area = int(str(task_id).split(".")[0])
        weight[area] = weight.get(area, 0) + len(grp)
        for code in grp["county_code"]:
            per_unit.setdefault(area, {})[code] = per_unit.get(area, {}).get(code, 0) + 1
        if len(grp) >= at_least:
            task = catalog.task_by_id[task_id]
            items.setdefault(area, []).append(
                (len(grp), task.id, f"“{task.title}”任务", [names[c] for c in grp["county_code"]])
            )
    chosen = sorted(sorted(items, key=lambda a: -weight[a])[:most_areas])
    area_names = {a.num: a.name for a in catalog.areas}
    themes = []
    for area in chosen:
        found = sorted(items[area], key=lambda i: (-i[0], i[1]))
        parts = [f"{phrase}有{n}个县（市）未达到要求（{_some(units)}）" for n, _, phrase, units in found[:most_items]]
        more = f"，另有{len(found) - most_items}项要求多个县（市）未达到" if len(found) > most_items else ""
        worst = sorted(per_unit[area].items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        most = "、".join(f"{names[c]}{n}项" for c, n in worst)
        text = f"{'；'.join(parts)}{more}。该领域未达标事项较多的是{most}。"
        themes.append(Theme(area_names[area], text))
    return tuple(themes)


def _some(units: list[str], shown: int = 3) -> str:
    return "、".join(units) if len(units) <= shown else f"{'、'.join(units[:shown])}等"


def data_gaps(indicator_scores: pd.DataFrame, catalog: Catalog, most: int = 10) -> tuple[str, ...]:
    """Per unit, how many figures were missing or unusable: 丘北县3项未填报、1项数据异常."""
    names = {c.code: c.name for c in catalog.counties}
    kinds = (Outcome.MISSING, Outcome.BAD_DATA)
    gaps = indicator_scores[indicator_scores["outcome"].isin(kinds)]
    counts = gaps.groupby(["county_code", "outcome"], sort=False).size()
    out = []
    with_gaps = set(gaps["county_code"])  # once, not once per unit (2,844 units: 2,844 sets)
    for code in [c.code for c in catalog.counties if c.code in with_gaps][:most]:
        said = "、".join(f"{int(counts[(code, k)])}项{k}" for k in kinds if (code, k) in counts.index)
        out.append(f"{names[code]}{said}")
    return tuple(out)


def _refused(ranking: pd.DataFrame) -> pd.Series:
    return ranking["not_ranked_reason"].fillna("").str.startswith(Absence.REFUSED)


def _rate(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def order_line(order: Any) -> OrderLine:  # a row of the order ledger (itertuples)
    """An order as the documents print it: its responsible units with the basis they are named on
    (任务清单: the task list names them; 州文明办确定: the office's assignment)."""
    basis = getattr(order, "responsible_basis", None)
    shown = isinstance(basis, str) and basis and basis != order.responsible
    units = f"{order.responsible}（{basis}）" if shown else order.responsible
    return OrderLine(
        order.order_id,
        order.county,
        order.problem,
        units,
        order.deadline,
        order.status,
        order.issued_quarter,
        order.item_id,
    )


def undecidable_parts(indicator_scores: pd.DataFrame, catalog: Catalog) -> tuple[str, ...]:
    """The indicators some county could not be judged on this quarter (their tasks rescaled over their
    other parts), one sentence per reason: 无上年同期数据：6.1.1a 全员劳动生产率、…; an indicator that
    only some counties could not be judged on says how many."""
    undecided = indicator_scores[indicator_scores["outcome"] == Outcome.UNDECIDABLE]
    reporting = indicator_scores["county_code"].nunique()
    by_reason: dict[str, list[str]] = {}
    for (ind_id, note), grp in undecided.groupby(["indicator_id", "note"], sort=False):
        ind = catalog.indicator_by_id[ind_id]
        reason = note.removesuffix("，无法判定") or Outcome.UNDECIDABLE
        some = f"（{len(grp)}个县（市））" if len(grp) < reporting else ""
        by_reason.setdefault(reason, []).append(f"{ind.id} {ind.name}{some}")
    return tuple(f"{reason}：{'、'.join(items)}" for reason, items in by_reason.items())


def list_rule_text(rule: ListRule) -> str:
    """The quarter's 红黑榜 rule in words, as the bulletin and the 测评细则 state it."""
    ranked = (
        f"得分率前 {rule.top} 名上红榜、后 {rule.bottom} 名上黑榜（并列均列入）"
        if rule.rule == "rank"
        else f"得分率不低于 {rule.red_at:.0%} 上红榜、低于 {rule.black_below:.0%} 上黑榜"
    )
    return f"{ranked}，未报送或不予排名的县（市）列入黑榜"


def escalation_texts(escalations: pd.DataFrame) -> dict[str, str]:
    """county_code → what its black listing means: 连续第2次上黑榜，约谈; nothing for a first listing."""
    return {
        r.county_code: f"连续第{r.streak}次上黑榜，{r.action}"
        for r in escalations.itertuples(index=False)
        if r.streak > 1
    }


def bulletin_extras(assessment: Assessment, scores: QuarterScores, catalog: Catalog, quarter: str) -> BulletinExtras:
    """The bulletin's view of the quarter's assessment (lists, goals, orders, rank ranges)."""
    rule_text = list_rule_text(assessment.settings.lists)
    actions = escalation_texts(assessment.escalations)

    def listed(kind: str) -> tuple[Listed, ...]:
        rows = assessment.lists[assessment.lists["list"] == kind]
        return tuple(
            Listed(
                r.county,
                None if pd.isna(r.focus_rate) else float(r.focus_rate),
                "，".join(x for x in (r.reason, actions.get(r.county_code, "")) if x),
            )
            for r in rows.itertuples(index=False)
        )

    orders = assessment.orders
    new = orders[orders["issued_quarter"] == quarter]
    closed_now = orders[orders["closed_quarter"] == quarter]
    rates = assessment.rates.set_index("county_code")["rate"]
    counts = {  # county_code → count, each counted once for all counties
        "new": new["county_code"].value_counts(),
        "closed": closed_now["county_code"].value_counts(),
        "overdue": orders.loc[orders["status"] == OrderState.OVERDUE, "county_code"].value_counts(),
        "open": orders.loc[orders["status"] != OrderState.CLOSED, "county_code"].value_counts(),
    }
    rows = []
    for c in catalog.counties:
        rate = rates.get(c.code)
        n = {k: int(counts[k].get(c.code, 0)) for k in counts}
        rows.append(OrderRow(c.name, n["new"], n["closed"], n["overdue"], n["open"], _rate(rate)))
    overdue = tuple(
        f"{r.county}：{r.problem}" for r in orders[orders["status"] == OrderState.OVERDUE].itertuples(index=False)
    )
    ranges = {
        r.county: (f"{r.rank_low}–{r.rank_high}" if r.rank_low != r.rank_high else f"{r.rank_low}")
        for r in assessment.robustness.itertuples(index=False)
    }
    trend = assessment.trend
    before = trend[(trend["quarter"] == shift_quarter(quarter, -1)) & trend["total"].notna()]
    change = scores.ranking["rank_change"].dropna()
    streaks = assessment.escalations
    escalated = tuple(
        f"{r.county}连续第{r.streak}次上黑榜，予以{r.action}" for r in streaks.itertuples(index=False) if r.streak > 1
    )
    settings = assessment.settings
    contact = settings.contact
    due = quarter_end(deadline_quarter(quarter, "quarterly", settings.order_deadline_quarters))
    return BulletinExtras(
        focus_name=assessment.focus_name,
        list_rule=rule_text,
        red=listed(ListKind.RED),
        black=listed(ListKind.BLACK),
        goals=tuple(GoalRow(r.county, r.goal, r.status) for r in assessment.goals.itertuples(index=False)),
        creation=assessment.creation,
        orders=tuple(rows),
        overdue=overdue,
        rank_ranges=ranges,
        draws=settings.robustness.draws,
        spread=settings.robustness.spread,
        previous_average=float(before["total"].mean()) if len(before) else None,
        improved=int((change > 0).sum()),
        declined=int((change < 0).sum()),
        escalated=escalated,
        deadline=due,
        contact=f"联系人：{contact.name}，电话：{contact.phone}" if contact else "",
        overdue_counties=int(counts["overdue"].gt(0).sum()),
    )
