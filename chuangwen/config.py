"""The office's settings (config/office.yaml) as validated models: per-quarter 大比武 focus and list rule,
escalation ladder, goal lines, order deadlines, robustness draws."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chuangwen import PROJECT_ROOT
from chuangwen.mail import MailSettings
from chuangwen.quarters import is_quarter

CONFIG_PATH = PROJECT_ROOT / "config" / "office.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ListRule(_Model):
    rule: Literal["rank", "threshold"]
    top: int | None = Field(default=None, ge=1)
    bottom: int | None = Field(default=None, ge=1)
    red_at: float | None = Field(default=None, ge=0, le=1)
    black_below: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _complete(self) -> ListRule:
        if self.rule == "rank" and (self.top is None or self.bottom is None):
            raise ValueError("a rank rule needs top and bottom")
        if self.rule == "threshold" and (self.red_at is None or self.black_below is None):
            raise ValueError("a threshold rule needs red_at and black_below")
        return self


class Lines(_Model):
    reinspection: float = Field(ge=0, le=100)
    creation: float = Field(ge=0, le=100)


class Robustness(_Model):
    draws: int = Field(ge=10)
    spread: float = Field(gt=0, lt=1)
    seed: int


class QuarterSettings(_Model):
    focus: str | None = None  # a sub-area (1.4) or a task (1.4.1) of the catalog
    lists: ListRule
    escalation: tuple[str, ...]
    lines: Lines
    order_deadline_quarters: int = Field(ge=1)
    robustness: Robustness
    recipients: str  # the 主送 line of the bulletin
    cc: str = ""  # the 抄送 line of the bulletin
    doc_number: str | None = None  # e.g. 文文明办〔2023〕4号; default: issue year and quarter number
    issue_date: str | None = None  # YYYY-MM-DD; default: the 10th of the month after the quarter


class _Override(_Model):
    focus: str | None = None
    lists: ListRule | None = None
    lines: Lines | None = None
    doc_number: str | None = None
    issue_date: str | None = None


class OfficeConfig(_Model):
    defaults: QuarterSettings
    quarters: dict[str, _Override] = {}
    mail: MailSettings | None = None  # optional e-mail delivery of the distribution

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
        keys = ("focus", "lists", "lines", "doc_number", "issue_date")
        update = {k: getattr(over, k) for k in keys if getattr(over, k) is not None}
        return self.defaults.model_copy(update=update)


class ConfigError(ValueError):
    pass


def load_config(path: Path | None = None) -> OfficeConfig:
    return _load(Path(path) if path else CONFIG_PATH)


@functools.cache
def _load(path: Path) -> OfficeConfig:
    try:
        return OfficeConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}：办公室设置无效：{exc}") from exc
