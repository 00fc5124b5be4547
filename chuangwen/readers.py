"""Reading what counties send into cell grids (sheet name → rows from A1) plus what the grid cannot say
(number formats, Excel errors, formulas). I/O only; no file is ever modified or executed.

python-calamine reads every sheet fast (also .xls); for .xlsx/.xlsm, chuangwen/xlsx_cells.py then reads
the formats, error cells and formulas calamine drops. Macros are never run: nothing here executes
anything, only data is read. Files that are not returns are refused by size, zip ratio, part size,
sheets, rows and cells before their cells become Python objects.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from transforms.ingest import SheetDetails

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


def file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


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
    deadline = time.monotonic() + READ_SECONDS
    if suffix == ".csv":
        return {path.stem: _read_csv(path)}, {}
    if suffix in (".xlsx", ".xlsm"):
        _check_zip(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
    except Exception as exc:  # calamine raises several error types for damaged files
        raise UnreadableFile(f"{path.name}：无法作为电子表格打开（{exc}），请用 Excel 或 WPS 重新保存后提交") from exc
    if len(names) > MAX_SHEETS:
        raise UnreadableFile(f"{path.name}：含 {len(names)} 个工作表，超过 {MAX_SHEETS} 个上限，不像是填报表，已拒收")
    grids = {}
    cells = 0
    for name in names:
        try:
            sheet = wb.get_sheet_by_name(name)
        except Exception as exc:
            raise UnreadableFile(f"{path.name}：工作表“{name}”无法读取（{exc}），"
                                 "请用 Excel 或 WPS 重新保存后提交") from exc
        cells += sheet.height * sheet.width
        if sheet.height > MAX_ROWS or cells > MAX_CELLS:
            raise UnreadableFile(f"{path.name}：工作表“{name}”有 {sheet.height} 行 × {sheet.width} 列，"
                                 f"超过每表 {MAX_ROWS} 行、每个文件 {MAX_CELLS} 个单元格的上限，不像是填报表，已拒收")
        _in_time(path, deadline)
        grids[name] = sheet.to_python(skip_empty_area=False)
    details = _xlsx_details(path) if suffix in (".xlsx", ".xlsm") else {}
    _in_time(path, deadline)
    return grids, details


def _in_time(path: Path, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise UnreadableFile(f"{path.name}：读取超过 {READ_SECONDS:.0f} 秒仍未完成，已停止；"
                             "请检查文件是否为下发的填报模板")


def read_grids(path: Path) -> dict[str, Grid]:
    """Only the value grids (see read_workbook)."""
    return read_workbook(path)[0]


def _xlsx_details(path: Path) -> dict[str, SheetDetails]:
    """Number formats, error cells and formulas (chuangwen/xlsx_cells.py; DTDs and entities refused)."""
    from chuangwen.xlsx_cells import read_details

    try:
        with zipfile.ZipFile(path) as zf:
            return read_details(zf)
    except Exception as exc:  # damaged XML, a refused DTD, a missing part
        raise UnreadableFile(f"{path.name}：无法读取单元格格式（{type(exc).__name__}），"
                             "请用 Excel 或 WPS 重新保存后提交") from exc


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"{path.name}：文件已损坏或不是 .xlsx 格式，请用 Excel 或 WPS 重新保存后提交") from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        raise UnreadableFile(f"{path.name}：解压后 {total / 1024 / 1024:.0f} MB（压缩比 {total / packed:.0f}），"
                             "不像是填报表，已拒收")
    largest = max(infos, key=lambda i: i.file_size, default=None)
    if largest is not None and largest.file_size > MAX_PART_BYTES:
        raise UnreadableFile(f"{path.name}：其中 {largest.filename} 解压后 {largest.file_size / 1024 / 1024:.0f} MB，"
                             f"超过 {MAX_PART_BYTES // 1024 // 1024} MB 上限（行数过多），不像是填报表，已拒收")


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
    rows = []
    for row in csv.reader(io.StringIO(text)):
        rows.append(list(row))
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(f"{path.name}：超过 {MAX_ROWS} 行，不像是填报表，已拒收")
    return rows
