"""The county return as an .xlsx file: writing blank templates (openpyxl) and the layout both sides share."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from chuangwen.layout import (
    COL_STATUS,
    COL_VALUE,
    DATA_SHEET,
    HEADER_ROW,
    HEADERS,
    META_CODE,
    META_COUNTY,
    META_QUARTER,
    META_SHEET,
    META_VERSION,
    WIDTHS,
)
from chuangwen.zh import quarter_label
from expectations.catalog import Catalog, County
from expectations.template_rows import KIND_LABEL, TemplateRow, template_rows

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL_INPUT = PatternFill("solid", fgColor="FFF7D6")


def template_path(out_dir: Path, county: County) -> Path:
    return Path(out_dir) / f"{county.name}.xlsx"


def build_template(catalog: Catalog, county: County, quarter: str) -> Workbook:
    """A blank return for one county and quarter, with the county and quarter recorded in the file."""
    rows = template_rows(catalog, quarter)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    title = f"{catalog.year}年文山州文明城市创建任务季度填报表"
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
    _write_rows(ws, rows, catalog)
    _write_meta(wb, catalog, county, quarter)
    return wb


def _write_rows(ws, rows: list[TemplateRow], catalog: Catalog) -> None:
    value_col = HEADERS.index(COL_VALUE) + 1
    status_col = HEADERS.index(COL_STATUS) + 1
    lists: dict[tuple[str, ...], DataValidation] = {}
    for n, row in enumerate(rows, start=1):
        r = HEADER_ROW + n
        values = (n, row.item_id, KIND_LABEL[row.kind], row.task_id, row.name, row.unit, row.rule,
                  row.frequency, None, None, None)
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
        if row.choices:
            dv = lists.get(row.choices)
            if dv is None:
                formula = '"' + ",".join(row.choices) + '"'
                dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                    errorTitle="填报值无效", error="请从下拉列表中选择")
                ws.add_data_validation(dv)
                lists[row.choices] = dv
            dv.add(ws.cell(row=r, column=target))


def _write_meta(wb: Workbook, catalog: Catalog, county: County, quarter: str) -> None:
    ws = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate(
        ((META_COUNTY, county.name), (META_CODE, county.code), (META_QUARTER, quarter),
         (META_VERSION, catalog.version)),
        start=1,
    ):
        ws.cell(row=r, column=1, value=key).font = Font(bold=True)
        cell = ws.cell(row=r, column=2, value=value)
        cell.data_type = "s"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 16


_FIXED_STAMP = dt.datetime(2000, 1, 1)
_UMASK = os.umask(0)
os.umask(_UMASK)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes, reproducible: fixed document dates and zip entry times, so equal content
    gives byte-identical files (openpyxl stamps the current time into both)."""
    wb.properties.created = _FIXED_STAMP
    buf = io.BytesIO()
    wb.save(buf)
    stamp = _FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
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


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file atomically: a temp file beside the target, then rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for others to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_workbook(wb: Workbook, path: Path) -> None:
    write_atomic(path, workbook_bytes(wb))


def write_templates(catalog: Catalog, quarter: str, out_dir: Path, counties: list[County]) -> list[Path]:
    """Write one blank return per county into out_dir; return the paths written."""
    paths = []
    for county in counties:
        path = template_path(out_dir, county)
        save_workbook(build_template(catalog, county, quarter), path)
        paths.append(path)
    return paths
