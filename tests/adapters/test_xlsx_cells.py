"""The one-pass XML reader of cell details says exactly what openpyxl says (number formats, error cells,
formulas with and without cached results) on the sample returns and on files made to be awkward."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from adapters import xlsx_cells
from adapters.xlsx_cells import read_details
from core.problems import SheetDetails
from core.runtime import PROJECT_ROOT


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
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="2"><c><v>5</v></c><c t="e"><v>#N/A</v></c><c><f>A1</f></c></row>'
        "</sheetData></worksheet>"
    )
    rewrite_zip(path, lambda files: {**files, "xl/worksheets/sheet1.xml": sheet.encode()})
    mine = _mine(path)["Sheet"]
    assert mine.formulas == {(0, 0): True, (0, 1): True, (1, 2): False}
    assert mine.errors == {(0, 1): "#DIV/0!", (1, 1): "#N/A"}
    assert mine == openpyxl_details(path)["Sheet"]


def _streamed(path: Path) -> dict[str, SheetDetails]:
    """The callback path on every sheet, as the reference for the scanning path."""
    with zipfile.ZipFile(path) as zf:
        formats = xlsx_cells._cell_formats(zf, "xl/styles.xml")
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        return {n: xlsx_cells._streamed_details(zf, n, formats) for n in sheets}


def _scanned(path: Path) -> dict[str, SheetDetails | None]:
    with zipfile.ZipFile(path) as zf:
        formats = xlsx_cells._cell_formats(zf, "xl/styles.xml")
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        return {n: xlsx_cells._scanned_details(zf.read(n), formats) for n in sheets}


def _percent_sheet(tmp_path: Path, rewrite_zip, sheet_xml: str) -> Path:
    """A workbook whose style 1 is 0.0% and whose first sheet is the given XML."""
    wb = Workbook()
    wb.active["A1"] = 0.5
    wb.active["A1"].number_format = "0.0%"
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    rewrite_zip(path, lambda files: {**files, "xl/worksheets/sheet1.xml": sheet_xml.encode()})
    return path


MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_the_scan_and_the_callbacks_agree_on_awkward_and_sample_files(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row in range(1, 60):
        ws.cell(row, 1, f"文本 & <{row}>")
        ws.cell(row, 2, row / 100).number_format = "0.00%" if row % 3 else "General"
        ws.cell(row, 3, f"=B{row}*2" if row % 5 == 0 else row)
        ws.cell(row, 4, "#N/A" if row % 7 == 0 else None)
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    for file in (path, *SAMPLES[::9]):
        scanned = _scanned(file)
        assert all(d is not None for d in scanned.values()), file
        assert scanned == _streamed(file), file
    assert len(_scanned(path)["xl/worksheets/sheet1.xml"].formats) == 40


@pytest.mark.parametrize(
    "sheet",
    [
        f'<x:worksheet xmlns:x="{MAIN[7:-1]}"><x:sheetData><x:row r="1"><x:c r="A1" s="1"><x:v>0.5</x:v></x:c>'
        "</x:row></x:sheetData></x:worksheet>",
        f'<worksheet {MAIN}><!-- <c r="B1" s="1"><v>1</v></c> --><sheetData><row r="1"><c r="A1" s="1">'
        "<v>0.5</v></c></row></sheetData></worksheet>",
        f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" s="1" t="inlineStr"><is><t><![CDATA[<c r="C1">]]>'
        "</t></is></c></row></sheetData></worksheet>",
        f'<worksheet {MAIN}><sheetData><row r="1"><c s="1"><v>0.5</v></c><c s="1"><v>0.7</v></c></row>'
        "</sheetData></worksheet>",
        f'<?xml version="1.0" encoding="UTF-16"?><worksheet {MAIN}><sheetData/></worksheet>',
    ],
    ids=["prefixed", "comment", "cdata", "no-references", "utf-16-declared"],
)
def test_text_the_scan_does_not_cover_goes_through_the_callbacks(tmp_path, rewrite_zip, sheet):
    with zipfile.ZipFile(_percent_sheet(tmp_path, rewrite_zip, "<worksheet/>")) as zf:
        formats = xlsx_cells._cell_formats(zf, "xl/styles.xml")
    assert xlsx_cells._scanned_details(sheet.encode(), formats) is None
    if "UTF-16" in sheet:
        return
    path = _percent_sheet(tmp_path, rewrite_zip, sheet)
    assert _mine(path) == openpyxl_details(path)


def test_quotes_and_markup_inside_values_do_not_fool_the_scan(tmp_path, rewrite_zip):
    sheet = (
        f'<worksheet {MAIN}><sheetData><row r="1">'
        "<c r='A1' s='1' t=\"inlineStr\"><is><t>&lt;/c&gt; t=\"e\" &amp; &#x4E2D;</t></is></c>"
        '<c r="B1"   s = "1" ><v>0.25</v></c><c r="C1" t="e"><v>#REF!</v></c><c r="D1" s="1"/>'
        '<c r="E1"><f>SUM(B1)</f></c></row></sheetData></worksheet>'
    )
    path = _percent_sheet(tmp_path, rewrite_zip, sheet)
    scanned = _scanned(path)["xl/worksheets/sheet1.xml"]
    assert scanned is not None
    assert scanned.formats == {(0, 0): "0.0%", (0, 1): "0.0%"}
    assert scanned.errors == {(0, 2): "#REF!"} and scanned.formulas == {(0, 4): False}
    assert _mine(path)["Sheet"] == openpyxl_details(path)["Sheet"] == scanned
