"""The county return as an .xlsx file: writing blank templates (openpyxl) and the layout both sides share."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from adapters.files import write_atomic
from core.layout import (
    COL_NOTE,
    COL_STATUS,
    COL_VALUE,
    DATA_SHEET,
    EDITABLE,
    GUIDE_SHEET,
    HEADER_ROW,
    HEADERS,
    META_CODE,
    META_COUNTY,
    META_QUARTER,
    META_SHEET,
    META_VERSION,
    WIDTHS,
)
from core.zh import quarter_label
from expectations.catalog import Catalog, County
from expectations.template_rows import KIND_LABEL, TemplateRow, template_rows

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL_INPUT = PatternFill("solid", fgColor="FFF7D6")


def template_path(out_dir: Path, county: County) -> Path:
    return Path(out_dir) / f"{county.name}.xlsx"


def build_template(catalog: Catalog, county: County, quarter: str, last_year: dict[str, str] | None = None) -> Workbook:
    """A blank return for one county and quarter, with the county, quarter and catalog version recorded
    in the file, drop-down lists for every answer, and everything but the cells to fill locked.

    last_year: item id → the value reported for the same quarter a year earlier, shown for reference.
    """
    rows = template_rows(catalog, quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    title = f"{catalog.year}年{catalog.prefecture}文明城市创建任务季度填报表"
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.cell(
        row=2,
        column=1,
        value=f"填报单位：{county.name}（{county.code}）　填报季度：{quarter_label(quarter)}（{quarter}）"
        f"　目录版本：{catalog.version}",
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    for col, (name, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    _write_rows(ws, rows, last_year or {})
    _protect(ws)
    _write_meta(wb, catalog, county, quarter)
    _write_guide(wb, catalog, quarter)
    return wb


def _protect(ws) -> None:
    """Lock the structure, no password: anyone can read, only the cells to fill can be typed in.
    Column widths and row heights stay adjustable."""
    ws.protection = SheetProtection(
        sheet=True, formatColumns=False, formatRows=False, selectLockedCells=False, selectUnlockedCells=False
    )


def _write_rows(ws, rows: list[TemplateRow], last_year: dict[str, str]) -> None:
    value_col = HEADERS.index(COL_VALUE) + 1
    status_col = HEADERS.index(COL_STATUS) + 1
    editable = {HEADERS.index(name) + 1 for name in EDITABLE}
    lists: dict[tuple[str, ...], DataValidation] = {}
    for n, row in enumerate(rows, start=1):
        r = HEADER_ROW + n
        values = (
            n,
            row.item_id,
            KIND_LABEL[row.kind],
            row.task_id,
            row.name,
            row.unit,
            row.rule,
            row.frequency,
            last_year.get(row.item_id),
            None,
            None,
            None,
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            if value is not None:
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # never let a leading "=" become a formula
            cell.border = _BOX
            cell.alignment = Alignment(vertical="center", wrap_text=col in (5, 7))
        target = status_col if row.kind == "task" else value_col
        ws.cell(row=r, column=target).fill = _FILL_INPUT
        for col in editable:
            # a task row is answered in 完成情况, a figure in 填报值; 备注 is free on every row
            if col in (HEADERS.index(COL_NOTE) + 1, target):
                ws.cell(row=r, column=col).protection = Protection(locked=False)
        if row.choices:
            dv = lists.get(row.choices)
            if dv is None:
                formula = '"' + ",".join(row.choices) + '"'
                dv = DataValidation(
                    type="list",
                    formula1=formula,
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="填报值无效",
                    error="请从下拉列表中选择",
                    showInputMessage=True,
                    promptTitle="请选择",
                    prompt="、".join(row.choices),
                )
                ws.add_data_validation(dv)
                lists[row.choices] = dv
            dv.add(ws.cell(row=r, column=target))


def _write_meta(wb: Workbook, catalog: Catalog, county: County, quarter: str) -> None:
    ws = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate(
        (
            (META_COUNTY, county.name),
            (META_CODE, county.code),
            (META_QUARTER, quarter),
            (META_VERSION, catalog.version),
        ),
        start=1,
    ):
        ws.cell(row=r, column=1, value=key).font = Font(bold=True)
        cell = ws.cell(row=r, column=2, value=value)
        cell.data_type = "s"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 16
    _protect(ws)


def _write_guide(wb: Workbook, catalog: Catalog, quarter: str) -> None:
    """The instructions sheet (填报说明), placed first; the data sheet stays the one that opens."""
    scales = "；".join(f"{'、'.join(words)}" for name, words in catalog.scales.items() if name != "yes_no")
    statuses = "、".join(s.name for s in catalog.completion_statuses)
    lines = [
        f"{catalog.year}年{catalog.prefecture}文明城市创建任务季度填报说明",
        f"依据：{catalog.source}；目录版本 {catalog.version}；本表季度：{quarter_label(quarter)}（{quarter}）。",
        f"一、请在“{DATA_SHEET}”工作表中填报。只有黄色单元格可以填写：指标行填写“{COL_VALUE}”列，"
        f"任务行选择“{COL_STATUS}”列，“备注”列可写说明。其余单元格已锁定，无需密码即可查看。",
        "二、数值只填数字本身。百分比可填 92.5 或 92.5%；不要填写“≥90”“约90”“见附件”等文字，"
        "不要填写公式。没有数据的请留空，并在“备注”中说明原因。",
        f"三、是否类问题请选择“是”或“否”；等级、类别请从下拉列表中选择（{scales}）；任务完成情况请选择：{statuses}。",
        "四、年度指标只在第四季度填报；“上年同期值”为上年同期报送的数据，仅供参考，不必修改。"
        "每项任务每季度都有一行“完成情况”：有定量指标的任务，选择其定量指标以外的其余工作的完成情况。"
        "判定所依据的上级下达的规划指标、同类城市平均水平等由州文明办提供，本表不必填报。",
        f"五、请勿增删行、修改“指标编号”或“{META_SHEET}”工作表中的内容；用 WPS 或 Excel 填写均可，"
        "保存为 .xlsx 格式，文件名保持为“县（市）名.xlsx”。",
        "六、州文明办收到文件后逐项校验，发现的问题会注明工作表、单元格和应填写的内容，请据此更正后重新报送。",
    ]
    ws = wb.create_sheet(GUIDE_SHEET, 0)
    ws.column_dimensions["A"].width = 110
    for r, text in enumerate(lines, start=1):
        cell = ws.cell(row=r, column=1, value=text)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.font = Font(bold=True, size=14)
    _protect(ws)
    wb.active = wb.sheetnames.index(DATA_SHEET)


FIXED_STAMP = dt.datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes, reproducible: fixed document dates and zip entry times, so equal content
    gives byte-identical files (openpyxl stamps the current time into both)."""
    wb.properties.created = FIXED_STAMP
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def save_workbook(wb: Workbook, path: Path) -> None:
    write_atomic(path, workbook_bytes(wb))


def write_templates(
    catalog: Catalog,
    quarter: str,
    out_dir: Path,
    counties: list[County],
    last_year: dict[str, dict[str, str]] | None = None,
) -> list[Path]:
    """Write one blank return per county into out_dir; return the paths written.

    last_year: county name → (item id → last year's value as shown).
    """
    paths = []
    for county in counties:
        path = template_path(out_dir, county)
        save_workbook(build_template(catalog, county, quarter, (last_year or {}).get(county.name)), path)
        paths.append(path)
    return paths
