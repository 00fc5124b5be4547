"""A template from `chuangwen template`, filled in with every kind of mess counties make, comes back
through `chuangwen check --format json` with the intended values and a problem for every bad cell."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from chuangwen.cli import app

runner = CliRunner()

# item id → (what the county typed, number format or None, what it must come back as)
GOOD = {
    "6.3.2c": (0.965, "0.0%", 96.5),  # typed 96.5% into a cell Excel formats as percent
    "7.1.1a": ("９８．５", None, 98.5),  # full-width digits and point
    "7.1.2a": (" 99 ", None, 99.0),  # surrounding spaces
    "9.1.2a": ("92.5%", None, 92.5),
    "1.4.3b": (0.55, None, 55.0),  # bare fraction in a ≥50 % field: read as 55 %, with a warning
    "6.1.1a": ("98,765", None, 98765.0),  # thousands separator
    "6.1.2b": ("27，584", None, 27584.0),  # full-width comma as separator
    "1.3.7a": ("是", None, "是"),
    "1.3.11b": ("Y", None, "是"),
    "1.4.1d": ("有", None, "是"),
    "5.3.1c": ("√", None, "是"),
    "8.1.3b": ("II类", None, "Ⅱ类"),
    "8.1.3c": ("3类", None, "Ⅲ类"),
    "8.1.3a": ("优秀", None, "优秀"),
    "5.3.1a": ("3级", None, "三级"),
    "5.3.1b": ("二级", None, "二级"),
}
STATUSES = {"1.1.1": ("已完成", "已完成"), "1.1.2": (" 推进中 ", "推进中")}
# item id → (what the county typed, a fragment of the error message)
BAD = {
    "10.2.1a": ("见附件", "不是数值"),
    "10.2.1b": ("≥90", "不是具体数值"),
    "3.1.1a": ("#DIV/0!", "Excel 错误值"),
    "4.1.2a": ("=A1/0", "公式"),  # openpyxl writes formulas without a cached result
    "1.4.1b": (-2, "不能为负数"),
    "1.5.2a": (120, "不能超过 100%"),
    "1.3.11a": ("无", "请填写“是”或“否”"),  # 城市无烟草广告：无 — which way?
    "8.1.3d": ("两个", "不是数值"),
    "1.2.1": ("差不多", "已完成、基本完成、推进中、未启动"),
}
BLANK = "5.3.2b"


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("2022Q4")
    result = runner.invoke(
        app,
        ["template", "--quarter", "2022Q4", "--out", str(folder), "--county", "砚山县", "--raw", str(folder / "none")],
    )
    assert result.exit_code == 0, result.output
    path = folder / "砚山县.xlsx"
    wb = load_workbook(path)
    ws = wb["填报表"]
    header = [c.value for c in ws[3]]
    value_col, status_col = header.index("填报值") + 1, header.index("完成情况") + 1
    cells = {}
    for r in range(4, ws.max_row + 1):
        item = ws.cell(row=r, column=2).value
        col = status_col if item in STATUSES or item == "1.2.1" else value_col
        cell = ws.cell(row=r, column=col)
        cells[item] = f"{cell.column_letter}{r}"
        typed = {
            **{k: v[0] for k, v in GOOD.items()},
            **{k: v[0] for k, v in STATUSES.items()},
            **{k: v[0] for k, v in BAD.items()},
        }
        if item in typed:
            cell.value = typed[item]
        if item in GOOD and GOOD[item][1]:
            cell.number_format = GOOD[item][1]
    wb.save(path)
    out = runner.invoke(app, ["check", "--format", "json", str(path)])
    return out, cells


def test_exit_status_says_there_were_errors(messy):
    out, _ = messy
    assert out.exit_code == 1


def test_values_come_back_as_intended(messy):
    out, _ = messy
    [report] = json.loads(out.stdout)
    assert (report["county"], report["quarter"]) == ("砚山县", "2022Q4")
    for item, (_, _, expected) in GOOD.items():
        assert (
            report["values"][item] == pytest.approx(expected)
            if isinstance(expected, float)
            else report["values"][item] == expected
        ), item
    assert {k: report["statuses"][k] for k in STATUSES} == {k: v[1] for k, v in STATUSES.items()}
    for item in BAD:
        assert item not in report["values"] and item not in report["statuses"]
    assert "百分比格式" in report["conversions"]["6.3.2c"] and "全角" in report["conversions"]["7.1.1a"]


def test_every_bad_cell_is_named_with_its_indicator(messy):
    out, cells = messy
    [report] = json.loads(out.stdout)
    errors = {p["indicator_id"]: p for p in report["problems"] if p["severity"] == "error"}
    assert set(errors) == set(BAD)
    for item, (_, fragment) in BAD.items():
        p = errors[item]
        assert (p["sheet"], p["cell"]) == ("填报表", cells[item]), item
        assert fragment in p["message"], (item, p["message"])
        assert p["indicator_name"]


def test_doubts_are_warnings_not_errors(messy):
    out, cells = messy
    [report] = json.loads(out.stdout)
    warnings = {p["indicator_id"]: p for p in report["problems"] if p["severity"] == "warning"}
    assert "按小数理解为 55%" in warnings["1.4.3b"]["message"] and warnings["1.4.3b"]["cell"] == cells["1.4.3b"]
    assert "未填报" in warnings[BLANK]["message"]


def test_text_report_is_chinese_and_names_cells(messy, tmp_path):
    _, cells = messy
    path = next(iter(tmp_path.parent.glob("2022Q4*/砚山县.xlsx")))
    out = runner.invoke(app, ["check", str(path)])
    assert out.exit_code == 1
    assert f"［错误］填报表!{cells['10.2.1a']}｜10.2.1a 创建活动群众参与率：“见附件”不是数值" in out.stdout
    assert "共检查 1 个文件，发现错误 9 项。" in out.stdout
