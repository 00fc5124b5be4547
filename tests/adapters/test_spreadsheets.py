"""read_grids: every supported file into plain grids, every unreadable one into a Chinese message."""

from __future__ import annotations

import random
import zipfile

import pytest
from openpyxl import Workbook

from adapters.spreadsheets import UnreadableFile, read_grids

CSV_TEXT = "指标编号,填报值,备注\n6.3.2c,92.5,砚山县\n1.1.1,,已完成\n"
CSV_GRID = [["指标编号", "填报值", "备注"], ["6.3.2c", "92.5", "砚山县"], ["1.1.1", "", "已完成"]]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_reads_with_chinese_intact(tmp_path, encoding):
    path = tmp_path / "砚山县.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert read_grids(path) == {"砚山县": CSV_GRID}


def test_xlsx_reads_back_at_the_right_row_and_column(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "填报表"
    ws["B3"] = "指标编号"
    ws["I3"] = "填报值"
    ws["B5"] = "6.3.2c"
    ws["I5"] = 92.5
    wb.create_sheet("填报信息")["B1"] = "砚山县"
    path = tmp_path / "砚山县.xlsx"
    wb.save(path)

    grids = read_grids(path)
    assert list(grids) == ["填报表", "填报信息"]
    data = grids["填报表"]
    assert len(data) == 5  # row 0 is Excel row 1, even though rows 1-2 are empty
    assert (data[2][1], data[2][8]) == ("指标编号", "填报值")
    assert (data[4][1], data[4][8]) == ("6.3.2c", 92.5)
    assert data[0][0] == "" and data[3] == [""] * 9
    assert grids["填报信息"][0][1] == "砚山县"


@pytest.mark.parametrize("name", ["砚山县.txt", "砚山县"])
def test_unsupported_suffix_is_refused_by_name(tmp_path, name):
    path = tmp_path / name
    path.write_text(CSV_TEXT, encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"不支持的文件类型") as info:
        read_grids(path)
    assert str(info.value).startswith(f"{name}：")


def test_corrupt_xlsx_is_unreadable(tmp_path):
    path = tmp_path / "砚山县.xlsx"
    path.write_bytes(random.Random(0).randbytes(4096))
    with pytest.raises(UnreadableFile, match=r"^砚山县\.xlsx：.*损坏"):
        read_grids(path)


def test_zip_that_is_no_workbook_is_unreadable(tmp_path):
    path = tmp_path / "砚山县.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    with pytest.raises(UnreadableFile, match=r"^砚山县\.xlsx：无法作为电子表格打开"):
        read_grids(path)


def _template_copy(tmp_path, name="砚山县.xlsx"):
    from adapters.county_templates import build_template, save_workbook
    from expectations.catalog import load_catalog

    catalog = load_catalog()
    wb = build_template(catalog, catalog.county_by_name["砚山县"], "2022Q4")
    ws = wb["填报表"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "6.3.2c")
    row[9].value = 96.5
    path = tmp_path / name
    save_workbook(wb, path)
    return path


def test_wps_wrong_sheet_dimension_still_shows_every_cell(tmp_path, rewrite_zip):
    from adapters.spreadsheets import read_workbook

    path = _template_copy(tmp_path)

    def shrink(files):
        import re

        sheet = "xl/worksheets/sheet1.xml"
        files[sheet] = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', files[sheet])
        return files

    rewrite_zip(path, shrink)
    grids, details = read_workbook(path)
    data = grids["填报表"]
    assert any(r[1] == "6.3.2c" and r[9] == 96.5 for r in data)
    assert details["填报表"] is not None


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    from adapters.spreadsheets import read_workbook

    path = tmp_path / "砚山县.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>")
    with pytest.raises(UnreadableFile, match="压缩比"):
        read_workbook(path)


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    import adapters.spreadsheets as readers

    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024)
    path = _template_copy(tmp_path)
    with pytest.raises(UnreadableFile, match="超过 0 MB 上限|上限"):
        readers.read_workbook(path)


def test_xml_entity_attack_is_refused(tmp_path, rewrite_zip):
    """Entity declarations (billion laughs) are refused, not expanded: calamine does not expand them and
    the pass that reads the formats parses through defusedxml with DTDs forbidden."""
    from adapters.spreadsheets import _xlsx_details, read_workbook

    path = _template_copy(tmp_path)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )

    def inject(files):
        files["xl/worksheets/sheet3.xml"] = bomb
        return files

    rewrite_zip(path, inject)
    with pytest.raises(UnreadableFile, match="entity"):
        read_workbook(path)
    with pytest.raises(UnreadableFile):
        _xlsx_details(path)


def test_xlsm_is_read_as_data_only(tmp_path):
    from adapters.spreadsheets import read_workbook

    path = _template_copy(tmp_path, "砚山县.xlsm")
    grids, _ = read_workbook(path)
    assert any(r[1] == "6.3.2c" and r[9] == 96.5 for r in grids["填报表"])


def test_xls_is_read(tmp_path):
    import xlwt

    from adapters.spreadsheets import read_workbook

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("填报表")
    for c, name in enumerate(["指标编号", "填报值"]):
        sheet.write(2, c, name)
    sheet.write(3, 0, "6.3.2c")
    sheet.write(3, 1, 96.5)
    sheet.write(4, 0, "8.2.1c")
    sheet.write(4, 1, 0.12, xlwt.easyxf(num_format_str="0%"))  # typed 12% in Excel, WPS or Calc
    path = tmp_path / "砚山县.xls"
    book.save(str(path))
    grids, details = read_workbook(path)
    assert grids["填报表"][3][:2] == ["6.3.2c", 96.5]
    assert details["填报表"].formats == {(4, 1): "0%"} and not details["填报表"].hidden


def test_retyped_gbk_csv_states_its_county_in_the_title(tmp_path):
    from expectations.catalog import load_catalog
    from transforms.ingest import extract_return

    text = (
        "2022年文山州文明城市创建任务季度填报表\n填报单位：砚山县（532622）　填报季度：2022年第四季度（2022Q4）\n"
        "指标编号,填报值\n6.3.2c,９６．５％\n"
    )
    path = tmp_path / "砚山县-重新录入.csv"
    path.write_bytes(text.encode("gb18030"))
    grids = read_grids(path)
    ret, problems = extract_return(grids, path.name, load_catalog(), None, "2022Q4")
    assert (ret.county, ret.quarter) == ("砚山县", "2022Q4")
    assert ret.records.set_index("item_id").loc["6.3.2c", "raw"] == "９６．５％"
