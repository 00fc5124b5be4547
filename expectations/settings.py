"""The office's settings (config/office.yaml) as validated models: per-quarter 大比武 focus and list rule,
escalation ladder, goal lines, order deadlines, robustness draws, the years progress is measured between,
and the office's own choices the task list leaves open: weights that differ from the catalog's and the
responsible units of the tasks whose text names none. Weights, units and years are not set per quarter,
so that a task weighs the same in every quarter."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from core.quarters import is_quarter
from core.runtime import PROJECT_ROOT
from expectations.catalog import Catalog, CatalogError, focus_tasks, with_office_choices

CONFIG_PATH = PROJECT_ROOT / "config" / "office.yaml"


class MailSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = 25
    security: str = "starttls"  # none | starttls | ssl
    sender: str
    username: str | None = None
    password_env: str | None = None  # name of the environment variable holding the password
    recipients: dict[str, list[str]]  # 分发 folder name (州文明办, a county) → addresses


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConfigError(ValueError):
    """The office's settings are invalid or incomplete; the message says what to change, in Chinese."""


class ListRule(_Model):
    rule: Literal["rank", "threshold"]
    top: int | None = Field(default=None, ge=1)
    bottom: int | None = Field(default=None, ge=1)
    red_at: float | None = Field(default=None, ge=0, le=1)
    black_below: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _complete(self) -> ListRule:
        if self.rule == "rank" and (self.top is None or self.bottom is None):
            raise ValueError("排名规则（rule: rank）需要 top 和 bottom")
        if self.rule == "threshold":
            if self.red_at is None or self.black_below is None:
                raise ValueError("得分率规则（rule: threshold）需要 red_at 和 black_below")
            if self.red_at <= self.black_below:
                raise ValueError(f"红榜线 red_at（{self.red_at:g}）应高于黑榜线 black_below（{self.black_below:g}）")
        return self


class Lines(_Model):
    reinspection: float = Field(ge=0, le=100)
    creation: float = Field(ge=0, le=100)


class Robustness(_Model):
    draws: int = Field(ge=10)
    spread: float = Field(gt=0, lt=1)
    seed: int


class Progress(_Model):
    """The years progress classes are measured between (Open SDG: base year t0, target year tT).
    None: the year before the plan's year (base) and the plan's year, when the campaign's goals fall due."""

    base_year: int | None = Field(default=None, ge=2000, le=2100)
    target_year: int | None = Field(default=None, ge=2000, le=2100)

    def years(self, plan_year: int) -> tuple[int, int]:
        base = self.base_year if self.base_year is not None else plan_year - 1
        target = self.target_year if self.target_year is not None else plan_year
        return base, target

    @model_validator(mode="after")
    def _ordered(self) -> Progress:
        if self.base_year is not None and self.target_year is not None and self.target_year <= self.base_year:
            raise ValueError(f"目标年份 target_year（{self.target_year}）应晚于基准年份 base_year（{self.base_year}）")
        return self


class Contact(_Model):
    """Who the counties call about the bulletin: 联系人 and 电话 at the foot of its requirements."""

    name: str = Field(min_length=1)
    phone: str = Field(min_length=5)


class Weights(_Model):
    """The office's own weights where they differ from the catalog's (expectations/catalog.yaml):
    `tasks`: task id → the task's points; `parts`: part id → its weight within its task, where an
    indicator id names that indicator and a task id the rest of the task's content (完成情况)."""

    tasks: dict[str, float] = {}
    parts: dict[str, float] = {}

    @model_validator(mode="after")
    def _positive(self) -> Weights:
        bad = [k for k, v in {**self.tasks, **self.parts}.items() if not v > 0]
        if bad:
            raise ValueError(f"权重应为正数：{'、'.join(bad)}")
        return self


class QuarterSettings(_Model):
    focus: str | None = None  # a sub-area (1.4) or a task (1.4.1) of the catalog
    lists: ListRule
    # Consecutive black listings: the first listing is the listing itself; the ladder applies from the
    # second consecutive one (约谈), then the next (通报批评), and its last step for every one after.
    escalation: tuple[str, ...] = Field(min_length=1)
    lines: Lines
    order_deadline_quarters: int = Field(ge=1)
    robustness: Robustness
    recipients: str  # the 主送 line of the bulletin
    cc: str = ""  # the 抄送 line of the bulletin
    contact: Contact | None = None  # 联系人 and 电话 under the bulletin's requirements
    fonts: str | None = None  # a folder with the office's own fonts (方正小标宋简体, 仿宋_GB2312, …)
    doc_number: str | None = None  # e.g. 文文明办〔2023〕4号; default: issue year and quarter number
    issue_date: str | None = None  # YYYY-MM-DD; default: the 10th of the month after the quarter
    # the counties' last day to return the quarter (the portal shows a file placed later as 补报);
    # default: the 5th of the month after the quarter (core.quarters.default_return_deadline)
    return_deadline: dt.date | None = None
    progress: Progress = Progress()
    weights: Weights = Weights()
    # task id → responsible units, for the tasks whose text in the task list names none: the office's
    # assignment, printed as such on every order (the catalog keeps the units the seed itself names)
    responsible: dict[str, tuple[str, ...]] = {}

    def require_focus(self, quarter: str) -> str:
        """The quarter's 大比武 focus; the task list asks for one every quarter (三、工作措施（四）)."""
        if not self.focus:
            raise ConfigError(
                f"办公室设置中没有 {quarter} 的大比武重点：任务清单要求每季度确定一项重点工作开展“大比武”。"
                f'请在 config/office.yaml 的 quarters 下加一行，如 {quarter}: {{focus: "1.4"}}'
                "（领域、子领域或任务编号），或在 defaults 下设置 focus 作为默认重点"
            )
        return self.focus


class _Override(_Model):
    focus: str | None = None
    lists: ListRule | None = None
    lines: Lines | None = None
    doc_number: str | None = None
    issue_date: str | None = None
    return_deadline: dt.date | None = None


class PortalSettings(_Model):
    """The 报送平台 that `chuangwen serve` starts beside the schedule (`chuangwen portal` takes the same as
    options). host 127.0.0.1 unless a reverse proxy on another machine serves it over HTTPS (README)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8470, ge=1, le=65535)
    https: bool = False  # behind an HTTPS reverse proxy: cookies only over HTTPS


class OfficeConfig(_Model):
    defaults: QuarterSettings
    quarters: dict[str, _Override] = {}
    mail: MailSettings | None = None  # optional e-mail delivery of the distribution
    portal: PortalSettings | None = None  # optional: `chuangwen serve` starts the portal too

    @model_validator(mode="after")
    def _quarters_are_quarters(self) -> OfficeConfig:
        bad = [q for q in self.quarters if not is_quarter(q)]
        if bad:
            raise ValueError(f"not quarters: {bad}")
        return self

    def for_quarter(self, quarter: str) -> QuarterSettings:
        over = self.quarters.get(quarter)
        if over is None:
            return self.defaults
        keys = ("focus", "lists", "lines", "doc_number", "issue_date", "return_deadline")
        update = {k: getattr(over, k) for k in keys if getattr(over, k) is not None}
        return self.defaults.model_copy(update=update)


def load_config(path: Path | None = None) -> OfficeConfig:
    """The settings file, parsed once per version of it (an edited file is read again)."""
    path = Path(path) if path else CONFIG_PATH
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigError(f"{path}：无法读取办公室设置文件（{exc.strerror or exc}）") from exc
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _load(path: Path, _mtime_ns: int = 0, _size: int = 0) -> OfficeConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}：无法读取办公室设置文件（{exc.strerror or exc}）") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}：不是 UTF-8 编码的文本，请用 UTF-8 保存") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise ConfigError(
            f"{path}：不是有效的 YAML{('（' + where + '）') if where else ''}，请检查缩进、冒号和括号是否成对"
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}：应为“设置项: 值”的形式，顶层至少要有 defaults")
    try:
        return OfficeConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [f"  {_where(err['loc'])}：{_chinese(err)}" for err in exc.errors()]
        raise ConfigError(f"{path}：办公室设置有 {len(lines)} 处错误：\n" + "\n".join(lines)) from exc


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "（顶层）"


def _allowed(loc: tuple) -> str:
    """The keys allowed where an unknown key was written (loc: the path to it)."""
    model: type[BaseModel] | None = OfficeConfig
    keyed = False  # the part before was a mapping of names (quarters): this part is a name, not a field
    for part in loc[:-1]:
        if model is None:
            return ""
        if keyed:
            keyed = False
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return ""
        args = getattr(field.annotation, "__args__", (field.annotation,))
        keyed = getattr(field.annotation, "__origin__", None) is dict
        model = next((t for t in args if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return "、".join(model.model_fields) if model is not None else ""


def _chinese(err: ErrorDetails) -> str:
    """One pydantic error in words the office can act on."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _allowed(err["loc"])
        return "不认识的设置项（可能拼写有误）" + (f"；这里允许的设置项：{allowed}" if allowed else "")
    if kind == "missing":
        return "缺少这一项"
    bounds = {
        "less_than_equal": f"应不大于 {ctx.get('le')}",
        "less_than": f"应小于 {ctx.get('lt')}",
        "greater_than_equal": f"应不小于 {ctx.get('ge')}",
        "greater_than": f"应大于 {ctx.get('gt')}",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "string_type": "应为文字",
        "bool_parsing": "应为 true 或 false",
        "dict_type": "应为“设置项: 值”的形式",
        "list_type": "应为列表，如 [约谈, 通报批评, 问责]",
        "tuple_type": "应为列表，如 [约谈, 通报批评, 问责]",
        "too_short": "不能为空",
        "date_type": "应为日期，如 2023-01-05",
        "date_parsing": "应为日期，如 2023-01-05",
        "date_from_datetime_parsing": "应为日期，如 2023-01-05",
        "date_from_datetime_inexact": "应为日期，如 2023-01-05",
    }
    if kind in bounds:
        return f"{bounds[kind]}，现为 {err.get('input')!r}"
    if kind == "literal_error":
        return f"应为 {ctx.get('expected')} 之一，现为 {err.get('input')!r}"
    if kind == "value_error":
        return str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    return err["msg"]


def office_catalog(catalog: Catalog, settings: QuarterSettings) -> Catalog:
    """The catalog with the office's weights and responsible units applied: what a run scores with."""
    try:
        return with_office_choices(catalog, settings.weights.tasks, settings.weights.parts, settings.responsible)
    except CatalogError as exc:
        raise ConfigError(f"办公室设置：{exc}") from exc


def check_quarter_settings(settings: QuarterSettings, catalog: Catalog, quarter: str) -> None:
    """Before a quarter's run writes anything: its 大比武 focus is set and names part of the catalog. (A
    task with no responsible units is no reason to stop: its orders say 未指定, and so does the method.)"""
    focus = settings.require_focus(quarter)
    if not focus_tasks(catalog, focus):
        raise ConfigError(f"办公室设置：{quarter} 的大比武重点“{focus}”不是指标目录中的领域、子领域或任务编号")
