"""extract_return: from cell grids (row 0 = Excel row 1) to long-table records and named problems."""

from __future__ import annotations

import pytest

from core import layout
from core.problems import Problem, SheetDetails
from expectations.catalog import load_catalog
from transforms.ingest import RECORD_COLUMNS, extract_return

HEADER = list(layout.HEADERS)  # 序号 指标编号 … 填报值 完成情况 备注, as the template writes them
FILE = "砚山县.xlsx"
VERSION = load_catalog().version


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _meta(county="砚山县", code="532622", quarter="2022Q4", version=VERSION):
    return [["县（市）", county], ["行政区划代码", code], ["季度", quarter], ["目录版本", version]]


def _row(seq, item_id, value="", status=""):
    """A data row in template column order: A 序号, B 指标编号 … J 填报值, K 完成情况, L 备注."""
    row = [""] * len(HEADER)
    row[0], row[1] = seq, item_id
    row[HEADER.index("填报值")], row[HEADER.index("完成情况")] = value, status
    return row


def _grids(*rows, meta=None):
    """The template: title in row 1, subtitle in row 2, header in row 3, data from row 4."""
    return {
        "填报表": [["2022年文山州文明城市创建任务季度填报表"], ["填报单位：砚山县（532622）"], HEADER, *rows],
        "填报信息": _meta() if meta is None else meta,
    }


def _by_id(ret):
    return ret.records.set_index("item_id")


def _besides_absent_rows(problems):
    """Problems other than the one warning that lists template rows missing from the file."""
    return [p for p in problems if "行缺失" not in p.message]


def test_a_bar_the_office_supplies_is_not_taken_from_the_county(catalog):
    grids = _grids(_row(1.0, "6.4.1a", value=5.0), _row(2.0, "R6.4.1a", value=4.0))  # its own target
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    assert "R6.4.1a" not in set(ret.records["item_id"])
    warned = [p for p in problems if p.item_id == "R6.4.1a"]
    assert len(warned) == 1 and warned[0].severity == "warning" and "州文明办" in warned[0].message
    assert warned[0].cell == "B5"


def test_template_rows_become_records_with_their_cells(catalog):
    grids = _grids(
        _row(1.0, "1.1.1", status="已完成"),  # row 4: a task, answered in J
        _row(2.0, "6.3.2c", value=92.5),  # row 5: a figure, answered in I
        _row(3.0, "8.1.3b", value=""),  # row 6: left blank
        _row(4.0, "X8.1.1a", value="330"),  # row 7: the county's own figure an alternative needs
    )
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    assert _besides_absent_rows(problems) == []
    assert (ret.county_code, ret.county, ret.quarter) == ("532622", "砚山县", "2022Q4")
    assert list(ret.records.columns) == RECORD_COLUMNS
    recs = _by_id(ret)
    assert recs["cell"].to_dict() == {"1.1.1": "K4", "6.3.2c": "J5", "8.1.3b": "J6", "X8.1.1a": "J7"}
    assert recs["kind"].to_dict() == {
        "1.1.1": "task",
        "6.3.2c": "indicator",
        "8.1.3b": "indicator",
        "X8.1.1a": "input",
    }
    assert recs.loc["1.1.1", "raw"] == "已完成"
    assert recs.loc["6.3.2c", "raw"] == 92.5
    assert recs.loc["8.1.3b", "raw"] is None
    assert set(ret.records["sheet"]) == {"填报表"}
    assert set(ret.records["file"]) == {FILE}


def test_header_is_found_by_name_on_a_renamed_sheet_with_moved_columns(catalog):
    # Re-saved by a county: sheet renamed, blank rows above, columns re-ordered, an extra column,
    # blank and empty rows between the data rows.
    sheet = [
        [],
        ["", ""],
        ["砚山县 2022年第四季度"],
        [],
        ["说明", "填报值", "备注", "指标编号", "完成情况"],  # row 5
        ["", "", "", "", ""],
        ["见附件", "", "", "1.1.2", "推进中"],  # row 7
        [],
        ["", 88, "", "6.3.2c", ""],  # row 9
        ["", "x", ""],  # short row without an id
    ]
    grids = {"Sheet1": sheet, "填报信息": _meta()}
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    assert _besides_absent_rows(problems) == []
    recs = _by_id(ret)
    assert recs["cell"].to_dict() == {"1.1.2": "E7", "6.3.2c": "B9"}
    assert recs["raw"].to_dict() == {"1.1.2": "推进中", "6.3.2c": 88}
    assert set(ret.records["sheet"]) == {"Sheet1"}


def test_without_meta_sheet_county_and_quarter_come_from_file_name_and_folder(catalog):
    grids = {"砚山县": [["指标编号", "填报值", "完成情况"], ["6.3.2c", "95", ""]]}  # e.g. a CSV return
    ret, problems = extract_return(grids, "砚山县.csv", catalog, "砚山县", "2022Q4")
    warnings = _besides_absent_rows(problems)
    assert [p.severity for p in warnings] == ["warning", "warning"]
    assert "按文件名认定为砚山县" in warnings[0].message and "按所在文件夹认定为 2022Q4" in warnings[1].message
    assert (ret.county_code, ret.quarter) == ("532622", "2022Q4")
    assert ret.records.loc[0, "cell"] == "B2"


def test_unknown_id_is_reported_at_its_cell_and_the_rest_is_read(catalog):
    grids = _grids(_row(1.0, "9.9.9z", value=1), _row(2.0, "6.3.2c", value=95))
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    problems = _besides_absent_rows(problems)
    assert [(p.sheet, p.cell, p.item_id, p.severity) for p in problems] == [("填报表", "B4", "9.9.9z", "error")]
    assert "9.9.9z" in problems[0].message
    assert ret.records["item_id"].tolist() == ["6.3.2c"]


def test_duplicate_id_is_reported_naming_both_cells(catalog):
    grids = _grids(_row(1.0, "6.3.2c", value=95), _row(2.0, "1.1.1", status="已完成"), _row(3.0, "6.3.2c", value=60))
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    problems = _besides_absent_rows(problems)
    assert [(p.sheet, p.cell, p.item_id) for p in problems] == [("填报表", "B6", "6.3.2c")]
    assert "重复" in problems[0].message and "B4" in problems[0].message
    # the first occurrence is kept, the duplicate is not
    assert ret.records.set_index("item_id").loc["6.3.2c", "raw"] == 95


@pytest.mark.parametrize(
    ("meta", "expected_county", "expected_quarter", "cell", "words"),
    [
        (_meta(county="文山市", code="532601"), "砚山县", "2022Q4", "B1", ("文山市", "砚山县")),
        (_meta(county="昆明市"), None, "2022Q4", "B1", ("昆明市",)),
        (_meta(quarter="2022Q3"), "砚山县", "2022Q4", "B3", ("2022Q3", "2022Q4")),
    ],
    ids=["county-mismatch", "county-unknown", "quarter-mismatch"],
)
def test_identity_disagreement_gives_a_problem_and_no_return(
    catalog, meta, expected_county, expected_quarter, cell, words
):
    grids = _grids(_row(1.0, "6.3.2c", value=95), meta=meta)
    ret, problems = extract_return(grids, FILE, catalog, expected_county, expected_quarter)
    assert ret is None
    assert [(p.file, p.sheet, p.cell) for p in problems] == [(FILE, "填报信息", cell)]
    assert all(w in problems[0].message for w in words)


def test_outdated_catalog_version_is_a_problem_but_the_return_is_read(catalog):
    grids = _grids(_row(1.0, "6.3.2c", value=95), meta=_meta(version="2021.3"))
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    problems = _besides_absent_rows(problems)
    assert [(p.sheet, p.cell, p.severity) for p in problems] == [("填报信息", "B4", "warning")]
    assert "2021.3" in problems[0].message and catalog.version in problems[0].message
    assert ret is not None and ret.records["item_id"].tolist() == ["6.3.2c"]


def test_missing_status_column_is_reported_for_a_task_row(catalog):
    grids = {"填报表": [["指标编号", "填报值"], ["1.1.1", ""], ["1.1.2", ""], ["6.3.2c", 95]], "填报信息": _meta()}
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    problems = _besides_absent_rows(problems)
    assert [(p.sheet, p.cell) for p in problems] == [("填报表", "A1")]  # said once, not per task row
    assert "完成情况" in problems[0].message
    assert ret.records["item_id"].tolist() == ["6.3.2c"]


def test_no_header_anywhere_is_a_problem_naming_the_header(catalog):
    grids = {"Sheet1": [["编号", "数值"], ["6.3.2c", 95]], "填报信息": _meta()}
    ret, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    assert ret is None
    assert len(problems) == 1 and problems[0].file == FILE
    assert "指标编号" in problems[0].message and "填报值" in problems[0].message


@pytest.mark.parametrize("filled", ["已完成", 95.0], ids=["strings-only", "numbers-only"])
def test_blank_cell_is_none_whatever_the_other_values(catalog, filled):
    grids = _grids(_row(1.0, "1.1.1", status=filled, value=filled), _row(2.0, "6.3.2c", value=""))
    ret, _ = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    assert ret.records.set_index("item_id").loc["6.3.2c", "raw"] is None


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem(FILE, "填报表", "I5", "“abc”不是数值", item_id="6.3.2c", item_name="道路照明亮灯率"),
            "［错误］砚山县.xlsx｜填报表!I5｜6.3.2c 道路照明亮灯率：“abc”不是数值",
        ),
        (Problem(FILE, "填报表", "", "缺少数据", "warning"), "［提示］砚山县.xlsx｜填报表：缺少数据"),
        (Problem(FILE, "", "", "找不到表头"), "［错误］砚山县.xlsx：找不到表头"),
    ],
    ids=["file-sheet-cell", "sheet-only", "file-only"],
)
def test_problem_reads_as_file_sheet_and_cell(problem, text):
    assert str(problem) == text


def test_identity_can_come_from_the_title_row(catalog):
    """A re-typed file without the 填报信息 sheet still states its county and quarter in the title."""
    grids = {
        "Sheet1": [
            ["2022年文山州文明城市创建任务季度填报表"],
            ["填报单位：砚山县（532622）　填报季度：2022年第四季度（2022Q4）"],
            ["指标编号", "填报值"],
            ["6.3.2c", 95],
        ]
    }
    ret, problems = extract_return(grids, "砚山县-重新录入.xlsx", catalog, None, "2022Q4")
    assert (ret.county, ret.quarter) == ("砚山县", "2022Q4")
    assert _besides_absent_rows(problems) == []
    wrong = extract_return(grids, "砚山县.xlsx", catalog, None, "2022Q3")
    assert wrong[0] is None and (wrong[1][0].sheet, wrong[1][0].cell) == ("Sheet1", "A2")


def test_excel_errors_formats_and_formulas_reach_the_records(catalog):
    grids = _grids(_row(1.0, "6.3.2c", value=""), _row(2.0, "7.1.1a", value=0.99), _row(3.0, "7.1.2a", value=99))
    details = {"填报表": SheetDetails(formats={(4, 9): "0.0%"}, errors={(3, 9): "#DIV/0!"}, formulas={(5, 9): True})}
    ret, _ = extract_return(grids, FILE, catalog, "砚山县", "2022Q4", details)
    recs = _by_id(ret)
    assert recs.loc["6.3.2c", "raw"] == "#DIV/0!"
    assert recs.loc["7.1.1a", "number_format"] == "0.0%"
    assert recs.loc["7.1.2a", "cell_note"] == "formula"


def test_an_invisible_character_in_an_indicator_id_is_shown(catalog):
    grids = _grids(_row(1.0, "6.3.2\u200bc", value=96.0))
    _, problems = extract_return(grids, FILE, catalog, "砚山县", "2022Q4")
    unknown = [p for p in problems if "未知的指标编号" in p.message]
    assert unknown and "6.3.2<U+200B>c" in unknown[0].message
