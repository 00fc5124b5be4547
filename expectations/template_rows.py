"""The rows of a county's quarterly return, derived from the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.quarters import parse_quarter
from expectations.catalog import Catalog, Indicator, Input
from expectations.rules import rule_text

RowKind = Literal["indicator", "input", "task"]

FREQUENCY_LABEL = {"quarterly": "季度", "annual": "年度"}
KIND_LABEL = {"indicator": "指标", "input": "参照数据", "task": "任务完成情况"}


@dataclass(frozen=True)
class TemplateRow:
    """One line to fill: a figure (indicator or input) or a task's completion status."""

    item_id: str
    kind: RowKind
    task_id: str
    name: str
    unit: str
    rule: str
    frequency: str
    choices: tuple[str, ...]  # allowed answers for a choice row; empty for numbers


def is_due(frequency: str, quarter: str) -> bool:
    """Annual figures are due in the fourth quarter's return only."""
    return frequency == "quarterly" or parse_quarter(quarter)[1] == 4


def due_indicators(catalog: Catalog, quarter: str) -> tuple[Indicator, ...]:
    return tuple(i for i in catalog.indicators if is_due(i.frequency, quarter))


def due_inputs(catalog: Catalog, quarter: str, source: str | None = None) -> tuple[Input, ...]:
    """Inputs needed by a due indicator's rule or alternative; `source` "county" or "office" keeps
    those that party reports (a county's return carries only its own)."""
    needed: set[str] = set()
    for ind in due_indicators(catalog, quarter):
        if ind.op == "relative":
            needed.add(str(ind.threshold))
        for alt in ind.alternatives:
            needed.update(x for x in (alt.figure, alt.reference) if x)
    return tuple(i for i in catalog.inputs if i.id in needed and source in (None, i.source))


def due_figures(catalog: Catalog, quarter: str) -> tuple[Indicator | Input, ...]:
    """Every figure the quality checks judge for a quarter: the due indicators, then their inputs."""
    return (*due_indicators(catalog, quarter), *due_inputs(catalog, quarter))


def status_tasks(catalog: Catalog, quarter: str) -> tuple[str, ...]:
    """Tasks whose completion status (the rest of their content) is judged this quarter: all of them,
    every quarter, so that no task's substance goes unscored and no weight moves between quarters."""
    return tuple(t.id for t in catalog.tasks)


STATUS_RULE = "如实选择完成情况"
STATUS_RULE_WITH_FIGURES = "本任务定量指标以外的其余工作，如实选择完成情况"


def template_rows(catalog: Catalog, quarter: str) -> list[TemplateRow]:
    """Rows in task order: each task's completion status, its due indicators and the county's own
    figures they need. The bars a county is judged against (office inputs) are not in its return."""
    statuses = tuple(s.name for s in catalog.completion_statuses)
    inputs_by_task: dict[str, list[Input]] = {}
    for inp in due_inputs(catalog, quarter, "county"):
        owner = next(
            i.task
            for i in catalog.indicators
            if i.threshold == inp.id or any(inp.id in (a.figure, a.reference) for a in i.alternatives)
        )
        inputs_by_task.setdefault(owner, []).append(inp)
    due = due_indicators(catalog, quarter)
    rows: list[TemplateRow] = []
    for task in catalog.tasks:
        figures = catalog.indicators_of(task.id)
        rows.append(
            TemplateRow(
                task.id,
                "task",
                task.id,
                task.title,
                "",
                STATUS_RULE_WITH_FIGURES if figures else STATUS_RULE,
                "季度",
                statuses,
            )
        )
        for ind in (i for i in due if i.task == task.id):
            choices = catalog.scales[ind.scale] if ind.scale else ()
            rows.append(
                TemplateRow(
                    ind.id,
                    "indicator",
                    task.id,
                    ind.name,
                    ind.unit,
                    rule_text(ind, catalog),
                    FREQUENCY_LABEL[ind.frequency],
                    tuple(choices),
                )
            )
        for inp in inputs_by_task.get(task.id, []):
            choices = catalog.scales[inp.scale] if inp.scale else ()
            rows.append(
                TemplateRow(
                    inp.id,
                    "input",
                    task.id,
                    inp.name,
                    inp.unit,
                    "据实填报（用于判定上一行指标）",
                    FREQUENCY_LABEL[inp.frequency],
                    tuple(choices),
                )
            )
    return rows


_TEMPLATE_IDS: dict[tuple[int, str], tuple[Catalog, tuple[str, ...]]] = {}


def template_ids(catalog: Catalog, quarter: str) -> tuple[str, ...]:
    """The item ids of template_rows, remembered per catalog and quarter: every file read asks."""
    key = (id(catalog), quarter)
    known = _TEMPLATE_IDS.get(key)
    if known is None or known[0] is not catalog:
        if len(_TEMPLATE_IDS) > 64:
            _TEMPLATE_IDS.clear()
        known = _TEMPLATE_IDS[key] = (catalog, tuple(row.item_id for row in template_rows(catalog, quarter)))
    return known[1]
