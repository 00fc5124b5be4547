"""The office's own mistakes stop a run before any work, in Chinese, with what to do, and lose nothing: a
damaged history store (with a rolling copy to restore), a settings file with a typo or a value out of
range, a quarter whose 大比武 names nothing; and a failed run never replaces the last good Data Docs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sample_data import write_sample
from typer.testing import CliRunner

from adapters.history import KEEP_BACKUPS, HistoryDamaged, HistoryStore
from chuangwen.cli import app
from expectations.catalog import load_catalog
from expectations.settings import CONFIG_PATH, ConfigError, load_config

runner = CliRunner()
CAT = load_catalog()
GROUP = "州文明办自己的失误"


def _ranking() -> dict[str, pd.DataFrame]:
    return {"ranking": pd.DataFrame({"county_code": ["532601"], "total": [90.0]})}


@pytest.mark.parametrize("damage", ["truncate", "empty"])
def test_a_damaged_store_stops_the_command_in_chinese_and_is_left_as_it_is(tmp_path, damage, reliability):
    reliability(
        GROUP,
        "历史库被截断" if damage == "truncate" else "历史库变成 0 字节的空文件",
        "history.duckdb 写过两个季度后损坏，再运行 chuangwen run",
        "开始处理前停止，中文说明用哪份副本恢复",
        "退出码 2；无程序堆栈和英文数据库报错；历史库原样；按提示恢复后可用",
    )
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "2022Q4").mkdir(parents=True)
    store = HistoryStore(out / "history.duckdb")
    for q in ("2022Q1", "2022Q2"):
        store.write_quarter(q, _ranking())
    with store.path.open("r+b") as fh:
        fh.truncate(5000 if damage == "truncate" else 0)
    before = store.path.read_bytes()
    result = runner.invoke(app, ["run", "--quarter", "2022Q4", "--raw", str(raw), "--out", str(out)])
    assert result.exit_code == 2
    assert "历史库" in result.output and "无法打开" in result.output and "Traceback" not in result.output
    assert "IO Error" not in result.output  # the database's own English goes to the log only
    copies = sorted(store.backups.glob("*.duckdb"))
    assert str(copies[-1]) in result.output and "before-2022Q2" in copies[-1].name
    assert store.path.read_bytes() == before and not (out / "2022Q4").exists()
    shutil.copy(copies[-1], store.path)  # what the message says to do
    assert store.quarters() == ["2022Q1"]


def test_the_store_keeps_a_rolling_copy_from_before_each_write(tmp_path, reliability):
    reliability(
        GROUP,
        "历史库的滚动备份",
        "连续写入 5 个季度",
        f"每次写入前留一份副本，保留最近 {KEEP_BACKUPS} 份",
        "副本个数、对应的季度，副本可以打开",
    )
    store = HistoryStore(tmp_path / "history.duckdb")
    quarters = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1"]
    for q in quarters:
        store.write_quarter(q, _ranking())
    copies = sorted(store.backups.glob("*.duckdb"))
    assert len(copies) == KEEP_BACKUPS and [c.name.rsplit("-", 1)[-1] for c in copies] == [
        f"{q}.duckdb" for q in quarters[-KEEP_BACKUPS:]
    ]
    assert HistoryStore(copies[-1]).quarters() == quarters[:-1]
    with store.path.open("r+b") as fh:
        fh.truncate(0)
    with pytest.raises(HistoryDamaged, match="空的"):
        store.quarters()


def _settings(tmp_path, change) -> Path:
    raw = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["defaults"].update(escalaton=["约谈"]), ["defaults.escalaton", "不认识的设置项", "escalation"]),
        (
            lambda d: d["quarters"]["2022Q4"].update(lists={"rule": "threshold", "red_at": 1.5, "black_below": 0.6}),
            ["quarters.2022Q4.lists.red_at", "应不大于 1"],
        ),
        (lambda d: d["defaults"].update(order_deadline_quarters="两个季度"), ["order_deadline_quarters", "应为整数"]),
        (
            lambda d: d["quarters"]["2022Q4"].update(return_deadline="2023-13-05"),
            ["quarters.2022Q4.return_deadline", "应为日期，如 2023-01-05"],
        ),
        (lambda d: d.update(portal={"port": 80000}), ["portal.port", "应不大于 65535"]),
        (lambda d: d.update(portal={"hots": "0.0.0.0"}), ["portal.hots", "不认识的设置项", "host、port、https"]),
    ],
)
def test_a_settings_mistake_is_said_in_chinese_with_its_key(tmp_path, change, words, reliability):
    reliability(
        GROUP,
        f"设置文件错误：{words[0]}",
        "config/office.yaml 中拼错设置项或填了超出范围的值",
        "逐条用中文指出设置项路径和允许的值",
        "不出现 pydantic 的英文报错",
    )
    with pytest.raises(ConfigError) as error:
        load_config(_settings(tmp_path, change))
    text = str(error.value)
    assert all(w in text for w in words), text
    assert "pydantic" not in text and "Extra inputs" not in text


def test_a_settings_mistake_stops_the_run_before_anything_is_read_or_written(tmp_path, reliability):
    reliability(
        GROUP,
        "不存在的大比武重点、拼错的设置项",
        "用 --config 指定有误的设置文件运行 run 和 backfill",
        "任何读取、存档、写入之前停止",
        "退出码 2；没有存档、没有输出文件夹",
    )
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_sample(CAT, raw, ["2022Q4"])
    bad = _settings(tmp_path, lambda d: d["quarters"]["2022Q4"].update(focus="9.9"))
    result = runner.invoke(
        app, ["run", "--quarter", "2022Q4", "--raw", str(raw), "--out", str(out), "--config", str(bad)]
    )
    assert result.exit_code == 2 and "大比武重点“9.9”" in result.output and "未作任何处理" in result.output
    assert not (tmp_path / "received").exists() and not out.exists()  # nothing archived, nothing written
    typo = _settings(tmp_path, lambda d: d["defaults"].update(recipient="x"))
    result = runner.invoke(app, ["backfill", "--raw", str(raw), "--out", str(out), "--config", str(typo)])
    assert result.exit_code == 2 and "defaults.recipient" in result.output and not out.exists()


def test_data_docs_wait_beside_until_the_runs_outputs_are_written(tmp_path, reliability):
    reliability(
        GROUP,
        "运行在校验之后失败",
        "校验已生成新的 Data Docs，其余结果尚未写出",
        "上一次成功运行的 Data Docs 不被替换",
        "新 Data Docs 在写出结果时才换入",
    )
    from adapters.history import read_quarter_history
    from adapters.office_files import read_office_inputs
    from adapters.returns import ingest_folder
    from flows import tasks

    raw = tmp_path / "raw"
    write_sample(CAT, raw, ["2022Q4"])
    docs = tmp_path / "out" / "2022Q4" / "validation" / "data_docs"
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("the last good run's", encoding="utf-8")
    current = ingest_folder(raw / "2022Q4", CAT, "2022Q4")
    history = read_quarter_history(HistoryStore(tmp_path / "h.duckdb"), "2022Q4", 2021)
    office = read_office_inputs(raw / "2022Q4", CAT, "2022Q4")
    outcome = tasks.validate(current, history, CAT, office, docs)
    assert (docs / "index.html").read_text(encoding="utf-8") == "the last good run's"  # a failure now loses nothing
    assert outcome.docs_staged is not None and (outcome.docs_staged / "index.html").is_file()
    tasks.install_docs(outcome, docs)
    assert "the last good run's" not in (docs / "index.html").read_text(encoding="utf-8")
    assert not outcome.docs_staged.exists()
