"""The catalog (catalog.yaml) as validated pydantic models: the single source of every rule and name."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.zh import cn_numeral

CATALOG_PATH = Path(__file__).with_name("catalog.yaml")
TASK_COUNT = 72

Op = Literal[">=", ">", "<=", "<", "==", "grade", "bool", "trend", "relative"]
NUMERIC_OPS = (">=", ">", "<=", "<", "==")
Frequency = Literal["quarterly", "annual"]


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the file and the offending field."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class County(_Model):
    code: str = Field(pattern=r"^\d{6}$")
    name: str
    standing: str
    goal: Literal["national_nominee", "provincial_reinspection", "provincial_creation"]
    goal_text: str


class CompletionStatus(_Model):
    name: str
    credit: float = Field(ge=0, le=1)
    done: bool


class Alternative(_Model):
    """Another way to meet a rule (the seed's 或…): yoy, 3y, or a rule on an input figure."""

    code: str
    figure: str | None = None
    op: Literal[">=", ">", "<=", "<", "=="] | None = None
    reference: str | None = None
    value: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Alternative:
        if self.code in ("yoy", "3y"):
            if self.figure or self.op or self.reference or self.value:
                raise ValueError(f"alternative {self.code} takes no other field")
        elif self.op is None or (self.reference is None and self.value is None):
            raise ValueError(f"alternative {self.code} needs op and a reference or a value")
        return self


class Input(_Model):
    """A figure needed to judge a rule that is no requirement itself. `source` says who reports it: the
    county (the figure an alternative is judged on, e.g. its AQI days) or the office (a bar the county is
    judged against: an upper-level planning target, a comparison average), never the county judged."""

    id: str
    name: str
    unit: str = ""
    frequency: Frequency
    scale: str | None = None
    source: Literal["county", "office"]


class Indicator(_Model):
    id: str = Field(pattern=r"^\d+\.\d+\.\d+[a-z]$")
    task: str
    name: str
    unit: str = ""
    op: Op
    threshold: float | str
    compare: Literal[">=", ">", "<=", "<"] | None = None
    floor: float | None = None
    scale: str | None = None
    better: Literal["higher", "lower"] | None = None
    alternatives: tuple[Alternative, ...] = ()
    frequency: Frequency
    source: str
    weight: float = Field(default=1.0, gt=0)  # its weight among its task's parts

    @model_validator(mode="after")
    def _rule_is_consistent(self) -> Indicator:
        op, thr = self.op, self.threshold
        if op in NUMERIC_OPS:
            if not isinstance(thr, float | int):
                raise ValueError(f"op {op} needs a numeric threshold, got {thr!r}")
            if op != "==" and self.floor is None:
                raise ValueError(f"op {op} needs a floor for partial credit")
            if op in (">=", ">") and self.floor is not None and not self.floor < thr:
                raise ValueError(f"floor {self.floor} must lie below threshold {thr} for {op}")
            if op in ("<=", "<") and self.floor is not None and not self.floor > thr:
                raise ValueError(f"floor {self.floor} must lie above threshold {thr} for {op}")
            if op == "==" and self.better is None:
                raise ValueError("op == needs better: higher|lower")
        elif op in ("grade", "bool"):
            if not isinstance(thr, str) or self.scale is None:
                raise ValueError(f"op {op} needs a scale and a textual threshold")
        elif op == "trend" and thr not in ("up", "down"):
            raise ValueError(f"op trend needs threshold up or down, got {thr!r}")
        elif op == "relative" and (not isinstance(thr, str) or self.compare is None or self.floor is None):
            raise ValueError("op relative needs compare, a reference figure id and a floor ratio")
        if self.compare is not None and op != "relative":
            raise ValueError("compare is only for op relative")
        return self

    @property
    def direction(self) -> Literal["higher", "lower"]:
        """Which way is better, for yoy/3y alternatives, trends and partial credit."""
        if self.better:
            return self.better
        op = self.compare if self.op == "relative" else self.op
        if op in ("<=", "<") or self.threshold == "down":
            return "lower"
        return "higher"

    @property
    def is_choice(self) -> bool:
        """Answered with a word from a scale (是/否, Ⅱ类, 三级) rather than a number."""
        return self.op in ("grade", "bool")


class Deduction(_Model):
    """An item of the negative list: points deducted per occurrence, up to a cap."""

    id: str = Field(pattern=r"^N\d+$")
    name: str
    points: float = Field(gt=0)
    cap: float = Field(gt=0)
    source: str
    indicator: str | None = None
    when: str | None = None
    per: float | None = Field(default=None, gt=0)
    inspection: bool = False

    @model_validator(mode="after")
    def _one_trigger(self) -> Deduction:
        if self.inspection == (self.indicator is not None):
            raise ValueError(f"deduction {self.id} needs exactly one trigger: indicator or inspection")
        if self.indicator is not None and (self.when is None) == (self.per is None):
            raise ValueError(f"deduction {self.id} on an indicator needs `when` (an answer) or `per` (a count)")
        return self


class TaskEntry(_Model):
    num: int = Field(ge=1)
    title: str
    # Responsible units only where the task list itself names them, with its words; the others are the
    # office's assignment (config/office.yaml), applied by with_office_choices.
    responsible: tuple[str, ...] = ()
    responsible_quote: str | None = None
    office_responsible: tuple[str, ...] = ()
    points: float | None = Field(default=None, gt=0)
    status_weight: float = Field(default=1.0, gt=0)  # the weight of the rest of its content among its parts

    @model_validator(mode="after")
    def _quoted(self) -> TaskEntry:
        if bool(self.responsible) != bool(self.responsible_quote):
            raise ValueError("responsible units named by the task list need the quote that names them")
        return self


class SubArea(_Model):
    num: int = Field(ge=1)
    name: str
    tasks: tuple[TaskEntry, ...]


class Area(_Model):
    num: int = Field(ge=1)
    name: str
    subareas: tuple[SubArea, ...]

    @property
    def label(self) -> str:
        return f"{cn_numeral(self.num)}、{self.name}"


SEED_BASIS, OFFICE_BASIS, UNASSIGNED = "任务清单", "州文明办确定", "未指定"


class Task(_Model):
    """A numbered task of the seed's list, flattened with its id (area.subarea.no), its points and the
    weight of the rest of its content (its 完成情况 part) among its parts."""

    id: str
    area: int
    subarea: int
    num: int
    title: str
    responsible: tuple[str, ...]
    responsible_basis: str  # SEED_BASIS (the task list names them), OFFICE_BASIS, or UNASSIGNED
    points: float
    status_weight: float


class Catalog(_Model):
    version: str
    source: str
    issuer: str
    prefecture: str  # the prefecture's name, as titles print it (文山州)
    year: int
    counties: tuple[County, ...]
    goals: dict[str, dict[str, int]]
    completion_statuses: tuple[CompletionStatus, ...]
    physical_ranges: dict[str, tuple[float, float]]
    scales: dict[str, tuple[str, ...]]
    areas: tuple[Area, ...]
    inputs: tuple[Input, ...]
    indicators: tuple[Indicator, ...]
    negative_list: tuple[Deduction, ...] = ()
    whole_units: tuple[str, ...] = ()  # units of counts: a figure in one of them must be a whole number
    # what the office's settings changed (with_office_choices): task points, and part weights
    office_task_points: dict[str, float] = {}
    office_part_weights: dict[str, float] = {}

    @functools.cached_property
    def tasks(self) -> tuple[Task, ...]:
        per_task: dict[str, int] = {}
        for ind in self.indicators:
            per_task[ind.task] = per_task.get(ind.task, 0) + 1
        out = []
        for area in self.areas:
            for sub in area.subareas:
                for entry in sub.tasks:
                    tid = f"{area.num}.{sub.num}.{entry.num}"
                    # one point per part by default: the rest of its content, and each indicator
                    default = float(1 + per_task.get(tid, 0))
                    units, basis = (
                        (entry.office_responsible, OFFICE_BASIS)
                        if entry.office_responsible
                        else (entry.responsible, SEED_BASIS)
                        if entry.responsible
                        else ((), UNASSIGNED)
                    )
                    out.append(
                        Task(
                            id=tid,
                            area=area.num,
                            subarea=sub.num,
                            num=entry.num,
                            title=entry.title,
                            responsible=units,
                            responsible_basis=basis,
                            points=entry.points if entry.points is not None else default,
                            status_weight=entry.status_weight,
                        )
                    )
        return tuple(out)

    @functools.cached_property
    def total_points(self) -> float:
        return float(sum(t.points for t in self.tasks))

    @functools.cached_property
    def part_points(self) -> dict[str, float]:
        """Part id → its points: a task id for the rest of the task's content (its 完成情况), an indicator
        id for that indicator. A task's points are shared among its parts in proportion to their weights,
        the same in every quarter."""
        out: dict[str, float] = {}
        for task in self.tasks:
            parts = {task.id: task.status_weight} | {i.id: i.weight for i in self.indicators_of(task.id)}
            whole = sum(parts.values())
            out |= {part: task.points * weight / whole for part, weight in parts.items()}
        return out

    def part_share(self, part_id: str, task_id: str) -> float:
        """A part's fixed share of its task's points."""
        return self.part_points[part_id] / self.task_by_id[task_id].points

    @functools.cached_property
    def task_by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    @functools.cached_property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @functools.cached_property
    def input_by_id(self) -> dict[str, Input]:
        return {i.id: i for i in self.inputs}

    @functools.cached_property
    def county_by_name(self) -> dict[str, County]:
        return {c.name: c for c in self.counties}

    @functools.cached_property
    def county_by_code(self) -> dict[str, County]:
        return {c.code: c for c in self.counties}

    def area(self, num: int) -> Area:
        return next(a for a in self.areas if a.num == num)

    def subarea_name(self, task: Task) -> str:
        return next(s.name for s in self.area(task.area).subareas if s.num == task.subarea)

    def indicators_of(self, task_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.task == task_id)

    def physical_range(self, unit: str) -> tuple[float, float | None]:
        low, high = self.physical_ranges.get(unit, (0.0, None))
        return low, high

    def done_statuses(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.completion_statuses if s.done)

    def completion_credit(self) -> dict[str, float]:
        return {s.name: s.credit for s in self.completion_statuses}

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        problems: list[str] = []
        _unique(problems, "county code", [c.code for c in self.counties])
        _unique(problems, "county name", [c.name for c in self.counties])
        _unique(problems, "indicator id", [i.id for i in self.indicators] + [i.id for i in self.inputs])
        _unique(problems, "area number", [a.num for a in self.areas])
        for area in self.areas:
            _unique(problems, f"subarea number in area {area.num}", [s.num for s in area.subareas])
            for sub in area.subareas:
                _unique(problems, f"task number in {area.num}.{sub.num}", [t.num for t in sub.tasks])
        for goal in {c.goal for c in self.counties} - set(self.goals):
            problems.append(f"goal {goal} has no entry under goals")
        if "yes_no" not in self.scales:
            problems.append("scales needs yes_no")
        task_ids = {t.id for t in self.tasks}
        figure_ids = {i.id for i in self.inputs} | {i.id for i in self.indicators}
        for scale_name in [i.scale for i in self.inputs if i.scale]:
            if scale_name not in self.scales:
                problems.append(f"input scale {scale_name} is not defined under scales")
        for ind in self.indicators:
            where = f"indicator {ind.id}"
            if ind.task not in task_ids:
                problems.append(f"{where}: task {ind.task} is not in the task list")
            if not ind.id.startswith(ind.task):
                problems.append(f"{where}: id must start with its task id {ind.task}")
            if ind.scale is not None:
                if ind.scale not in self.scales:
                    problems.append(f"{where}: scale {ind.scale} is not defined")
                elif ind.threshold not in self.scales[ind.scale]:
                    problems.append(f"{where}: threshold {ind.threshold} is not on scale {ind.scale}")
            if ind.op == "relative" and ind.threshold not in self.input_by_id:
                problems.append(f"{where}: reference {ind.threshold} is not an input")
            for alt in ind.alternatives:
                for ref in (alt.figure, alt.reference):
                    if ref is not None and ref not in figure_ids:
                        problems.append(f"{where}: alternative {alt.code} names unknown figure {ref}")
        for item in self.negative_list:
            if item.indicator is not None and item.indicator not in self.indicator_by_id:
                problems.append(f"negative list {item.id}: unknown indicator {item.indicator}")
        for ind in self.indicators:
            if (
                ind.op == "relative"
                and ind.threshold in self.input_by_id
                and self.input_by_id[str(ind.threshold)].source != "office"
            ):
                problems.append(
                    f"indicator {ind.id}: the bar it is judged against ({ind.threshold}) must come "
                    "from the office, not from the county judged"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def with_office_choices(
    catalog: Catalog,
    task_points: dict[str, float] | None = None,
    part_weights: dict[str, float] | None = None,
    responsible: dict[str, tuple[str, ...]] | None = None,
) -> Catalog:
    """The catalog with the office's own choices applied: task points, part weights (a task id names the
    rest of its content) and the responsible units of tasks. Unknown ids raise CatalogError."""
    task_points, part_weights, responsible = task_points or {}, part_weights or {}, responsible or {}
    unknown = [k for k in (*task_points, *responsible) if k not in catalog.task_by_id]
    unknown += [k for k in part_weights if k not in catalog.task_by_id and k not in catalog.indicator_by_id]
    if unknown:
        raise CatalogError(f"办公室设置中的编号不在指标目录中：{'、'.join(unknown)}")
    if not (task_points or part_weights or responsible):
        return catalog
    raw = catalog.model_dump(mode="python")
    for area in raw["areas"]:
        for sub in area["subareas"]:
            for entry in sub["tasks"]:
                tid = f"{area['num']}.{sub['num']}.{entry['num']}"
                if tid in task_points:
                    entry["points"] = float(task_points[tid])
                if tid in part_weights:
                    entry["status_weight"] = float(part_weights[tid])
                if tid in responsible:
                    entry["office_responsible"] = tuple(responsible[tid])
    for ind in raw["indicators"]:
        if ind["id"] in part_weights:
            ind["weight"] = float(part_weights[ind["id"]])
    raw["office_task_points"] = dict(task_points)
    raw["office_part_weights"] = dict(part_weights)
    return Catalog.model_validate(raw)


def focus_tasks(catalog: Catalog, focus: str) -> list[str]:
    """The tasks of a focus item: a task id (1.4.1) or every task of a sub-area (1.4) or area (1)."""
    return [t.id for t in catalog.tasks if t.id == focus or t.id.startswith(f"{focus}.")]


def focus_name(catalog: Catalog, focus: str) -> str:
    parts = [int(p) for p in focus.split(".")]
    if len(parts) == 3:
        return catalog.task_by_id[focus].title
    area = catalog.area(parts[0])
    return area.name if len(parts) == 1 else next(s.name for s in area.subareas if s.num == parts[1])


def _unique(problems: list[str], what: str, values: list) -> None:
    seen: set = set()
    for v in values:
        if v in seen:
            problems.append(f"duplicate {what}: {v}")
        seen.add(v)


def parse_catalog(text: str, origin: str = "catalog.yaml", seed_tasks: int | None = TASK_COUNT) -> Catalog:
    """Parse and validate catalog YAML text; raise CatalogError naming the origin and the field.
    seed_tasks: how many tasks the seed lists, which the catalog must have (None for a test catalog)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CatalogError(f"{origin}: expected a mapping at the top level")
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in err['loc']) or '(catalog)'}: {err['msg']}" for err in exc.errors()]
        more = f"\n  … and {len(lines) - 20} more" if len(lines) > 20 else ""
        raise CatalogError(f"{origin}: invalid catalog\n" + "\n".join(lines[:20]) + more) from exc
    if seed_tasks is not None and len(catalog.tasks) != seed_tasks:
        raise CatalogError(
            f"{origin}: invalid catalog\n  (catalog): the seed lists {seed_tasks} tasks, "
            f"the catalog {len(catalog.tasks)}"
        )
    return catalog


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the catalog (default: the one shipped beside this module)."""
    if path is None:
        return _default_catalog()
    return parse_catalog(Path(path).read_text(encoding="utf-8"), origin=str(path))


@functools.cache
def _default_catalog() -> Catalog:
    return parse_catalog(CATALOG_PATH.read_text(encoding="utf-8"), origin=str(CATALOG_PATH))
