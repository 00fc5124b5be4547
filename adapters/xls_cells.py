"""The cell details of a legacy .xls (BIFF8, as Excel, WPS and LibreOffice Calc save "Excel 97–2003"):
number formats and error cells, read from the workbook's XF and FORMAT records with xlrd, so that an .xls
is treated exactly like an .xlsx (a cell typed "12%" is stored as 0.12 with a percent format in both).

python-calamine gives the values; xlrd (formatting_info) is asked only for each cell's XF record, the
format string behind it and error codes. Formulas: BIFF stores the cached result beside the formula and
xlrd does not parse formulas, so a formula cell reads as its cached value, as Excel shows it.
"""

from __future__ import annotations

from pathlib import Path

import xlrd
from xlrd.biffh import error_text_from_code

from core.problems import SheetDetails

GENERAL = {"general", "@", ""}


def read_xls_details(path: Path) -> dict[str, SheetDetails]:
    """Sheet name → its number formats (other than General) and error cells, (row, col) from 0."""
    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=_Silent())
    try:
        out = {}
        formats = {key: fmt.format_str for key, fmt in book.format_map.items()}
        number_format = [formats.get(xf.format_key, "") for xf in book.xf_list]
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            details = SheetDetails()
            for r in range(sheet.nrows):
                for c in range(sheet.row_len(r)):
                    kind = sheet.cell_type(r, c)
                    if kind == xlrd.XL_CELL_EMPTY:
                        continue
                    if kind == xlrd.XL_CELL_ERROR:
                        details.errors[(r, c)] = error_text_from_code.get(sheet.cell_value(r, c), "#VALUE!")
                    fmt = number_format[sheet.cell_xf_index(r, c)]
                    if fmt.strip().lower() not in GENERAL:
                        details.formats[(r, c)] = fmt
            out[sheet.name] = details
            book.unload_sheet(index)
        return out
    finally:
        book.release_resources()


class _Silent:
    """xlrd writes warnings about odd records to a log file; they are not the county's concern."""

    def write(self, text: str) -> int:
        return len(text)
