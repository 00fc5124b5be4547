"""The office's inspection sheet and the provincial ranking: templates, reading, and their effect."""

from __future__ import annotations

import math

import pandas as pd
from openpyxl import load_workbook

from chuangwen.office_files import build_inspection_template, read_inspection, read_province_rank
from chuangwen.workbook import save_workbook
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
    values = pd.DataFrame([{"county_code": "532622", "item_id": "1.1.1", "kind": "task", "status": "已完成",
                            "file": "砚山县.xlsx", "cell": "K4"}])
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
