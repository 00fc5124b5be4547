"""Turn raw cell values into typed values: numbers, scale answers and task statuses.

Every conversion is stated (the `conversion` column), every doubt is a warning and every value that is
not a value is an error: nothing is guessed silently. The parsers never raise on any input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from core.problems import ERROR, FORMAT_UNKNOWN, WARNING, Problem
from expectations.catalog import Catalog, Indicator, Input

EXCEL_ERROR = re.compile(r"^#(DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$")
_COMPARATOR = re.compile(r"^(≥|≤|>|<|=|≈|~|约|大于|小于|不低于|不少于|不超过|达到)|(以上|以下|左右|多|余)$")
_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
_ARABIC = {"1": "Ⅰ", "2": "Ⅱ", "3": "Ⅲ", "4": "Ⅳ", "5": "Ⅴ"}
_CHINESE = {"一": "Ⅰ", "二": "Ⅱ", "三": "Ⅲ", "四": "Ⅳ", "五": "Ⅴ"}
_FINANCIAL = str.maketrans("壹贰叁肆伍", "一二三四五")  # 大写数字, as in 叁级
_GRADE_DIGITS = {"1": "一", "2": "二", "3": "三", "4": "四"}
QUOTE_CHARS = 40  # what a message quotes of a cell's text: a 32 KB cell is not repeated in full


def quoted(raw: object, most: int = QUOTE_CHARS) -> str:
    """A cell's text as a message quotes it: at most `most` characters, with the length beyond."""
    text = str(raw)
    return text if len(text) <= most else f"{text[:most]}…（共{len(text)}字）"


_YES = {"是", "有", "Y", "YES", "√", "✓", "✔"}
_NO = {"否", "无", "N", "NO", "×", "✗", "✘"}


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one cell: a value, what was done to it, and what is wrong with it.
    shown: how the cell displays when that differs from its stored value (9250% for 92.5 in a percent cell)."""

    value: float | str | None = None
    notes: tuple[str, ...] = ()
    error: str | None = None
    warning: str | None = None
    shown: str | None = None


def _clean(raw: object) -> tuple[str, list[str]]:
    """NFKC (full-width to half-width), other scripts' digits (Arabic-Indic ٩٢) to 0–9, and surrounding
    spaces, each stated when it changed the text."""
    text = str(raw)
    notes = []
    folded = unicodedata.normalize("NFKC", text)
    if folded != text:
        notes.append("全角字符已转为半角")
    digits = "".join(str(unicodedata.digit(ch)) if ch.isdecimal() and not "0" <= ch <= "9" else ch for ch in folded)
    if digits != folded:
        notes.append("非 0–9 的数字字符（如阿拉伯-印度数字）已转为 0–9")
        folded = digits
    stripped = folded.strip()
    if stripped != folded:
        notes.append("已去除首尾空格")
    return stripped, notes


def parse_number(
    raw: object, unit: str, *, number_format: str | None = None, plausible_min: float | None = None
) -> Parsed:
    """A number as counties type it: 92.5, '92.5', '９２．５', '92.5%' (percent figures), '1,234',
    a cell formatted as percent (0.925 shown as 92.5%). Returns a Parsed; never raises.

    A bare fraction in a percentage figure (0.925, no percent sign, no percent format) is doubtful: with
    the cell's format known, it is read as a fraction only when anything below 1 % is implausible for the
    indicator (plausible_min > 1), and always with a warning, else kept as typed, also with a warning;
    where the format cannot be known (number_format FORMAT_UNKNOWN: a CSV) it is an error naming the cell.
    """
    known = number_format != FORMAT_UNKNOWN
    number_format = number_format if known else None
    if isinstance(raw, bool):
        return Parsed(error="应填写数值，收到逻辑值")
    if isinstance(raw, int | float):
        try:
            return _number_cell(float(raw), unit, number_format, plausible_min, known)
        except OverflowError:
            return Parsed(error=f"数值过大，应填写{_expected(unit)}")
    text, notes = _clean(raw)
    if not text:
        return Parsed()
    if EXCEL_ERROR.match(text.upper()):
        return Parsed(error=f"单元格为 Excel 错误值 {text}，应填写{_expected(unit)}")
    if _COMPARATOR.search(text):
        return Parsed(error=f"“{quoted(raw)}”不是具体数值，应填写{_expected(unit)}本身，不要带“≥”“以上”“约”等字样")
    percent_sign = text.endswith("%")
    if percent_sign:
        if unit != "%":
            return Parsed(error=f"“{quoted(raw)}”是百分数，但该项单位为“{unit or '无'}”，应填写{_expected(unit)}")
        text = text[:-1].rstrip()
        notes.append("已去除百分号")
    elif unit and unit != "%" and text.endswith(unit):
        text = text[: -len(unit)].rstrip()
        notes.append(f"已去除单位“{unit}”")
    if _THOUSANDS.match(text):
        text = re.sub(r"[, ]", "", text)
        notes.append("已去除千分位分隔符")
    if not _NUMBER.match(text):
        return Parsed(error=f"“{quoted(raw)}”不是数值，应填写{_expected(unit)}")
    value = float(text)
    if not math.isfinite(value):
        return Parsed(error=f"“{quoted(raw)}”不是有限数值，应填写{_expected(unit)}")
    if unit == "%" and not percent_sign and 0 < value <= 1:
        return _bare_fraction(value, tuple(notes), plausible_min, known)
    return Parsed(value=value, notes=tuple(notes))


def _number_cell(
    value: float, unit: str, number_format: str | None, plausible_min: float | None, known: bool = True
) -> Parsed:
    if math.isnan(value):
        return Parsed(error=f"单元格的值不是数值（NaN），应填写{_expected(unit)}")
    if not math.isfinite(value):
        return Parsed(error=f"不是有限数值，应填写{_expected(unit)}")
    if unit != "%":
        return Parsed(value=value)
    percent = round(value * 100, 10)
    if not math.isfinite(percent):
        return Parsed(error=f"数值过大，应填写{_expected(unit)}")
    if number_format and "%" in number_format:
        return Parsed(
            value=percent, notes=(f"单元格为百分比格式，{value:g} 按 {percent:g}% 读取",), shown=f"{percent:g}%"
        )
    if 0 < value <= 1:
        return _bare_fraction(value, (), plausible_min, known)
    return Parsed(value=value)


def _bare_fraction(value: float, notes: tuple[str, ...], plausible_min: float | None, known: bool) -> Parsed:
    """0.925 in a percentage figure, without a percent sign or format: 0.925 % or 92.5 %?"""
    percent = round(value * 100, 10)
    if not known:
        return Parsed(
            error=f"填报值 {value:g} 在百分比指标中，文件未保存单元格格式，无法确定是 {value:g}% 还是 "
            f"{percent:g}%；请填写百分数本身（如 {percent:g}），或从模板另存为 .xlsx 后报送"
        )
    if plausible_min is not None and plausible_min > 1:
        return Parsed(
            value=percent,
            notes=(*notes, f"{value:g} 按小数理解为 {percent:g}%"),
            warning=f"填报值 {value:g} 按小数理解为 {percent:g}%，请核实",
        )
    hint = f"填报值 {value:g}% 偏小；如为小数形式（即 {percent:g}%），请改填 {percent:g}"
    return Parsed(value=value, notes=notes, warning=hint)


def _expected(unit: str) -> str:
    return f"数值（单位：{unit}）" if unit else "数值"


def parse_choice(raw: object, scale: tuple[str, ...], *, negated_question: bool = False) -> Parsed:
    """An answer on a scale: 是/否 (also 有/无, Y/N, √/×), Ⅱ类 (also II类, 2类, 二类), 三级 (also 3级, 三),
    a completion status. Returns a Parsed; never raises.

    negated_question: the question itself says 无 (城市无烟草广告), so 有/无 cannot be read as 是/否.
    """
    if isinstance(raw, str) and raw in scale:  # picked from the template's drop-down: nothing to say
        return Parsed(value=raw)
    text, notes = _clean(raw)
    if not text:
        return Parsed()
    expected = "、".join(scale)
    if EXCEL_ERROR.match(text.upper()):
        return Parsed(error=f"单元格为 Excel 错误值 {text}，应为：{expected}")
    folded = {unicodedata.normalize("NFKC", w): w for w in scale}
    word = folded.get(text) or _scale_word(text, scale, negated_question)
    if word is None:
        hint = "该项问题本身含“无”，请填写“是”或“否”，" if negated_question and text in ("有", "无") else ""
        return Parsed(error=f"“{quoted(raw)}”不是可选答案，{hint}应为：{expected}")
    if word != str(raw).strip() and word != text:
        notes.append(f"“{text}”按“{word}”读取")
    return Parsed(value=word, notes=tuple(dict.fromkeys(notes)))


def _scale_word(text: str, scale: tuple[str, ...], negated_question: bool) -> str | None:
    text = text.translate(_FINANCIAL)
    upper = text.upper()
    if "是" in scale and "否" in scale:
        if negated_question and text in ("有", "无"):
            return None
        return "是" if upper in _YES else "否" if upper in _NO else None
    m = re.fullmatch(r"(劣)?(I{1,3}|IV|V|[1-5]|[一二三四五])(类)?", upper)
    if m:
        numeral = _ROMAN.get(m.group(2)) or _ARABIC.get(m.group(2)) or _CHINESE.get(m.group(2))
        candidate = f"{m.group(1) or ''}{numeral}类"
        if candidate in scale:
            return candidate
    m = re.fullmatch(r"([1-4一二三四])(级)?", text)
    if m:
        candidate = f"{_GRADE_DIGITS.get(m.group(1), m.group(1))}级"
        if candidate in scale:
            return candidate
    return None


def check_range(value: float, unit: str, catalog: Catalog) -> str | None:
    """The physical range of the unit (catalog.physical_ranges): a share above 100 %, a negative count;
    and a count (catalog.whole_units: 个, 起, 次, 天) must be a whole number."""
    low, high = catalog.physical_range(unit)
    if value < low:
        return "不能为负数" if low == 0 else f"不能小于 {low:g}{unit}"
    if high is not None and value > high:
        return f"不能超过 {high:g}{unit}"
    if unit in catalog.whole_units and not float(value).is_integer():
        return f"不是整数：以“{unit}”计的数量应填写整数"
    return None


def _plausible_min(item: Indicator | Input) -> float | None:
    if isinstance(item, Indicator) and item.op in (">=", ">"):  # a reference figure (Input) has no rule
        return item.floor
    return None


def _parse_row(row: Any, item: Indicator | Input | None, catalog: Catalog, statuses: tuple[str, ...]) -> Parsed:
    if row.cell_note == "formula_uncached":
        return Parsed(error="单元格是没有计算结果的公式，请填写数值本身（或在 Excel/WPS 中重新计算后保存）")
    if row.kind == "task":
        return parse_choice(row.raw, statuses)
    assert item is not None, row.item_id  # every other template row is an indicator or input of the catalog
    if item.scale:
        return parse_choice(row.raw, catalog.scales[item.scale], negated_question="无" in item.name)
    fmt = row.number_format if isinstance(row.number_format, str) else None
    parsed = parse_number(row.raw, item.unit, number_format=fmt, plausible_min=_plausible_min(item))
    if parsed.value is not None and (why := check_range(cast(float, parsed.value), item.unit, catalog)):
        if parsed.shown:  # what the county sees in the cell, not what it stores
            return Parsed(
                error=f"单元格显示为“{parsed.shown}”，{why}（如应为 {row.raw:g}%，请输入 {row.raw:g}% "
                f"或把单元格格式改为常规后填 {row.raw:g}）",
                notes=parsed.notes,
            )
        shown = f"{row.raw:g}" if isinstance(row.raw, float) else quoted(row.raw)
        return Parsed(error=f"“{shown}”{why}", notes=parsed.notes)
    return parsed


def _blank(raw: object) -> bool:
    """Nothing typed. A numeric NaN is not blank: a cell holding NaN holds no number, which is an error."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def normalise_values(records: pd.DataFrame, catalog: Catalog) -> tuple[pd.DataFrame, list[Problem]]:
    """Add typed columns: `value` (number), `answer` (scale word), `status` (task completion),
    `conversion` (what was done to the raw text), `rejected` (the cell holds no usable value) and
    `issue` (why it was rejected).

    The raw value stays beside the typed one; the input frame is not changed.
    """
    statuses = tuple(s.name for s in catalog.completion_statuses)
    problems: list[Problem] = []
    values, answers, task_status, conversions, issues = [], [], [], [], []
    for row in records.itertuples(index=False):
        item = catalog.indicator_by_id.get(row.item_id) or catalog.input_by_id.get(row.item_id)
        if row.kind == "task":
            name = catalog.task_by_id[row.item_id].title
        else:
            assert item is not None, row.item_id  # every other template row is an indicator or input of the catalog
            name = item.name
        if _blank(row.raw) and row.cell_note != "formula_uncached":
            parsed = Parsed(warning="未选择完成情况" if row.kind == "task" else "未填报")
        else:
            parsed = _parse_row(row, item, catalog, statuses)
        notes = list(parsed.notes)
        if row.cell_note == "formula" and parsed.value is not None:
            notes.insert(0, "单元格为公式，取其计算结果")
        for severity, message in ((ERROR, parsed.error), (WARNING, parsed.warning)):
            if message:
                problems.append(
                    Problem(
                        row.file,
                        row.sheet,
                        row.cell,
                        message,
                        severity,
                        row.item_id,
                        name,
                        None if _blank(row.raw) else quoted(row.raw),
                    )
                )
        ok = parsed.error is None and parsed.value is not None
        number = ok and isinstance(parsed.value, float)
        values.append(parsed.value if number else np.nan)
        answers.append(parsed.value if ok and not number and row.kind != "task" else None)
        task_status.append(parsed.value if ok and row.kind == "task" else None)
        conversions.append("；".join(notes))
        issues.append(parsed.error)
    # object columns (pandas would infer strings and turn None into NaN), then the two typed ones
    typed = pd.DataFrame(
        {"answer": answers, "status": task_status, "conversion": conversions, "issue": issues},
        index=records.index,
        dtype="object",
    )
    typed.insert(0, "value", np.array(values, dtype="float64"))
    typed.insert(4, "rejected", np.array([i is not None for i in issues], dtype="bool"))
    return pd.concat([records.drop(columns=typed.columns, errors="ignore"), typed], axis=1), problems
