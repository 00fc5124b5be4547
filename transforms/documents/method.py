"""The 测评细则 (assessment method) as a typed context, from the catalog and the quarter's office settings:
every area, task, part and indicator with its points, rule, alternatives, partial-credit floor, data
source and frequency, and every rule of the assessment (treatment of 无法判定 / 未填报 / 数据异常,
deductions, 不予排名, the lists, escalation, order deadlines, progress classes and goal lines), worded so
that a county can recompute its total by hand. The scoring code reads the same catalog and settings;
tests/transforms/test_method.py recomputes totals with the points printed here."""

from __future__ import annotations

from dataclasses import dataclass

from core.zh import quarter_label
from expectations.catalog import Catalog, Indicator, focus_name
from expectations.rules import alternative_texts, main_rule_text
from expectations.settings import Lines, QuarterSettings
from expectations.suites import THREE_YEARS
from transforms.documents.bulletin import list_rule_text
from transforms.rank import MAX_MISSING_SHARE
from transforms.score import UNMET_CAP
from transforms.sdg_progress import CUTOFFS

FREQUENCY_TEXT = {"quarterly": "每季度", "annual": "第四季度（其余季度沿用上年）"}


@dataclass(frozen=True)
class PartLine:
    """One scored part of a task: an indicator, or the rest of the task's content (其余工作)."""

    part_id: str
    name: str
    points: float
    share: float  # of its task's points
    rule: str  # the requirement with its alternatives (或…)
    credit: str  # how an unmet requirement is credited
    source: str  # who supplies the figure and the bar
    frequency: str
    office_weight: bool  # the office changed this part's weight


@dataclass(frozen=True)
class TaskLine:
    task_id: str
    title: str
    points: float
    responsible: str
    basis: str  # 任务清单 (the task list names the units) or 州文明办确定
    office_points: bool  # the office changed the task's points
    parts: tuple[PartLine, ...]


@dataclass(frozen=True)
class AreaLine:
    label: str
    points: float
    tasks: tuple[TaskLine, ...]


@dataclass(frozen=True)
class DeductionLine:
    item_id: str
    name: str
    trigger: str
    points: float
    cap: float


@dataclass(frozen=True)
class MethodContext:
    issuer: str
    title: str
    quarter: str
    quarter_label: str
    catalog_version: str
    source_document: str
    counties: int
    area_count: int
    task_count: int
    indicator_count: int
    part_count: int
    total_points: float
    statuses: tuple[tuple[str, float], ...]  # completion status → credit
    unmet_cap: float
    three_years: int
    missing_share: float
    references: tuple[str, ...]  # the bars the office supplies (参照数据)
    deductions: tuple[DeductionLine, ...]
    draws: int
    spread: float
    focus: str
    focus_name: str
    list_rule: str
    ladder: tuple[str, ...]
    deadline_quarters: int
    base_year: int
    target_year: int
    cutoffs: tuple[tuple[float, str], ...]
    progress_indicators: tuple[str, ...]
    reinspection_line: float
    creation_line: float
    goals: tuple[str, ...]
    office_changes: tuple[str, ...]  # what the office's settings changed in the catalog's weights
    example: tuple[str, ...]  # a worked example of one task's score
    areas: tuple[AreaLine, ...]


def _credit(ind: Indicator, catalog: Catalog) -> str:
    """How an unmet requirement earns partial credit, in words."""
    if ind.op in (">=", ">"):
        return f"{ind.floor:g}{ind.unit}至要求之间按比例得分，低于{ind.floor:g}{ind.unit}得0分"
    if ind.op in ("<=", "<"):
        return f"要求至{ind.floor:g}{ind.unit}之间按比例得分，高于{ind.floor:g}{ind.unit}得0分"
    if ind.op == "relative":
        low, high = sorted([float(ind.floor or 0.0), 1.0])  # the catalog requires a floor here
        return f"参照值的{low:.0%}至{high:.0%}之间按比例得分"
    return "未达到得0分"


def _source(ind: Indicator, catalog: Catalog) -> str:
    office = [catalog.input_by_id[r].name for r in _references_of(ind, catalog)]
    own = [
        catalog.input_by_id[a.figure].name
        for a in ind.alternatives
        if a.figure and catalog.input_by_id[a.figure].source == "county"
    ]
    out = "县（市）填报" + (f"（含{'、'.join(own)}）" if own else "")
    return out + (f"；参照数据由州文明办提供：{'、'.join(office)}" if office else "")


def _references_of(ind: Indicator, catalog: Catalog) -> list[str]:
    refs = [str(ind.threshold)] if ind.op == "relative" else []
    refs += [a.reference for a in ind.alternatives if a.reference]
    return [r for r in refs if r in catalog.input_by_id and catalog.input_by_id[r].source == "office"]


def _rule(ind: Indicator, catalog: Catalog) -> str:
    alternatives = alternative_texts(ind, catalog)
    return main_rule_text(ind, catalog) + "".join(f"；或{a}" for a in alternatives)


def _areas(catalog: Catalog) -> tuple[AreaLine, ...]:
    areas = []
    for area in catalog.areas:
        tasks = []
        for task in (t for t in catalog.tasks if t.area == area.num):
            indicators = catalog.indicators_of(task.id)
            rest = PartLine(
                task.id,
                "定量指标以外的其余工作" if indicators else "任务全部内容",
                catalog.part_points[task.id],
                catalog.part_share(task.id, task.id),
                "完成情况（见三（一））",
                "按完成情况计分",
                "县（市）自评，督导评分优先",
                "每季度",
                task.id in catalog.office_part_weights,
            )
            parts = [rest] + [
                PartLine(
                    ind.id,
                    ind.name,
                    catalog.part_points[ind.id],
                    catalog.part_share(ind.id, task.id),
                    _rule(ind, catalog),
                    _credit(ind, catalog),
                    _source(ind, catalog),
                    FREQUENCY_TEXT[ind.frequency],
                    ind.id in catalog.office_part_weights,
                )
                for ind in indicators
            ]
            tasks.append(
                TaskLine(
                    task.id,
                    task.title,
                    task.points,
                    "、".join(task.responsible),
                    task.responsible_basis,
                    task.id in catalog.office_task_points,
                    tuple(parts),
                )
            )
        areas.append(AreaLine(area.label, sum(t.points for t in tasks), tuple(tasks)))
    return tuple(areas)


def _deductions(catalog: Catalog) -> tuple[DeductionLine, ...]:
    out = []
    for item in catalog.negative_list:
        if item.inspection:
            trigger = "州文明办督导查实（督导评分表中填写次数）"
        else:
            assert item.indicator is not None  # Deduction's validator: an indicator or the inspection
            ind = catalog.indicator_by_id[item.indicator]
            trigger = (
                f"{ind.id} {ind.name}填报“{item.when}”"
                if item.when is not None
                else f"{ind.id} {ind.name}每{item.per:g}{ind.unit}"
            )
        out.append(DeductionLine(item.id, item.name, trigger, item.points, item.cap))
    return tuple(out)


def _example(catalog: Catalog) -> tuple[str, ...]:
    """A worked example on the task with the most parts, as a county head would redo it."""
    task = max(catalog.tasks, key=lambda t: (len(catalog.indicators_of(t.id)), t.id))
    indicators = catalog.indicators_of(task.id)
    shares = [catalog.part_share(task.id, task.id)] + [catalog.part_share(i.id, task.id) for i in indicators]
    rates = [0.8] + [1.0] * (len(indicators) - 1) + [0.5]
    weighted = sum(s * r for s, r in zip(shares, rates, strict=True))
    return (
        f"以任务{task.id}“{task.title}”为例：分值{task.points:g}分，其余工作和{len(indicators)}项定量指标共"
        f"{len(shares)}个部分，各占{'、'.join(f'{s:.1%}' for s in shares)}。",
        f"若其余工作“基本完成”（0.8），前{len(indicators) - 1}项指标达标（1），最后一项按比例得0.5，则任务得分 = "
        f"{task.points:g} ×（{' + '.join(f'{s:.4g}×{r:g}' for s, r in zip(shares, rates, strict=True))}）= "
        f"{task.points * weighted:.4g}分。",
        f"若其中一项指标无法判定，该部分不计，任务得分 = {task.points:g} × 其余部分的加权得分率之和 ÷ "
        "其余部分占比之和。",
    )


def _goals(catalog: Catalog, lines: Lines) -> tuple[str, ...]:
    out = []
    for goal in ("national_nominee", "provincial_reinspection", "provincial_creation"):
        names = "、".join(c.name for c in catalog.counties if c.goal == goal)
        g = catalog.goals[goal]
        if goal == "national_nominee":
            out.append(
                f"{names}：在全省{g['of']}个全国文明城市县级提名城市中保{g['rank_target']}争{g['rank_stretch']}，"
                "按州文明办提供的省级测评排名（省级测评排名.csv）判断；未公布前为“待省级测评结果”。"
            )
        elif goal == "provincial_reinspection":
            out.append(f"{names}：通过省级文明城市届末复查，本季度总分不低于{lines.reinspection:g}分为达到复查线。")
        else:
            out.append(
                f"{names}：{g['of']}个县中力争{g['min_created']}至{g['max_created']}个创成省级文明城市，"
                f"本季度总分不低于{lines.creation:g}分为达到创成线。"
            )
    out.append("未报送或不予排名的县（市）不判断是否达到达标线。")
    return tuple(out)


def _office_changes(catalog: Catalog) -> tuple[str, ...]:
    out = [f"任务{t}的分值调整为{v:g}分" for t, v in catalog.office_task_points.items()]
    for part, weight in catalog.office_part_weights.items():
        what = f"任务{part}的其余工作" if part in catalog.task_by_id else f"指标{part}"
        out.append(f"{what}在所属任务中的权重调整为{weight:g}")
    return tuple(out)


def build_method(catalog: Catalog, settings: QuarterSettings, quarter: str) -> MethodContext:
    """The 测评细则 for a quarter: the catalog (with the office's weights and units applied, see
    expectations.settings.office_catalog) and the quarter's settings."""
    focus = settings.require_focus(quarter)
    base_year, target_year = settings.progress.years(catalog.year)
    progress = tuple(
        f"{i.id} {i.name}"
        for i in catalog.indicators
        if i.frequency == "annual" and i.op in (">=", ">", "<=", "<", "relative")
    )
    references = tuple(f"{i.id} {i.name}" for i in catalog.inputs if i.source == "office")
    return MethodContext(
        issuer=catalog.issuer,
        title=f"{catalog.year}年{catalog.prefecture}文明城市创建季度测评细则",
        quarter=quarter,
        quarter_label=quarter_label(quarter),
        catalog_version=catalog.version,
        source_document=catalog.source,
        counties=len(catalog.counties),
        area_count=len(catalog.areas),
        task_count=len(catalog.tasks),
        indicator_count=len(catalog.indicators),
        part_count=len(catalog.part_points),
        total_points=catalog.total_points,
        statuses=tuple((s.name, s.credit) for s in catalog.completion_statuses),
        unmet_cap=UNMET_CAP,
        three_years=THREE_YEARS,
        missing_share=MAX_MISSING_SHARE,
        references=references,
        deductions=_deductions(catalog),
        draws=settings.robustness.draws,
        spread=settings.robustness.spread,
        focus=focus,
        focus_name=focus_name(catalog, focus),
        list_rule=list_rule_text(settings.lists),
        ladder=settings.escalation,
        deadline_quarters=settings.order_deadline_quarters,
        base_year=base_year,
        target_year=target_year,
        cutoffs=CUTOFFS,
        progress_indicators=progress,
        reinspection_line=settings.lines.reinspection,
        creation_line=settings.lines.creation,
        goals=_goals(catalog, settings.lines),
        office_changes=_office_changes(catalog),
        example=_example(catalog),
        areas=_areas(catalog),
    )
