"""Reading what counties send into plain cell grids (sheet name → rows from A1). I/O only."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

Grid = list[list[object]]
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
_MAX_UNZIPPED = 200 * 1024 * 1024  # a county return is a few hundred KB; refuse zip bombs


class UnreadableFile(ValueError):
    """The file cannot be opened as a spreadsheet; the message is for the user, in Chinese."""


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_grids(path: Path) -> dict[str, Grid]:
    """Every sheet of a spreadsheet as rows of cell values, row 0 being Excel row 1."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        kind = suffix or "（无扩展名）"
        raise UnreadableFile(f"{path.name}：不支持的文件类型 {kind}，请提交 .xlsx、.xls 或 .csv 文件")
    if suffix == ".csv":
        return {path.stem: _read_csv(path)}
    if suffix in (".xlsx", ".xlsm"):
        _check_zip(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        return {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names
        }
    except Exception as exc:  # calamine raises several error types for damaged files
        raise UnreadableFile(f"{path.name}：无法作为电子表格打开（{exc}），请用 Excel 或 WPS 重新保存后提交") from exc


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"{path.name}：文件已损坏或不是 .xlsx 格式，请用 Excel 或 WPS 重新保存后提交") from exc
    if total > _MAX_UNZIPPED:
        raise UnreadableFile(f"{path.name}：解压后超过 {_MAX_UNZIPPED // 1024 // 1024} MB，不像是填报表，已拒收")


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
    return [list(row) for row in csv.reader(io.StringIO(text))]
