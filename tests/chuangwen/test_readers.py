"""read_grids: every supported file into plain grids, every unreadable one into a Chinese message."""

from __future__ import annotations

import random
import zipfile

import pytest
from openpyxl import Workbook

from chuangwen.readers import UnreadableFile, read_grids

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
