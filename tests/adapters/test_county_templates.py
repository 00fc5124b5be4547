"""The blank county return: layout, recorded identity, drop-downs, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import types
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.writer import excel as openpyxl_excel

from adapters.county_templates import build_template, workbook_bytes, write_templates
from adapters.spreadsheets import read_grids
from expectations.catalog import load_catalog
from expectations.template_rows import template_rows
from transforms.ingest import extract_return


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def yanshan(catalog):
    return catalog.county_by_name["砚山县"]


@pytest.fixture(scope="module")
def q4_wb(catalog, yanshan):
    return build_template(catalog, yanshan, "2022Q4")


def _header(ws):
    """(row number, {header text: column letter}) of the row holding 指标编号."""
    for row in ws.iter_rows(max_row=10):
        names = {c.value: c.column_letter for c in row if isinstance(c.value, str)}
        if "指标编号" in names:
            return row[0].row, names
    raise AssertionError("no header row with 指标编号")


def _ids(ws):
    header_row, cols = _header(ws)
    return [ws[f"{cols['指标编号']}{r}"].value for r in range(header_row + 1, ws.max_row + 1)]


def test_header_cells_are_exactly_the_names_ingest_looks_for(q4_wb):
    assert q4_wb.sheetnames == ["填报说明", "填报表", "填报信息"]
    assert q4_wb.active.title == "填报表"
    ws = q4_wb["填报表"]
    header_row, cols = _header(ws)
    assert header_row == 3
    assert ws[f"{cols['指标编号']}{header_row}"].value == "指标编号"
    assert ws[f"{cols['填报值']}{header_row}"].value == "填报值"
    assert "完成情况" in cols


def test_meta_sheet_records_county_code_quarter_and_version(catalog, q4_wb):
    meta = {row[0]: row[1] for row in q4_wb["填报信息"].iter_rows(values_only=True)}
    assert meta == {
        "县（市）": "砚山县",
        "行政区划代码": "532622",
        "季度": "2022Q4",
        "目录版本": catalog.version,
    }


def test_one_row_per_template_row_in_order(catalog, q4_wb):
    expected = [r.item_id for r in template_rows(catalog, "2022Q4")]
    assert _ids(q4_wb["填报表"]) == expected
    assert len(expected) == len(set(expected))


def test_choice_rows_have_a_drop_down_on_their_answer_cell(catalog, q4_wb):
    ws = q4_wb["填报表"]
    header_row, cols = _header(ws)
    lists = {dv.formula1: dv for dv in ws.data_validations.dataValidation if dv.type == "list"}
    rows = template_rows(catalog, "2022Q4")
    assert any(r.kind == "task" for r in rows) and any(r.kind != "task" and r.choices for r in rows)
    for n, row in enumerate(rows, start=header_row + 1):
        target = f"{cols['完成情况' if row.kind == 'task' else '填报值']}{n}"
        covering = [f for f, dv in lists.items() if target in dv.sqref]
        if row.choices:
            assert covering == ['"' + ",".join(row.choices) + '"'], (row.item_id, target)
        else:
            assert covering == [], (row.item_id, target)


class _Later(dt.datetime):
    """openpyxl stamps `datetime.now()` into docProps/core.xml at save: pretend the clock moved on."""

    @classmethod
    def now(cls, tz=None):
        return dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=tz)


def test_workbook_bytes_are_identical_for_two_builds(catalog, yanshan, monkeypatch):
    first = workbook_bytes(build_template(catalog, yanshan, "2022Q4"))
    # a second build, saved at another time, with other dates on the workbook
    monkeypatch.setattr(openpyxl_excel, "datetime", types.SimpleNamespace(datetime=_Later, timezone=dt.timezone))
    second = build_template(catalog, yanshan, "2022Q4")
    second.properties.created = dt.datetime(2023, 4, 10, 9, 30)
    second.properties.modified = dt.datetime(2023, 4, 10, 9, 30)
    assert workbook_bytes(second) == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_write_templates_writes_one_named_file_per_county(catalog, tmp_path):
    counties = [catalog.county_by_name["砚山县"], catalog.county_by_name["富宁县"]]
    paths = write_templates(catalog, "2022Q4", tmp_path / "templates", counties)
    assert paths == [tmp_path / "templates" / "砚山县.xlsx", tmp_path / "templates" / "富宁县.xlsx"]
    assert sorted(p.name for p in (tmp_path / "templates").iterdir()) == sorted(p.name for p in paths)
    for county, path in zip(counties, paths, strict=True):
        meta = load_workbook(path, read_only=True)["填报信息"]
        assert [c.value for c in next(meta.iter_rows(max_row=1))] == ["县（市）", county.name]


def test_written_template_ingests_as_an_empty_return_of_its_county(catalog, tmp_path):
    [path] = write_templates(catalog, "2022Q4", tmp_path, [catalog.county_by_name["砚山县"]])
    ret, problems = extract_return(read_grids(path), path.name, catalog, "砚山县", "2022Q4")
    assert problems == []
    assert (ret.county_code, ret.quarter) == ("532622", "2022Q4")
    assert ret.records["item_id"].tolist() == [r.item_id for r in template_rows(catalog, "2022Q4")]
    assert ret.records["raw"].isna().all()


@pytest.mark.parametrize(("quarter", "has_annual"), [("2022Q3", False), ("2022Q4", True)])
def test_annual_indicators_only_in_the_fourth_quarter(catalog, yanshan, quarter, has_annual):
    ids = set(_ids(build_template(catalog, yanshan, quarter)["填报表"]))
    annual = {i.id for i in catalog.indicators if i.frequency == "annual"}
    assert ("6.1.1a" in ids) is has_annual
    assert (annual <= ids) if has_annual else not (annual & ids)
    assert {i.id for i in catalog.indicators if i.frequency == "quarterly"} <= ids


def test_only_the_cells_to_fill_are_unlocked(q4_wb):
    ws = q4_wb["填报表"]
    assert ws.protection.sheet and not ws.protection.password
    header = [c.value for c in ws[3]]
    value_col, status_col, note_col = (header.index(n) + 1 for n in ("填报值", "完成情况", "备注"))
    for r in range(4, ws.max_row + 1):
        is_task = ws.cell(row=r, column=3).value == "任务完成情况"
        unlocked = {c for c in range(1, len(header) + 1) if not ws.cell(row=r, column=c).protection.locked}
        assert unlocked == {status_col if is_task else value_col, note_col}, r
    assert q4_wb["填报信息"].protection.sheet and q4_wb["填报说明"].protection.sheet


def test_instructions_sheet_explains_in_chinese(q4_wb):
    text = "\n".join(str(c.value) for c in q4_wb["填报说明"]["A"] if c.value)
    assert "填报值" in text and "完成情况" in text and "≥90" in text and "2022.2" in text


def test_last_years_value_is_shown_beside_the_figure():
    from expectations.catalog import load_catalog

    catalog = load_catalog()
    wb = build_template(catalog, catalog.county_by_name["砚山县"], "2022Q4", {"6.3.2c": "93.5"})
    ws = wb["填报表"]
    header = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "6.3.2c")
    assert row[header.index("上年同期值")].value == "93.5"
    assert row[header.index("填报值")].value is None
