"""The same quarter through other engines and at the same time: a Dask cluster gives the same bytes as
the default runner, and two whole runs of one quarter at once leave consistent outputs and history."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sample_data import write_sample

from adapters.files import sha256_file
from adapters.history import HistoryStore
from expectations.catalog import load_catalog

CAT = load_catalog()


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    raw = tmp_path_factory.mktemp("data") / "raw"
    write_sample(CAT, raw, ["2022Q4"])
    return raw


def _outputs(out, quarter="2022Q4"):
    """Every output the manifest lists, checked against the files on disk: name → SHA-256."""
    manifest = json.loads((out / quarter / "manifest.json").read_text(encoding="utf-8"))
    for name, facts in manifest["outputs"].items():
        assert sha256_file(out / quarter / name) == facts["sha256"], name
    return {name: facts["sha256"] for name, facts in manifest["outputs"].items()}


@pytest.fixture(scope="module")
def reference(raw, prefect_harness):
    """One quarter through the default (thread) runner."""
    from flows.quarter import quarterly_assessment

    out = raw.parent / "out-default"
    quarterly_assessment(quarter="2022Q4", raw_dir=raw, out_dir=out)
    return _outputs(out)


def test_a_dask_cluster_gives_the_same_bytes_as_the_default_runner(raw, reference):
    from flows.quarter import assessment_with

    out = raw.parent / "out-dask"
    with assessment_with("local") as run:
        written = run(quarter="2022Q4", raw_dir=raw, out_dir=out)
    assert written["bulletin.pdf"] == out / "2022Q4" / "bulletin.pdf"
    dask = _outputs(out)
    assert len(reference) > 20 and any(n.startswith("counties/") for n in reference)
    assert dask == reference
    assert os.environ.get("PREFECT_API_URL") is None  # the workers' address was only lent for the run


def test_two_whole_runs_of_one_quarter_at_once_leave_consistent_outputs(raw, reference, tmp_path):
    """Two `chuangwen run --force` processes on one output folder and history at the same time: both
    finish, each file is whole and equal to a single run's, the history holds the quarter once, and no
    temporary file is left behind."""
    from prefect.settings import PREFECT_API_URL

    out = tmp_path / "out"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}  # both report to the test's server
    command = [
        sys.executable,
        "-m",
        "chuangwen",
        "run",
        "--quarter",
        "2022Q4",
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--force",
    ]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    for run in runs:
        stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr
        assert "已生成" in stdout
        assert "完成" in stderr and "5/5" in stderr  # the progress bar went through the five stages
    assert _outputs(out) == reference
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    store = HistoryStore(out / "history.duckdb")
    ranking = store.read("ranking", ["2022Q4"])
    assert sorted(ranking["county"]) == sorted(c.name for c in CAT.counties)
    figures = store.read("figures", ["2022Q4"])
    assert not figures.duplicated(["county_code", "item_id"]).any()
