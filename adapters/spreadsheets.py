"""Reading what counties send into cell grids (sheet name → rows from A1) plus what the grid cannot say
(number formats, Excel errors, formulas). I/O only; no file is ever modified or executed.

python-calamine reads every sheet fast (also .xls); for .xlsx/.xlsm, adapters/xlsx_cells.py then reads
the formats, error cells and formulas calamine drops. Macros are never run: nothing here executes
anything, only data is read. Files that are not returns are refused by size, zip ratio, part size,
sheets, rows and cells before their cells become Python objects.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import cast

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from core.problems import SheetDetails

Grid = list[list[object]]
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a county return is tens of KB; anything this big is not one
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100  # uncompressed / compressed: ordinary xlsx stay below 20
# A return has three sheets of ~150 rows. These bound the time and memory one file can cost before its
# cells become Python objects (~100 bytes each): at most MAX_CELLS of them, i.e. tens of MB.
MAX_PART_BYTES = 20 * 1024 * 1024  # one unpacked part (a sheet's XML): a return's data sheet is ~100 KB
MAX_SHEETS = 32
MAX_ROWS = 20_000
MAX_CELLS = 500_000
READ_SECONDS = 30.0  # checked between the steps of reading one file


class UnreadableFile(ValueError):
    """The file cannot be opened as a spreadsheet; the message is for the user, in Chinese."""


def read_workbook(path: Path) -> tuple[dict[str, Grid], dict[str, SheetDetails]]:
    """Every sheet as rows of cell values (row 0 = Excel row 1), and per sheet the cell details."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        kind = suffix or "（无扩展名）"
        raise UnreadableFile(f"{path.name}：不支持的文件类型 {kind}，请提交 .xlsx、.xls 或 .csv 文件")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1024 // 1024
        raise UnreadableFile(f"{path.name}：文件大小 {size / 1024 / 1024:.1f} MB，超过 {limit} MB 上限，已拒收")
    if size == 0:
        raise UnreadableFile(f"{path.name}：文件是空的（0 字节），可能保存或上传时出错，请重新保存后提交")
    deadline = time.monotonic() + READ_SECONDS
    if suffix != ".csv":
        _check_kind(path, suffix)
    if suffix == ".csv":
        return {path.stem: _read_csv(path)}, {}  # no details: a CSV carries no number formats
    if suffix in (".xlsx", ".xlsm"):
        _check_zip(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
    except Exception as exc:  # calamine raises several error types for damaged files
        raise UnreadableFile(f"{path.name}：无法作为电子表格打开（{exc}），请用 Excel 或 WPS 重新保存后提交") from exc
    if len(names) > MAX_SHEETS:
        raise UnreadableFile(f"{path.name}：含 {len(names)} 个工作表，超过 {MAX_SHEETS} 个上限，不像是填报表，已拒收")
    grids: dict[str, Grid] = {}
    cells = 0
    for name in names:
        try:
            sheet = wb.get_sheet_by_name(name)
        except Exception as exc:
            raise UnreadableFile(
                f"{path.name}：工作表“{name}”无法读取（{exc}），请用 Excel 或 WPS 重新保存后提交"
            ) from exc
        cells += sheet.height * sheet.width
        if sheet.height > MAX_ROWS or cells > MAX_CELLS:
            where = _far_content(sheet, deadline) if sheet.width > FAR_COLUMNS and sheet.height <= MAX_ROWS else ""
            raise UnreadableFile(
                f"{path.name}：工作表“{name}”有 {sheet.height} 行 × {sheet.width} 列，"
                f"超过每表 {MAX_ROWS} 行、每个文件 {MAX_CELLS} 个单元格的上限，不像是填报表，已拒收"
                f"{where}"
            )
        _in_time(path, deadline)
        # calamine's cell types are all objects; the cast only widens the invariant list type
        grids[name] = cast(Grid, sheet.to_python(skip_empty_area=False))
    details = _xlsx_details(path) if suffix in (".xlsx", ".xlsm") else _xls_details(path)
    hidden = {m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    details = {name: replace(details.get(name, SheetDetails()), hidden=name in hidden) for name in names}
    _in_time(path, deadline)
    return grids, details


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_kind(path: Path, suffix: str) -> None:
    """What the file really is, by its first bytes, said in Chinese when it is not what its name says:
    a web page or XML saved as .xls (common for exports from websites), an .xls named .xlsx or a workbook
    with an opening password (both OLE containers), an .xlsx named .xls."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(ZIP_MAGIC):
        if suffix == ".xls":
            raise UnreadableFile(f"{path.name}：文件实际是 .xlsx 格式，扩展名却是 .xls；请把扩展名改为 .xlsx 后提交")
        return
    if head.startswith(OLE_MAGIC):
        if suffix in (".xlsx", ".xlsm"):
            raise UnreadableFile(
                f"{path.name}：文件实际是 .xls 格式，或设有打开密码；请取消密码，用 Excel 或 WPS 另存为 .xlsx 后提交"
            )
        return
    if text.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head", b"<body")):
        raise UnreadableFile(
            f"{path.name}：文件实际是网页（HTML）或 XML 格式，不是 Excel 工作簿（常见于从网站导出的"
            "表格）；请用 Excel 或 WPS 打开后另存为 .xlsx 再提交"
        )
    if suffix == ".xls" and not head.startswith(OLE_MAGIC):
        raise UnreadableFile(
            f"{path.name}：不是 Excel 97–2003（.xls）格式的文件，可能已损坏或只是改了扩展名；"
            "请用 Excel 或 WPS 重新保存为 .xlsx 后提交"
        )


FAR_COLUMNS = 256  # a return is 12 columns wide; content beyond this is a stray keystroke, worth locating


def _far_content(sheet, deadline: float) -> str:
    """Where the content that makes a sheet so wide is ("；最右边的内容在 XFD5 单元格…"), found one row at a
    time (never the whole grid in memory), within the read's deadline."""
    from openpyxl.utils import get_column_letter

    last = sheet.start[1] + sheet.width - 1
    for r, row in enumerate(sheet.iter_rows()):
        if time.monotonic() > deadline:
            break
        if row and row[-1] not in ("", None):
            cell = f"{get_column_letter(last + 1)}{sheet.start[0] + r + 1}"
            return f"；使它这么宽的是 {cell} 单元格中的内容，请删除后重新保存"
    return f"；最右边的内容在第 {get_column_letter(last + 1)} 列，请删除后重新保存"


def _in_time(path: Path, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise UnreadableFile(
            f"{path.name}：读取超过 {READ_SECONDS:.0f} 秒仍未完成，已停止；请检查文件是否为下发的填报模板"
        )


def read_grids(path: Path) -> dict[str, Grid]:
    """Only the value grids (see read_workbook)."""
    return read_workbook(path)[0]


def _xlsx_details(path: Path) -> dict[str, SheetDetails]:
    """Number formats, error cells and formulas (adapters/xlsx_cells.py; DTDs and entities refused)."""
    from adapters.xlsx_cells import read_details

    try:
        with zipfile.ZipFile(path) as zf:
            return read_details(zf)
    except Exception as exc:  # damaged XML, a refused DTD, a missing part
        raise UnreadableFile(
            f"{path.name}：无法读取单元格格式（{type(exc).__name__}），请用 Excel 或 WPS 重新保存后提交"
        ) from exc


def _xls_details(path: Path) -> dict[str, SheetDetails]:
    """Number formats and error cells of an .xls (adapters/xls_cells.py): a percent cell is known."""
    from adapters.xls_cells import read_xls_details

    try:
        return read_xls_details(path)
    except Exception as exc:  # xlrd raises its own errors and others on damaged records
        raise UnreadableFile(
            f"{path.name}：无法读取单元格格式（{type(exc).__name__}），请用 Excel 或 WPS 重新保存为 .xlsx 后提交"
        ) from exc


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"{path.name}：文件已损坏或不是 .xlsx 格式，请用 Excel 或 WPS 重新保存后提交") from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise UnreadableFile(
            f"{path.name}：解压后 {total / 1024 / 1024:.0f} MB（压缩比 {total / packed:.0f}），不像是填报表，已拒收"
        )
    largest = max(infos, key=lambda i: i.file_size, default=None)
    if largest is not None and largest.file_size > MAX_PART_BYTES:
        raise UnreadableFile(
            f"{path.name}：其中 {largest.filename} 解压后 {largest.file_size / 1024 / 1024:.0f} MB，"
            f"超过 {MAX_PART_BYTES // 1024 // 1024} MB 上限（行数过多），不像是填报表，已拒收"
        )


def _read_csv(path: Path) -> Grid:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(f"{path.name}：无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV")
    if "\x00" in text:
        raise UnreadableFile(f"{path.name}：不是文本格式的 CSV 文件（含二进制内容），请另存为 CSV 后提交")
    rows: Grid = []
    for row in csv.reader(io.StringIO(text)):
        rows.append(list(row))
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(f"{path.name}：超过 {MAX_ROWS} 行，不像是填报表，已拒收")
    return rows
