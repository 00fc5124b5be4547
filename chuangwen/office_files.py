"""The office's own optional files in a quarter's raw folder, beside the county returns:
督导评分.xlsx (its inspection ratings of task completion and negative-list findings, per county) and
省级测评排名.xlsx/.csv (文山市's rank among the province's nominees). Neither is a county return."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from chuangwen.readers import UnreadableFile, read_workbook
from chuangwen.zh import quarter_label
from expectations.catalog import Catalog
from expectations.template_rows import status_tasks
from transforms.ingest import Problem
from transforms.normalise import parse_choice, parse_number

INSPECTION = "督导评分"
PROVINCE_RANK = "省级测评排名"
OFFICE_FILES = (INSPECTION, PROVINCE_RANK)
COL_ITEM, COL_NAME = "编号", "任务或事项"
_FILL = PatternFill("solid", fgColor="FFF7D6")


def find_office_file(folder: Path, stem: str) -> Path | None:
    for suffix in (".xlsx", ".xls", ".csv"):
        if (path := Path(folder) / f"{stem}{suffix}").is_file():
            return path
    return None


def build_inspection_template(catalog: Catalog, quarter: str) -> Workbook:
    """Rows: the quarter's tasks scored by completion status, then the negative-list items the office
    finds on inspection; a column per county. Statuses from a drop-down, findings as counts."""
    wb = Workbook()
    ws = wb.active
    ws.title = INSPECTION
    ws["A1"] = f"{quarter_label(quarter)}（{quarter}）督导评分表"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "督导评分填写后优先于各县（市）自评的完成情况；负面清单事项填写查实的次数。留空表示采用县（市）自评。"
    header = [COL_ITEM, COL_NAME, *[c.name for c in catalog.counties]]
    for col, name in enumerate(header, start=1):
        ws.cell(row=3, column=col, value=name).font = Font(bold=True)
    statuses = DataValidation(type="list", formula1='"' + ",".join(s.name for s in catalog.completion_statuses) + '"',
                              allow_blank=True)
    ws.add_data_validation(statuses)
    rows = [(t, catalog.task_by_id[t].title, True) for t in status_tasks(catalog, quarter)]
    rows += [(n.id, f"负面清单：{n.name}（次）", False) for n in catalog.negative_list if n.inspection]
    for r, (item, name, is_task) in enumerate(rows, start=4):
        ws.cell(row=r, column=1, value=item).data_type = "s"
        ws.cell(row=r, column=2, value=name).data_type = "s"
        for col in range(3, len(header) + 1):
            ws.cell(row=r, column=col).fill = _FILL
            if is_task:
                statuses.add(ws.cell(row=r, column=col))
    ws.column_dimensions["B"].width = 44
    for col in "CDEFGHIJ":
        ws.column_dimensions[col].width = 10
        ws[f"{col}3"].alignment = Alignment(horizontal="center")
    return wb


def read_inspection(path: Path, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """(ratings: county_code, task_id, status, file, cell; counts: county_code, item_id, count; problems)."""
    ratings, counts, problems = [], [], []
    try:
        grids, _ = read_workbook(path)
    except UnreadableFile as exc:
        return _empty_ratings(), _empty_counts(), [Problem(path.name, "", "", str(exc))]
    found = next(((s, r, row) for s, g in grids.items() for r, row in enumerate(g[:20])
                  if COL_ITEM in [str(v).strip() for v in row]), None)
    if found is None:
        return _empty_ratings(), _empty_counts(), [Problem(path.name, "", "", f"找不到表头“{COL_ITEM}”")]
    sheet, header_row, header = found
    names = [str(v).strip() for v in header]
    item_col = names.index(COL_ITEM)
    columns = {catalog.county_by_name[n].code: c for c, n in enumerate(names) if n in catalog.county_by_name}
    statuses = tuple(s.name for s in catalog.completion_statuses)
    for r, row in enumerate(grids[sheet][header_row + 1:], start=header_row + 1):
        item = str(row[item_col]).strip() if item_col < len(row) else ""
        if not item:
            continue
        for code, c in columns.items():
            raw = row[c] if c < len(row) else ""
            if raw in ("", None):
                continue
            cell = f"{get_column_letter(c + 1)}{r + 1}"
            if item in catalog.task_by_id:
                parsed = parse_choice(raw, statuses)
                if parsed.error:
                    problems.append(Problem(path.name, sheet, cell, parsed.error, item_id=item))
                else:
                    ratings.append((code, item, parsed.value, path.name, cell))
            elif any(n.id == item for n in catalog.negative_list):
                parsed = parse_number(raw, "次")
                if parsed.error or parsed.value is None or parsed.value < 0:
                    problems.append(Problem(path.name, sheet, cell, parsed.error or "次数应为非负整数", item_id=item))
                else:
                    counts.append((code, item, int(parsed.value)))
            else:
                problems.append(Problem(path.name, sheet, f"{get_column_letter(item_col + 1)}{r + 1}",
                                        f"未知的编号“{item}”", item_id=item))
                break
    return (pd.DataFrame(ratings, columns=_empty_ratings().columns),
            pd.DataFrame(counts, columns=_empty_counts().columns), problems)


def _empty_ratings() -> pd.DataFrame:
    return pd.DataFrame(columns=["county_code", "task_id", "status", "file", "cell"])


def _empty_counts() -> pd.DataFrame:
    return pd.DataFrame(columns=["county_code", "item_id", "count"])


def read_province_rank(path: Path, catalog: Catalog) -> tuple[tuple[int, int] | None, list[Problem]]:
    """文山市's (rank, of) from a sheet with the headers 县（市）, 排名 and 参评数."""
    try:
        grids, _ = read_workbook(path)
    except UnreadableFile as exc:
        return None, [Problem(path.name, "", "", str(exc))]
    nominee = next(c.name for c in catalog.counties if c.goal == "national_nominee")
    for sheet, grid in grids.items():
        for r, row in enumerate(grid[:20]):
            names = [str(v).strip() for v in row]
            if {"县（市）", "排名", "参评数"} <= set(names):
                for data in grid[r + 1:]:
                    if len(data) > names.index("县（市）") and str(data[names.index("县（市）")]).strip() == nominee:
                        rank = parse_number(data[names.index("排名")], "")
                        of = parse_number(data[names.index("参评数")], "")
                        if rank.value and of.value:
                            return (int(rank.value), int(of.value)), []
                        return None, [Problem(path.name, sheet, "", f"{nominee}的排名或参评数不是数值")]
                return None, [Problem(path.name, sheet, "", f"表中没有{nominee}")]
    return None, [Problem(path.name, "", "", "找不到表头“县（市）、排名、参评数”")]
