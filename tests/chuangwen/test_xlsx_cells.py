"""The one-pass XML reader of cell details says exactly what openpyxl says (number formats, error cells,
formulas with and without cached results) on the sample returns and on files made to be awkward."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from chuangwen import PROJECT_ROOT
from chuangwen.xlsx_cells import read_details
from transforms.ingest import SheetDetails


def openpyxl_details(path: Path) -> dict[str, SheetDetails]:
    """The reference: what the intake read with openpyxl before (two read-only loads)."""
    values = load_workbook(path, read_only=True, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False)
    out = {}
    for ws, wf in zip(values.worksheets, formulas.worksheets, strict=True):
        ws.reset_dimensions()
        wf.reset_dimensions()
        d = SheetDetails()
        cached = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or not hasattr(cell, "row"):
                    continue
                at = (cell.row - 1, cell.column - 1)
                cached[at] = True
                if cell.data_type == "e":
                    d.errors[at] = str(cell.value)
                elif cell.number_format and cell.number_format != "General":
                    d.formats[at] = cell.number_format
        for row in wf.iter_rows():
            for cell in row:
                if cell.data_type == "f" and hasattr(cell, "row"):
                    at = (cell.row - 1, cell.column - 1)
                    d.formulas[at] = cached.get(at, False)
        out[ws.title] = d
    values.close()
    formulas.close()
    return out


def _mine(path: Path) -> dict[str, SheetDetails]:
    with zipfile.ZipFile(path) as zf:
        return read_details(zf)


SAMPLES = sorted((PROJECT_ROOT / "data" / "raw").glob("*/*.xlsx"))


@pytest.mark.parametrize("path", SAMPLES[::7], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_returns_read_alike(path):
    assert _mine(path) == openpyxl_details(path)


def test_awkward_cells_read_alike(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "填报表"
    ws["A1"] = 0.925
    ws["A1"].number_format = "0.0%"
    ws["B2"] = "#DIV/0!"  # openpyxl stores this as an error cell
    ws["C3"] = "=A1*2"  # a formula without a cached result
    ws["D4"] = 1234.5
    ws["D4"].number_format = '#,##0.00" 元"'
    ws["E5"] = "文本"
    ws["E5"].number_format = "@"
    ws["AB100"] = 3
    ws["AB100"].number_format = "0.00"
    other = wb.create_sheet("说明（二）")
    other["A1"] = "=SUM(1,2)"
    other["B1"] = 12
    other["B1"].number_format = "yyyy-mm-dd"
    path = tmp_path / "awkward.xlsx"
    wb.save(path)
    mine = _mine(path)
    assert mine == openpyxl_details(path)
    sheet = mine["填报表"]
    assert sheet.formats[(0, 0)] == "0.0%" and sheet.errors[(1, 1)] == "#DIV/0!"
    assert sheet.formulas[(2, 2)] is False and sheet.formats[(99, 27)] == "0.00"
    assert set(mine) == {"填报表", "说明（二）"}


def test_a_cached_formula_result_and_cells_without_references(tmp_path, rewrite_zip):
    """Rewrite a sheet by hand as some writers do: a formula with its cached value, and <c> elements with
    no r attribute (cells follow one another). Entity declarations are refused: test_readers.py."""
    wb = Workbook()
    wb.active["A1"] = 1
    path = tmp_path / "raw.xlsx"
    wb.save(path)
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
             '<row r="2"><c><v>5</v></c><c t="e"><v>#N/A</v></c><c><f>A1</f></c></row>'
             "</sheetData></worksheet>")
    rewrite_zip(path, lambda files: {**files, "xl/worksheets/sheet1.xml": sheet.encode()})
    mine = _mine(path)["Sheet"]
    assert mine.formulas == {(0, 0): True, (0, 1): True, (1, 2): False}
    assert mine.errors == {(0, 1): "#DIV/0!", (1, 1): "#N/A"}
    assert mine == openpyxl_details(path)["Sheet"]
