"""From a county return's cell grids to rows of the long table, with every problem named by its cell."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter

from chuangwen import layout
from expectations.catalog import Catalog

RECORD_COLUMNS = ["quarter", "county_code", "county", "item_id", "kind", "raw", "file", "sheet", "cell"]
_HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class Problem:
    """Something wrong in a county's file, worded for the county's staff."""

    file: str
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{self.file}｜{where}：{self.message}" if where else f"{self.file}：{self.message}"


@dataclass(frozen=True)
class Return:
    """One county's return as read: its identity and its filled rows."""

    county_code: str
    county: str
    quarter: str
    records: pd.DataFrame


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


def _find_header(grids: dict[str, list[list[object]]]) -> tuple[str, int, dict[str, int]] | None:
    for sheet, grid in grids.items():
        for r, row in enumerate(grid[:_HEADER_SCAN_ROWS]):
            names = {_text(v): c for c, v in enumerate(row) if _text(v)}
            if layout.COL_ID in names and layout.COL_VALUE in names:
                return sheet, r, names
    return None


def _read_meta(grids: dict[str, list[list[object]]]) -> dict[str, str]:
    grid = grids.get(layout.META_SHEET, [])
    return {_text(row[0]): _text(row[1]) for row in grid if len(row) >= 2 and _text(row[0])}


def extract_return(
    grids: dict[str, list[list[object]]],
    file_name: str,
    catalog: Catalog,
    expected_county: str | None = None,
    expected_quarter: str | None = None,
) -> tuple[Return | None, list[Problem]]:
    """Locate the data sheet by its headers and read every filled row; nothing is guessed silently.

    The county and quarter come from the file's 填报信息 sheet and must agree with the file name and
    folder the office filed it under (expected_*); a disagreement is a problem, not a silent choice.
    """
    problems: list[Problem] = []
    found = _find_header(grids)
    if found is None:
        msg = f"找不到表头含“{layout.COL_ID}”和“{layout.COL_VALUE}”的工作表，请使用下发的填报模板"
        return None, [Problem(file_name, "", "", msg)]
    sheet, header_row, columns = found
    meta = _read_meta(grids)
    county = meta.get(layout.META_COUNTY) or expected_county or ""
    quarter = meta.get(layout.META_QUARTER) or expected_quarter or ""
    known = catalog.county_by_name.get(county)
    if known is None:
        problems.append(Problem(file_name, layout.META_SHEET, "B1", f"县（市）名称“{county}”不在全州8个县（市）之列"))
        return None, problems
    if expected_county and county != expected_county:
        problems.append(Problem(file_name, layout.META_SHEET, "B1",
                                f"文件内填报单位为“{county}”，与文件名“{expected_county}”不一致"))
        return None, problems
    if expected_quarter and quarter != expected_quarter:
        problems.append(Problem(file_name, layout.META_SHEET, "B3",
                                f"文件内填报季度为“{quarter}”，但放在 {expected_quarter} 文件夹中"))
        return None, problems
    version = meta.get(layout.META_VERSION)
    if version and version != catalog.version:
        problems.append(Problem(file_name, layout.META_SHEET, "B4",
                                f"模板目录版本为 {version}，当前为 {catalog.version}，请下载新模板重新填报"))

    figures = set(catalog.indicator_by_id) | set(catalog.input_by_id)
    tasks = set(catalog.task_by_id)
    id_col, value_col = columns[layout.COL_ID], columns[layout.COL_VALUE]
    status_col = columns.get(layout.COL_STATUS)
    seen: dict[str, str] = {}
    rows = []
    for r, row in enumerate(grids[sheet][header_row + 1 :], start=header_row + 1):
        item = _text(row[id_col]) if id_col < len(row) else ""
        if not item:
            continue
        if item not in figures and item not in tasks:
            problems.append(Problem(file_name, sheet, _cell(r, id_col), f"未知的指标编号“{item}”"))
            continue
        if item in seen:
            problems.append(Problem(file_name, sheet, _cell(r, id_col),
                                    f"指标编号“{item}”重复出现（首次在 {seen[item]}），请只保留一行"))
            continue
        seen[item] = _cell(r, id_col)
        is_task = item in tasks
        col = status_col if is_task else value_col
        if col is None:
            problems.append(Problem(file_name, sheet, _cell(header_row, 0), f"缺少“{layout.COL_STATUS}”列"))
            continue
        raw = row[col] if col < len(row) else None
        rows.append(
            {
                "quarter": quarter,
                "county_code": known.code,
                "county": known.name,
                "item_id": item,
                "kind": "task" if is_task else ("indicator" if item in catalog.indicator_by_id else "input"),
                "raw": raw if raw not in ("", None) else None,
                "file": file_name,
                "sheet": sheet,
                "cell": _cell(r, col),
            }
        )
    raw_values = pd.Series([r.pop("raw") for r in rows], dtype="object")  # keep blanks None, types as typed
    records = pd.DataFrame(rows, columns=[c for c in RECORD_COLUMNS if c != "raw"]).assign(raw=raw_values)
    records = records[RECORD_COLUMNS]
    return Return(known.code, known.name, quarter, records), problems
