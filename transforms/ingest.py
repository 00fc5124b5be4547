"""From a county return's cell grids to rows of the long table, with every problem named by its cell."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter

from core import layout
from core.problems import FORMAT_UNKNOWN, WARNING, Problem, SheetDetails
from core.quarters import is_quarter
from expectations.catalog import Catalog
from expectations.template_rows import template_ids

_HEADER_SCAN_ROWS = 30
_SUBTITLE_COUNTY = re.compile(r"填报单位[:：]\s*(\S+?)[（(](\d{6})[）)]")
_SUBTITLE_QUARTER = re.compile(r"[（(](\d{4}Q[1-4])[）)]")

RECORD_COLUMNS = [
    "quarter",
    "county_code",
    "county",
    "item_id",
    "kind",
    "raw",
    "number_format",
    "cell_note",
    "note",
    "file",
    "sheet",
    "cell",
]


@dataclass(frozen=True)
class Return:
    """One county's return as read: its identity and its filled rows."""

    county_code: str
    county: str
    quarter: str
    records: pd.DataFrame


def visible(text: str) -> str:
    """Text with what cannot be seen shown: a zero-width space, a control or format character, an unusual
    space inside an indicator id as <U+200B>, so that the county can find what to delete."""
    return "".join(
        ch
        if ch == " " or unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn")
        else f"<U+{ord(ch):04X}>"
        for ch in text
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _item_name(item_id: str, catalog: Catalog) -> str:
    if item_id in catalog.task_by_id:
        return catalog.task_by_id[item_id].title
    return (catalog.indicator_by_id.get(item_id) or catalog.input_by_id[item_id]).name


def _cell(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


def _find_headers(grids: dict[str, list[list[object]]]) -> list[tuple[str, int, dict[str, int]]]:
    """Every sheet with the data header (its first header row): a return has exactly one."""
    found = []
    for sheet, grid in grids.items():
        for r, row in enumerate(grid[:_HEADER_SCAN_ROWS]):
            names = {_text(v): c for c, v in enumerate(row) if _text(v)}
            if layout.COL_ID in names and layout.COL_VALUE in names:
                found.append((sheet, r, names))
                break
    return found


def _one_visible_data_sheet(
    found: list[tuple[str, int, dict[str, int]]], file_name: str, details: dict[str, SheetDetails] | None
) -> Problem | None:
    """What the office sees on opening the file must be what is scored: two sheets with the data header
    (a decoy, a hidden copy) or a hidden data sheet refuse the file, naming the sheets."""

    def shown(sheet: str) -> str:
        hidden = details is not None and sheet in details and details[sheet].hidden
        return f"“{sheet}”（已隐藏）" if hidden else f"“{sheet}”"

    if len(found) > 1:
        names = "、".join(shown(sheet) for sheet, _, _ in found)
        header = f"“{layout.COL_ID}”“{layout.COL_VALUE}”"
        return Problem(
            file_name,
            "",
            "",
            f"有 {len(found)} 个工作表都含表头{header}（{names}），无法确定以哪一个"
            f"为准，文件未采用；请只保留下发模板中的“{layout.DATA_SHEET}”工作表后重新报送",
        )
    sheet = found[0][0]
    if details is not None and sheet in details and details[sheet].hidden:
        return Problem(
            file_name,
            sheet,
            "",
            f"填报数据所在的工作表{shown(sheet)}被隐藏，打开文件时看不到，文件未采用；请取消隐藏后重新保存再报送",
        )
    return None


@dataclass(frozen=True)
class _Meta:
    """The identity a file states about itself, and the cell each field was read from."""

    values: dict[str, str]
    cells: dict[str, tuple[str, str]]  # key → (sheet, cell)

    def where(self, key: str) -> tuple[str, str]:
        return self.cells.get(key, ("", ""))


def _read_meta(grids: dict[str, list[list[object]]], data_sheet: str, header_row: int) -> _Meta:
    """County, code, quarter and version from the 填报信息 sheet, else from the title rows above the header."""
    values: dict[str, str] = {}
    cells: dict[str, tuple[str, str]] = {}
    for r, row in enumerate(grids.get(layout.META_SHEET, [])):
        if len(row) >= 2 and _text(row[0]) and _text(row[1]):
            values[_text(row[0])] = _text(row[1])
            cells[_text(row[0])] = (layout.META_SHEET, _cell(r, 1))
    if layout.META_COUNTY in values:
        return _Meta(values, cells)
    for r, row in enumerate(grids[data_sheet][:header_row]):
        for c, v in enumerate(row):
            text = _text(v)
            if m := _SUBTITLE_COUNTY.search(text):
                values[layout.META_COUNTY], values[layout.META_CODE] = m.group(1), m.group(2)
                cells[layout.META_COUNTY] = cells[layout.META_CODE] = (data_sheet, _cell(r, c))
            if m := _SUBTITLE_QUARTER.search(text):
                values[layout.META_QUARTER] = m.group(1)
                cells[layout.META_QUARTER] = (data_sheet, _cell(r, c))
    return _Meta(values, cells)


def _identity(
    meta: _Meta, file_name: str, catalog: Catalog, expected_county: str | None, expected_quarter: str | None
) -> tuple[str | None, str | None, list[Problem]]:
    """The county and quarter a file belongs to: what the file says, checked against where it was put
    (file name, folder). A disagreement rejects the file; silence is accepted with a warning."""

    def reject(key: str, message: str) -> tuple[str | None, str | None, list[Problem]]:
        return None, None, [Problem(file_name, *meta.where(key), message)]

    problems = []
    county = meta.values.get(layout.META_COUNTY)
    quarter = meta.values.get(layout.META_QUARTER)
    if county is None:
        if expected_county is None:
            return reject(layout.META_COUNTY, "文件中没有注明填报单位，文件名也不是县（市）名称")
        county = expected_county
        problems.append(Problem(file_name, "", "", f"文件中没有注明填报单位，按文件名认定为{county}", WARNING))
    if county not in catalog.county_by_name:
        return reject(layout.META_COUNTY, f"填报单位“{county}”不在全州{len(catalog.counties)}个县（市）之列")
    code = meta.values.get(layout.META_CODE)
    if code and code != catalog.county_by_name[county].code:
        right = catalog.county_by_name[county].code
        return reject(layout.META_CODE, f"行政区划代码 {code} 与填报单位{county}（{right}）不符")
    if expected_county and county != expected_county:
        return reject(layout.META_COUNTY, f"文件内填报单位为“{county}”，与文件名“{expected_county}”不一致，未采用")
    if quarter is None:
        if expected_quarter is None:
            return reject(layout.META_QUARTER, "文件中没有注明填报季度")
        quarter = expected_quarter
        problems.append(Problem(file_name, "", "", f"文件中没有注明填报季度，按所在文件夹认定为 {quarter}", WARNING))
    if not is_quarter(quarter):
        return reject(layout.META_QUARTER, f"填报季度“{quarter}”格式不对，应形如 2022Q4")
    if expected_quarter and quarter != expected_quarter:
        return reject(layout.META_QUARTER, f"文件内填报季度为“{quarter}”，但放在 {expected_quarter} 文件夹中，未采用")
    return county, quarter, problems


def extract_return(
    grids: dict[str, list[list[object]]],
    file_name: str,
    catalog: Catalog,
    expected_county: str | None = None,
    expected_quarter: str | None = None,
    details: dict[str, SheetDetails] | None = None,
) -> tuple[Return | None, list[Problem]]:
    """Locate the data sheet by its headers and read every filled row; nothing is guessed silently.

    The county and quarter come from the file (its 填报信息 sheet, or the title rows) and must agree
    with the file name and folder the office filed it under (expected_*); a disagreement rejects the file.
    details: per sheet, number formats, Excel errors and formulas (xlsx only).
    """
    problems: list[Problem] = []
    found = _find_headers(grids)
    if not found:
        msg = f"找不到表头含“{layout.COL_ID}”和“{layout.COL_VALUE}”的工作表，请使用下发的填报模板"
        return None, [Problem(file_name, "", "", msg)]
    if refused := _one_visible_data_sheet(found, file_name, details):
        return None, [refused]
    sheet, header_row, columns = found[0]
    meta = _read_meta(grids, sheet, header_row)
    county, quarter, found_problems = _identity(meta, file_name, catalog, expected_county, expected_quarter)
    problems += found_problems
    if county is None or quarter is None:  # _identity gives both or neither
        return None, problems
    known = catalog.county_by_name[county]
    version = meta.values.get(layout.META_VERSION)
    if version and version != catalog.version:
        problems.append(
            Problem(
                file_name,
                *meta.where(layout.META_VERSION),
                f"模板目录版本为 {version}，当前为 {catalog.version}，请下载新模板重新填报",
                WARNING,
            )
        )
    cells = (details or {}).get(sheet, SheetDetails())
    # a sheet with no details (a CSV's) has no number formats to know: its cells are FORMAT_UNKNOWN
    formats_known = details is None or sheet in details

    office = {i.id for i in catalog.inputs if i.source == "office"}
    figures = set(catalog.indicator_by_id) | (set(catalog.input_by_id) - office)
    tasks = set(catalog.task_by_id)
    id_col, value_col = columns[layout.COL_ID], columns[layout.COL_VALUE]
    status_col = columns.get(layout.COL_STATUS)
    note_col = columns.get(layout.COL_NOTE)
    seen: dict[str, str] = {}
    rows = []
    missing_status_reported = False
    for r, row in enumerate(grids[sheet][header_row + 1 :], start=header_row + 1):
        item = _text(row[id_col]) if id_col < len(row) else ""
        if not item:
            continue
        if item in office:
            problems.append(
                Problem(
                    file_name,
                    sheet,
                    _cell(r, id_col),
                    "该项为判定所依据的参照数据，由州文明办统一提供（参照数据表），县（市）不必填报，该行未读取",
                    WARNING,
                    item_id=item,
                    item_name=catalog.input_by_id[item].name,
                )
            )
            continue
        if item not in figures and item not in tasks:
            problems.append(
                Problem(
                    file_name,
                    sheet,
                    _cell(r, id_col),
                    f"未知的指标编号“{visible(item)}”，该行未读取",
                    item_id=visible(item),
                )
            )
            continue
        name = _item_name(item, catalog)
        if item in seen:
            problems.append(
                Problem(
                    file_name,
                    sheet,
                    _cell(r, id_col),
                    f"指标编号重复出现（首次在 {seen[item]}），本行未读取，请只保留一行",
                    item_id=item,
                    item_name=name,
                )
            )
            continue
        seen[item] = _cell(r, id_col)
        is_task = item in tasks
        col = status_col if is_task else value_col
        if col is None:
            if not missing_status_reported:
                problems.append(
                    Problem(
                        file_name, sheet, _cell(header_row, 0), f"缺少“{layout.COL_STATUS}”列，任务完成情况无法读取"
                    )
                )
                missing_status_reported = True
            continue
        raw = row[col] if col < len(row) else None
        if (r, col) in cells.errors:
            raw = cells.errors[(r, col)]
        formula = cells.formulas.get((r, col))
        rows.append(
            {
                "quarter": quarter,
                "county_code": known.code,
                "county": known.name,
                "item_id": item,
                "kind": "task" if is_task else ("indicator" if item in catalog.indicator_by_id else "input"),
                "raw": raw if raw not in ("", None) else None,
                "number_format": cells.formats.get((r, col)) if formats_known else FORMAT_UNKNOWN,
                "cell_note": None if formula is None else ("formula" if formula else "formula_uncached"),
                "note": (_text(row[note_col]) or None) if note_col is not None and note_col < len(row) else None,
                "file": file_name,
                "sheet": sheet,
                "cell": _cell(r, col),
            }
        )
    absent = [item_id for item_id in template_ids(catalog, quarter) if item_id not in seen]
    if absent:
        shown = "、".join(absent[:10]) + ("等" if len(absent) > 10 else "")
        problems.append(
            Problem(file_name, sheet, "", f"模板中的 {len(absent)} 行缺失（{shown}），按未填报处理", WARNING)
        )
    # object columns, so that blanks stay None and values keep the type they were typed with
    records = pd.DataFrame(rows, columns=RECORD_COLUMNS, dtype="object")
    return Return(known.code, known.name, quarter, records), problems
