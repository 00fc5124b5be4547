"""The office's own files in a quarter's raw folder, beside the county returns: 督导评分.xlsx (its
inspection ratings of task completion and negative-list findings, per county), 参照数据.xlsx (the bars
counties are judged against: upper-level planning targets, comparison averages, regional health plans,
one value for all or one per county) and 省级测评排名.xlsx/.csv (文山市's rank among the province's
nominees). None is a county return: a county never supplies the bar it is judged against."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from adapters.spreadsheets import UnreadableFile, read_workbook
from core.problems import WARNING, Problem
from core.zh import quarter_label
from expectations.catalog import Catalog
from expectations.template_rows import due_inputs, status_tasks
from transforms.assess import OfficeInputs
from transforms.normalise import check_range, parse_choice, parse_number

INSPECTION = "督导评分"
REFERENCES = "参照数据"
PROVINCE_RANK = "省级测评排名"
OFFICE_FILES = (INSPECTION, REFERENCES, PROVINCE_RANK)
COL_ITEM, COL_NAME = "编号", "任务或事项"
COL_FIGURE, COL_UNIT, COL_ALL = "参照数据", "单位", "全州统一"
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
    statuses = DataValidation(
        type="list", formula1='"' + ",".join(s.name for s in catalog.completion_statuses) + '"', allow_blank=True
    )
    ws.add_data_validation(statuses)
    rows = [(t, _status_label(catalog, t), True) for t in status_tasks(catalog, quarter)]
    rows += [(n.id, f"负面清单：{n.name}（次）", False) for n in catalog.negative_list if n.inspection]
    for r, (item, name, is_task) in enumerate(rows, start=4):
        ws.cell(row=r, column=1, value=item).data_type = "s"
        ws.cell(row=r, column=2, value=name).data_type = "s"
        for col in range(3, len(header) + 1):
            ws.cell(row=r, column=col).fill = _FILL
            if is_task:
                statuses.add(ws.cell(row=r, column=col))
    ws.column_dimensions["B"].width = 44
    for col in range(3, len(header) + 1):  # one column per county, however many there are
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 10
        ws[f"{letter}3"].alignment = Alignment(horizontal="center")
    return wb


def _status_label(catalog: Catalog, task_id: str) -> str:
    title = catalog.task_by_id[task_id].title
    return f"{title}（定量指标以外的其余工作）" if catalog.indicators_of(task_id) else title


def build_references_template(
    catalog: Catalog, quarter: str, values: dict[str, dict[str, float]] | None = None
) -> Workbook:
    """Rows: the bars the office supplies this quarter (due_inputs from the office); columns: one value
    for every county (全州统一), then one per county where they differ (a county's cell wins).
    values: item id → (county name or 全州统一 → value), to fill in (the sample data does)."""
    wb = Workbook()
    ws = wb.active
    ws.title = REFERENCES
    ws["A1"] = f"{quarter_label(quarter)}（{quarter}）参照数据表"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (
        "由州文明办填写：上级下达的规划指标、同类城市平均水平、区域卫生规划要求等，用于判定相关指标。"
        "各县（市）相同的填“全州统一”列，不同的填各县（市）列（优先于全州统一）。"
    )
    header = [COL_ITEM, COL_FIGURE, COL_UNIT, COL_ALL, *[c.name for c in catalog.counties]]
    for col, name in enumerate(header, start=1):
        ws.cell(row=3, column=col, value=name).font = Font(bold=True)
    for r, inp in enumerate(due_inputs(catalog, quarter, "office"), start=4):
        ws.cell(row=r, column=1, value=inp.id).data_type = "s"
        ws.cell(row=r, column=2, value=inp.name).data_type = "s"
        ws.cell(row=r, column=3, value=inp.unit).data_type = "s"
        for col, name in enumerate(header[3:], start=4):
            cell = ws.cell(row=r, column=col)
            cell.fill = _FILL
            given = (values or {}).get(inp.id, {}).get(name)
            if given is not None:
                cell.value = given
    ws.column_dimensions["B"].width = 48
    for col in range(4, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    return wb


def read_references(path: Path, catalog: Catalog, quarter: str) -> tuple[pd.DataFrame, list[Problem]]:
    """(references: county_code, item_id, value, file, cell; problems). A county's own cell wins over
    the 全州统一 column; a row that is not one of the quarter's office figures is reported."""
    empty = pd.DataFrame(columns=["county_code", "item_id", "value", "file", "cell"])
    try:
        grids, _ = read_workbook(path)
    except UnreadableFile as exc:
        return empty, [Problem(path.name, "", "", str(exc))]
    found = next(
        (
            (s, r, row)
            for s, g in grids.items()
            for r, row in enumerate(g[:20])
            if COL_ITEM in [str(v).strip() for v in row]
        ),
        None,
    )
    if found is None:
        return empty, [
            Problem(path.name, "", "", f"找不到表头“{COL_ITEM}”，请使用 chuangwen template 生成的参照数据表")
        ]
    sheet, header_row, header = found
    names = [str(v).strip() for v in header]
    item_col = names.index(COL_ITEM)
    all_col = names.index(COL_ALL) if COL_ALL in names else None
    columns = {catalog.county_by_name[n].code: c for c, n in enumerate(names) if n in catalog.county_by_name}
    wanted = {i.id: i for i in due_inputs(catalog, quarter, "office")}
    rows, problems = [], []
    for r, row in enumerate(grids[sheet][header_row + 1 :], start=header_row + 1):
        item = str(row[item_col]).strip() if item_col < len(row) else ""
        if not item:
            continue
        if item not in wanted:
            known = "、".join(wanted) or "无"
            problems.append(
                Problem(
                    path.name,
                    sheet,
                    f"{get_column_letter(item_col + 1)}{r + 1}",
                    f"“{item}”不是本季度需要的参照数据（应为：{known}），该行未读取",
                    item_id=item,
                )
            )
            continue
        inp = wanted[item]
        where = (path.name, sheet, r)
        shared = _reference_cell(row, all_col, inp, where, catalog, problems)
        for county in catalog.counties:
            own = _reference_cell(row, columns.get(county.code), inp, where, catalog, problems)
            if (value := own or shared) is not None:
                rows.append((county.code, item, value[0], path.name, value[1]))
    return pd.DataFrame(rows, columns=empty.columns), problems


def _reference_cell(
    row: list, col: int | None, inp, where: tuple[str, str, int], catalog: Catalog, problems: list[Problem]
) -> tuple[float, str] | None:
    """(value, cell) of one cell of the references sheet, None when blank; a bad value becomes a problem."""
    if col is None or col >= len(row) or row[col] in ("", None):
        return None
    file, sheet, r = where
    cell = f"{get_column_letter(col + 1)}{r + 1}"
    number = parse_number(row[col], inp.unit)
    assert not isinstance(number.value, str)  # parse_number gives a float or None, never text
    why = number.error or (check_range(number.value, inp.unit, catalog) if number.value is not None else None)
    if why or number.value is None:
        problems.append(
            Problem(file, sheet, cell, why or "不是数值", item_id=inp.id, item_name=inp.name, raw=str(row[col]))
        )
        return None
    return number.value, cell


def read_inspection(path: Path, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """(ratings: county_code, task_id, status, file, cell; counts: county_code, item_id, count; problems)."""
    ratings, counts, problems = [], [], []
    try:
        grids, _ = read_workbook(path)
    except UnreadableFile as exc:
        return _empty_ratings(), _empty_counts(), [Problem(path.name, "", "", str(exc))]
    found = next(
        (
            (s, r, row)
            for s, g in grids.items()
            for r, row in enumerate(g[:20])
            if COL_ITEM in [str(v).strip() for v in row]
        ),
        None,
    )
    if found is None:
        return _empty_ratings(), _empty_counts(), [Problem(path.name, "", "", f"找不到表头“{COL_ITEM}”")]
    sheet, header_row, header = found
    names = [str(v).strip() for v in header]
    item_col = names.index(COL_ITEM)
    columns = {catalog.county_by_name[n].code: c for c, n in enumerate(names) if n in catalog.county_by_name}
    statuses = tuple(s.name for s in catalog.completion_statuses)
    for r, row in enumerate(grids[sheet][header_row + 1 :], start=header_row + 1):
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
                assert not isinstance(parsed.value, str)  # parse_number gives a float or None, never text
                if parsed.error or parsed.value is None or parsed.value < 0 or not float(parsed.value).is_integer():
                    why = parsed.error or f"“{raw}”不是非负整数：负面清单事项应填写查实的次数（0、1、2……）"
                    problems.append(Problem(path.name, sheet, cell, why, item_id=item))
                else:
                    counts.append((code, item, int(parsed.value)))
            else:
                problems.append(
                    Problem(
                        path.name,
                        sheet,
                        f"{get_column_letter(item_col + 1)}{r + 1}",
                        f"未知的编号“{item}”",
                        item_id=item,
                    )
                )
                break
    return (
        pd.DataFrame(ratings, columns=_empty_ratings().columns),
        pd.DataFrame(counts, columns=_empty_counts().columns),
        problems,
    )


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
                for data in grid[r + 1 :]:
                    if len(data) > names.index("县（市）") and str(data[names.index("县（市）")]).strip() == nominee:
                        rank = parse_number(data[names.index("排名")], "")
                        of = parse_number(data[names.index("参评数")], "")
                        if rank.value and of.value:
                            return (int(rank.value), int(of.value)), []
                        return None, [Problem(path.name, sheet, "", f"{nominee}的排名或参评数不是数值")]
                return None, [Problem(path.name, sheet, "", f"表中没有{nominee}")]
    return None, [Problem(path.name, "", "", "找不到表头“县（市）、排名、参评数”")]


def read_office_inputs(folder: Path, catalog: Catalog, quarter: str) -> OfficeInputs:
    """The office's own files in a quarter's folder, each read if present; a missing 参照数据 when bars are
    due this quarter is a warning (the rules judged against them are then undecidable)."""
    ratings, counts, problems = pd.DataFrame(), pd.DataFrame(), []
    if path := find_office_file(folder, INSPECTION):
        ratings, counts, found = read_inspection(path, catalog)
        problems += found
    references = pd.DataFrame()
    needed = due_inputs(catalog, quarter, "office")
    if path := find_office_file(folder, REFERENCES):
        references, found = read_references(path, catalog, quarter)
        problems += found
    elif needed:
        names = "、".join(i.name for i in needed)
        problems.append(
            Problem(
                f"{REFERENCES}.xlsx",
                "",
                "",
                f"本季度没有州文明办的参照数据表，依据{names}判定的指标"
                "无法判定；请用 chuangwen template 生成参照数据表，填写后放入本季度文件夹",
                WARNING,
            )
        )
    rank = None
    if path := find_office_file(folder, PROVINCE_RANK):
        rank, found = read_province_rank(path, catalog)
        problems += found
    return OfficeInputs(
        ratings if len(ratings) else None,
        counts if len(counts) else None,
        rank,
        tuple(problems),
        references if len(references) else None,
    )
