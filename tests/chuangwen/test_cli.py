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
        for n in ["文山市", "砚山县", "西畴县", "麻栗坡县", "马关县", "丘北县", "广南县", "富宁县",
                  "督导评分", "参照数据"]
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
