"""The office's inspection sheet, references and the provincial ranking: templates, reading, effect."""

from __future__ import annotations

import math

import pandas as pd
from openpyxl import load_workbook

from adapters.county_templates import save_workbook
from adapters.office_files import (
    build_inspection_template,
    build_references_template,
    read_inspection,
    read_province_rank,
    read_references,
)
from expectations.catalog import load_catalog
from transforms.score import score_tasks

CAT = load_catalog()


def test_inspection_ratings_override_the_countys_own_status(tmp_path):
    path = tmp_path / "督导评分.xlsx"
    save_workbook(build_inspection_template(CAT, "2022Q3"), path)
    wb = load_workbook(path)
    ws = wb["督导评分"]
    header = [c.value for c in ws[3]]
    rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    ws.cell(row=rows["1.1.1"], column=header.index("砚山县") + 1, value="推进中")
    ws.cell(row=rows["1.1.2"], column=header.index("砚山县") + 1, value="差不多")
    ws.cell(row=rows["N3"], column=header.index("丘北县") + 1, value=2)
    wb.save(path)
    ratings, counts, problems = read_inspection(path, CAT)
    assert ratings[["county_code", "task_id", "status"]].values.tolist() == [["532622", "1.1.1", "推进中"]]
    assert counts.values.tolist() == [["532626", "N3", 2]]
    assert len(problems) == 1 and problems[0].item_id == "1.1.2" and "已完成" in problems[0].message
    values = pd.DataFrame(
        [
            {
                "county_code": "532622",
                "item_id": "1.1.1",
                "kind": "task",
                "status": "已完成",
                "file": "砚山县.xlsx",
                "cell": "K4",
            }
        ]
    )
    empty = pd.DataFrame(columns=["county_code", "task_id", "achievement"])
    tasks = score_tasks(empty, values, CAT, "2022Q3", ["532622"], ratings).set_index("task_id")
    assert tasks.loc["1.1.1", ["status", "status_source", "score"]].tolist() == ["推进中", "督导评分", 0.5]
    assert pd.isna(tasks.loc["1.1.2", "status_source"]) and math.isclose(tasks.loc["1.1.2", "score"], 0.0)


def test_province_rank_file(tmp_path):
    path = tmp_path / "省级测评排名.csv"
    path.write_text("县（市）,排名,参评数\n某市,1,13\n文山市,4,13\n", encoding="utf-8")
    assert read_province_rank(path, CAT) == ((4, 13), [])
    path.write_text("县（市）,排名,参评数\n某市,1,13\n", encoding="utf-8")
    rank, problems = read_province_rank(path, CAT)
    assert rank is None and "文山市" in problems[0].message


def test_the_inspection_sheet_rates_every_tasks_remaining_content_and_counts_whole_findings(tmp_path):
    path = tmp_path / "督导评分.xlsx"
    save_workbook(build_inspection_template(CAT, "2022Q4"), path)
    wb = load_workbook(path)
    ws = wb["督导评分"]
    ids = [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)]
    assert ids[:72] == [t.id for t in CAT.tasks]  # every task, every quarter (1.3.7 beyond e-bike plates)
    assert "其余工作" in ws.cell(row=4 + ids.index("1.3.7"), column=2).value
    header = [c.value for c in ws[3]]
    ws.cell(row=4 + ids.index("N3"), column=header.index("丘北县") + 1, value=1.5)
    wb.save(path)
    _, counts, problems = read_inspection(path, CAT)
    assert counts.empty and len(problems) == 1 and "整数" in problems[0].message


def test_references_one_value_for_all_or_one_per_county(tmp_path):
    path = tmp_path / "参照数据.xlsx"
    values = {
        "R6.1.2p": {"全州统一": 26000.0},
        "R8.2.1a": {"全州统一": 50000.0, "砚山县": 61000.0},
        "R6.4.1a": {"砚山县": "见附件"},
    }
    save_workbook(build_references_template(CAT, "2022Q4", values), path)
    refs, problems = read_references(path, CAT, "2022Q4")
    got = refs.set_index(["county_code", "item_id"])["value"]
    assert got[("532601", "R6.1.2p")] == got[("532622", "R6.1.2p")] == 26000.0
    assert got[("532622", "R8.2.1a")] == 61000.0 and got[("532601", "R8.2.1a")] == 50000.0
    assert ("532622", "R6.4.1a") not in got.index
    assert [(p.item_id, p.cell) for p in problems] == [("R6.4.1a", "F6")] and "不是数值" in problems[0].message
    assert refs.set_index(["county_code", "item_id"]).loc[("532622", "R8.2.1a"), "cell"] == "F9"
    q1, _ = read_references(path, CAT, "2022Q1")  # annual bars are not the first quarter's
    assert q1.empty


def test_a_county_returns_bar_is_not_a_reference_of_the_wrong_quarter(tmp_path):
    path = tmp_path / "参照数据.xlsx"
    save_workbook(build_references_template(CAT, "2022Q4", {"R6.1.2p": {"全州统一": 26000.0}}), path)
    wb = load_workbook(path)
    wb.active.cell(row=20, column=1, value="6.3.2a")
    wb.save(path)
    _, problems = read_references(path, CAT, "2022Q4")
    assert len(problems) == 1 and problems[0].cell == "A20" and "不是本季度需要的参照数据" in problems[0].message
