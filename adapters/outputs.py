"""The quarter's tables as bytes: scores.xlsx (every detail table, one sheet each, Chinese headers), and
the CSV and JSON files written beside it (Chinese headers too; values as stored, so ids and codes stay).

Written with XlsxWriter, every cell through the writer of its type (write_string, write_number,
write_boolean): text is always stored as text, so nothing a county typed (“=1+1”, “#DIV/0!”, a link)
can become a formula, an error or a hyperlink. XlsxWriter's constant-memory mode streams each row to a
temporary file: a province's hundreds of thousands of rows cost ~8 µs a cell (openpyxl's write-only
mode took ~20 µs).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xlsxwriter

from adapters.county_templates import FIXED_STAMP
from expectations.catalog import Catalog
from expectations.template_rows import FREQUENCY_LABEL, KIND_LABEL

HEADERS = {
    "rank": "排名",
    "county": "县（市）",
    "county_code": "行政区划代码",
    "total": "总分",
    "previous_rank": "上季度排名",
    "rank_change": "排名变化",
    "not_ranked_reason": "不予排名原因",
    "missing_share": "未填报比例",
    "judged_points": "可判定分值",
    "raw_score": "得分",
    "before_deduction": "扣分前总分",
    "deduction": "扣分",
    "indicator_id": "指标编号",
    "task_id": "任务编号",
    "value": "填报值",
    "reference": "参照值",
    "cell": "单元格",
    "file": "文件",
    "alternative": "替代条件",
    "note": "说明",
    "outcome": "判定",
    "achievement": "达成度",
    "area": "领域",
    "points": "分值",
    "status": "完成情况",
    "status_source": "来源",
    "score": "得分",
    "item_id": "编号",
    "name": "名称",
    "count": "次数",
    "focus": "大比武重点",
    "focus_rate": "得分率",
    "focus_rank": "大比武排名",
    "list": "榜单",
    "streak": "连续上黑榜季度数",
    "action": "处理",
    "goal": "目标",
    "on_course": "是否达到",
    "detail": "说明",
    "order_id": "派单编号",
    "problem": "问题",
    "responsible": "责任单位",
    "issued_quarter": "派单季度",
    "issued_on": "派单日期",
    "deadline_quarter": "整改期限季度",
    "deadline": "整改期限",
    "closed_quarter": "销号季度",
    "checked_quarter": "核验季度",
    "due": "到期派单数",
    "closed": "已销号",
    "overdue": "逾期",
    "rate": "整改率",
    "base_value": "上年值",
    "target": "目标值",
    "observed_rate": "实际年增长率",
    "required_rate": "所需年增长率",
    "ratio": "比值",
    "progress": "进度",
    "rank_low": "排名区间下限",
    "rank_high": "排名区间上限",
    "share_same_rank": "保持原排名的比例",
    "frequency": "频次",
    "due_this_quarter": "本季度填报",
    "carried_from": "沿用判定的季度",
    "share": "占任务分值比例",
    "status_share": "其余工作占任务分值比例",
    "status_achievement": "完成情况得分率",
    "judged_share": "可判定部分占比",
    "rescaled": "按可判定部分折算",
    "met": "达标指标",
    "unmet": "未达标指标",
    "undecidable": "无法判定指标",
    "carried": "沿用上年指标",
    "reason": "原因",
    "responsible_basis": "责任单位依据",
    "base_year": "基准年",
    "target_year": "目标年",
    "reference_source": "参照值来源",
    "kind": "类型",
}

# rules.csv: one row per rule and county (the indicator's own rule, or one of its alternatives); its
# codes stay as they are, since the validation report cites them for tracing ("rules.csv main invalid").
RULE_HEADERS = {
    "rule": "规则代码",
    "status": "规则结果",
    "missing": "缺失原因",
    "observed": "实际值",
    "expected": "要求值",
    "columns": "涉及字段",
    "indicator_name": "指标名称",
}


MAX_TEXT = 32767  # Excel's limit for the characters in a cell
MAX_WIDTH = 60  # characters: a long problem text wraps in the cell rather than making a column of a page

# How a column's numbers read (Excel number formats); a column not named here is shown as typed.
PERCENT_COLUMNS = {
    "missing_share",
    "focus_rate",
    "achievement",
    "share",
    "status_share",
    "status_achievement",
    "judged_share",
    "rate",
    "observed_rate",
    "required_rate",
    "share_same_rank",
}
POINTS_COLUMNS = {"total", "judged_points", "raw_score", "before_deduction", "deduction", "points", "score"}
DATE_COLUMNS = {"issued_on", "deadline"}  # ISO dates in the frames, dates in the workbook
VALUE_LABELS = {"frequency": FREQUENCY_LABEL, "kind": KIND_LABEL}  # codes in the frames, words for people


def _number_kind(name: str) -> str | None:
    if name in PERCENT_COLUMNS or name.endswith("_rate"):
        return "percent"
    if name in POINTS_COLUMNS:
        return "points"
    return None


def _width(text: str) -> int:
    """Display width in Excel's character units: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _header(name: str, headers: Mapping[str, str] = HEADERS) -> str:
    return headers.get(name, name.replace("area_", "领域").replace("_rate", "得分率"))


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def people_headers(frame: pd.DataFrame, headers: Mapping[str, str] | None = None) -> list[str]:
    """The Chinese header of each column (HEADERS, then `headers` for a table whose columns mean something
    else). A column without one, or two columns under one header, is a programming error: a new column
    must get its header here before it reaches a user's spreadsheet."""
    names = {**HEADERS, **(headers or {})}
    out = [_header(str(c), names) for c in frame.columns]
    untranslated = [str(c) for c, h in zip(frame.columns, out, strict=True) if not _is_chinese(h)]
    doubled = sorted({h for h in out if out.count(h) > 1})
    if untranslated or doubled:
        raise ValueError(f"columns without a Chinese header: {untranslated}; headers used twice: {doubled}")
    return out


def with_county_names(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The county's name beside its code (a table keyed by code alone is for machines, not people)."""
    if "county_code" not in frame.columns or "county" in frame.columns:
        return frame
    names = {c.code: c.name for c in catalog.counties}
    at = list(frame.columns).index("county_code") + 1
    out = frame.copy()
    out.insert(at, "county", frame["county_code"].map(names))
    return out


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def frames_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, for people: Chinese headers in bold, the header row frozen and filtered, each
    column as wide as its content (to MAX_WIDTH, then wrapped), numbers stored as numbers (ranks and
    counts too), rates as percentages, points with two decimals, dates as dates. Text is always written
    as text. Equal tables give equal bytes (fixed document date; XlsxWriter stamps its zip entries with a
    fixed time)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    wb.set_properties({"created": FIXED_STAMP})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {
        "percent": wb.add_format({"num_format": "0.0%"}),
        "points": wb.add_format({"num_format": "0.00"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
    }
    for title, frame in sheets.items():
        ws = wb.add_worksheet(title)
        headers = people_headers(frame)
        kinds = [_number_kind(str(name)) for name in frame.columns]
        dates = [str(name) in DATE_COLUMNS for name in frame.columns]
        labels = [VALUE_LABELS.get(str(name), {}) for name in frame.columns]
        widths = [_width(h) for h in headers]
        for col, name in enumerate(frame.columns):  # widths before the rows: constant_memory writes rows as they come
            shown = frame[name].dropna().astype(str).str.slice(0, MAX_WIDTH)
            if len(shown):  # the widest of the longest few hundred: a province's sheets have 150,000 rows
                longest = shown[shown.str.len().nlargest(200).index]
                widths[col] = max(widths[col], max(_width(v) for v in longest))
            width = min(max(widths[col], 6), MAX_WIDTH) + 2
            ws.set_column(col, col, width)
        wraps = [formats["wrap"] if w > MAX_WIDTH else None for w in widths]  # long text wraps in its column
        ws.freeze_panes(1, 0)
        if len(frame.columns):
            ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
        for col, header in enumerate(headers):
            ws.write_string(0, col, header, bold)
        write_string, write_number, write_boolean = ws.write_string, ws.write_number, ws.write_boolean
        for row, values in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                # by type, so that text stays text; blanks (None, NaN, NA) and infinities stay empty
                if dates[col] and (day := _as_date(value)) is not None:
                    ws.write_datetime(row, col, dt.datetime(day.year, day.month, day.day), formats["date"])
                elif isinstance(value, str):
                    write_string(row, col, labels[col].get(value, value)[:MAX_TEXT], wraps[col])
                elif isinstance(value, bool | np.bool_):
                    write_boolean(row, col, bool(value))
                elif isinstance(value, int | float | np.integer | np.floating):
                    number = float(value)
                    if math.isfinite(number):
                        kind = kinds[col]
                        if kind is None:
                            write_number(row, col, int(value) if isinstance(value, int | np.integer) else number)
                        else:
                            write_number(row, col, number, formats[kind])
                elif value is not None and value is not pd.NA:
                    write_string(row, col, str(value)[:MAX_TEXT])
    wb.close()
    return buf.getvalue()


def detail_workbook(scores, assessment, catalog: Catalog) -> bytes:
    """The quarter's tables as one workbook for the office, each row naming its county."""
    sheets = {
        "总分排名": scores.ranking,
        "指标得分": scores.indicators,
        "任务得分": scores.tasks,
        "负面清单扣分": scores.deductions,
        "大比武红黑榜": assessment.lists,
        "黑榜升级": assessment.escalations,
        "目标进展": assessment.goals,
        "派单台账": assessment.orders,
        "整改率": assessment.rates,
        "年度进度": assessment.progress,
        "排名稳健性": assessment.robustness,
    }
    return frames_workbook({title: with_county_names(frame, catalog) for title, frame in sheets.items()})


# Text a spreadsheet would run as a formula (or a DDE command) when it opens a CSV: such a field gets a
# leading apostrophe, which Excel and WPS show as text. Plain numbers written as text are left alone.
_ACTIVE_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


def csv_bytes(frame: pd.DataFrame, headers: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 CSV with a BOM (Excel's cue for UTF-8), Chinese headers (people_headers), values as stored:
    ids and codes (行政区划代码, 指标编号, 派单编号, rule codes) stay what they are, so that one CSV joins
    another and the history. Text that would run as a formula is neutralised."""
    names = people_headers(frame, headers)
    safe = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            text = column.astype("string")
            active = text.str.startswith(_ACTIVE_START).fillna(False) & ~text.str.fullmatch(_PLAIN_NUMBER).fillna(False)
            if active.any():
                column = column.where(~active, "'" + text)
        safe[name] = column
    table = pd.DataFrame(safe, index=frame.index)
    table.columns = names
    return table.to_csv(index=False).encode("utf-8-sig")


def json_bytes(obj: object) -> bytes:
    """UTF-8 JSON, Chinese as written, dates and other values as their text."""
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str).encode("utf-8")
