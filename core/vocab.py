"""The pipeline's words, each spoken once: what a rule found, what a part was judged, which list, where
an order stands. StrEnums, so a member is its own text in a frame, a CSV, JSON, DuckDB or a template."""

from __future__ import annotations

from enum import StrEnum

OFFICE = "州文明办"  # the prefecture's office, as counties name it: its files, its folder, its portal account


class RuleStatus(StrEnum):
    """One rule's result for one county, as the validation's rule table (validation/rules.csv) states it."""

    MET = "met"
    NOT_MET = "not_met"
    MISSING = "missing"  # a figure the rule needs is absent: see MissingKind
    INVALID = "invalid"  # the figure is not a number the rule can compare


class MissingKind(StrEnum):
    """What a rule with status MISSING lacked."""

    VALUE = "value"  # the county's figure
    HISTORY = "history"  # an earlier year's figure
    REFERENCE = "reference"  # the office's bar (参照数据)


class Outcome(StrEnum):
    """How a part of a task was judged for a county, as the bulletin, feedback sheets and CSVs print it."""

    MET = "达标"
    MET_ALT = "替代达标"  # met by an alternative condition
    UNMET = "未达标"
    MISSING = "未填报"  # a figure due this quarter was left blank
    BAD_DATA = "数据异常"
    UNDECIDABLE = "无法判定"  # the figure was given but what it is judged against was not


MET_OUTCOMES = (Outcome.MET, Outcome.MET_ALT)
UNMET_OUTCOMES = (Outcome.UNMET, Outcome.MISSING, Outcome.BAD_DATA)  # each raises an order
CARRIED = "沿用上年"  # the note on an annual part judged by last year's fourth quarter


class ListKind(StrEnum):
    RED = "红榜"
    BLACK = "黑榜"


class OrderState(StrEnum):
    OPEN = "整改中"
    OVERDUE = "逾期"
    CLOSED = "已销号"


class Absence(StrEnum):
    """Why a county has no scores this quarter."""

    NOT_REPORTED = "未报送"
    REFUSED = "报送的文件未能读取"


# How a comparison is printed: the catalog's operators as the documents write them.
COMPARISON_SYMBOL = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "==": "="}
