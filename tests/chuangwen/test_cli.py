"""The command's sub-commands that need no Prefect run: catalog and template."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from chuangwen.cli import app

runner = CliRunner()


def test_catalog_json_has_the_documented_shape():
    result = runner.invoke(app, ["catalog", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"counties", "areas", "tasks", "indicators"} <= set(data)
    assert len(data["tasks"]) == 72 and sum(t["points"] for t in data["tasks"]) == data["total_points"] == 124
    assert set(data["tasks"][0]) >= {"id", "area", "title", "points"}
    ops = {">=", ">", "<=", "<", "==", "grade", "bool", "trend", "relative"}
    for ind in data["indicators"]:
        assert set(ind) >= {"id", "task_id", "name", "unit", "op", "threshold", "alternatives", "floor", "frequency"}
        assert ind["op"] in ops
    strict = {i["id"] for i in data["indicators"] if i["op"] == ">"}
    assert strict == {"10.2.1a", "10.2.1b"}


def test_catalog_text_lists_every_task():
    result = runner.invoke(app, ["catalog"])
    assert result.exit_code == 0
    assert "72 项任务" in result.output and "10.3.1" in result.output


def test_template_writes_one_file_per_county(tmp_path):
    result = runner.invoke(app, ["template", "--quarter", "2022Q4", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(
        f"{n}.xlsx"
        for n in [
            "文山市",
            "砚山县",
            "西畴县",
            "麻栗坡县",
            "马关县",
            "丘北县",
            "广南县",
            "富宁县",
            "督导评分",
            "参照数据",
        ]
    )


def test_template_for_one_county(tmp_path):
    result = runner.invoke(app, ["template", "--quarter", "2022Q3", "--out", str(tmp_path), "--county", "砚山县"])
    assert result.exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["砚山县.xlsx"]


def test_unknown_county_and_bad_quarter_get_chinese_errors(tmp_path):
    bad_county = runner.invoke(app, ["template", "--quarter", "2022Q4", "--out", str(tmp_path), "--county", "昆明市"])
    assert bad_county.exit_code == 2 and "未知的县（市）“昆明市”" in bad_county.output
    bad_quarter = runner.invoke(app, ["template", "--quarter", "2022-4", "--out", str(tmp_path)])
    assert bad_quarter.exit_code == 2 and "2022Q4" in bad_quarter.output
    assert not list(tmp_path.iterdir())


def test_run_without_quarters_says_what_is_missing(tmp_path):
    result = runner.invoke(app, ["run", "--raw", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "没有形如 2022Q4 的季度文件夹" in result.output


def test_method_writes_the_assessment_rules_as_pdf_and_html(tmp_path):
    import subprocess

    result = runner.invoke(app, ["method", "--quarter", "2022Q4", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "method.html").read_text(encoding="utf-8")
    for words in (
        "测评细则",
        "124",
        "替代达标",
        "沿用上年",
        "无法判定",
        "不予排名",
        "连续第二次约谈",
        "0.95",
        "州文明办确定",
        "任务清单",
        "1.3.7a",
    ):
        assert words in html, words
    text = subprocess.run(["pdftotext", str(tmp_path / "method.pdf"), "-"], capture_output=True, text=True).stdout
    assert "测评细则" in text and "负面清单扣分" in text
    refused = runner.invoke(app, ["method", "--quarter", "2023Q1", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "大比武" in refused.output and not (tmp_path / "x").exists()


def test_check_reads_the_offices_references_as_such(tmp_path):
    from adapters.county_templates import save_workbook
    from adapters.office_files import build_references_template
    from expectations.catalog import load_catalog

    path = tmp_path / "2022Q4" / "参照数据.xlsx"
    save_workbook(build_references_template(load_catalog(), "2022Q4", {"R6.1.2p": {"全州统一": "两万六"}}), path)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1 and "州文明办参照数据表 2022Q4" in result.output and "R6.1.2p" in result.output


def test_check_of_a_folder_checks_every_file_in_it(tmp_path):
    import shutil
    from pathlib import Path

    raw = Path(__file__).resolve().parents[2] / "data" / "raw" / "2022Q4"
    folder = tmp_path / "2022Q4"
    folder.mkdir()
    for name in ("砚山县.xlsx", "西畴县.xlsx"):
        shutil.copy(raw / name, folder / name)
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "砚山县.xlsx：砚山县 2022Q4" in result.output and "西畴县.xlsx：西畴县 2022Q4" in result.output
    assert "共检查 2 个文件" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["check", str(empty)]).exit_code == 2
