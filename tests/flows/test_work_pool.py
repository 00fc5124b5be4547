"""The scale-out path end to end: a real Prefect server, `chuangwen deploy`, and a Prefect worker in another
process that picks the quarter's run from the work pool and produces the bulletin.

The server uses SQLite here; with CHUANGWEN_TEST_DATABASE_URL=postgresql+asyncpg://user:password@host/db
the same test runs against PostgreSQL, the production database (docs/scale-out.md)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from sample_data import write_sample
from typer.testing import CliRunner

from adapters.files import sha256_file
from chuangwen.cli import app
from expectations.catalog import load_catalog
from flows.deploy import ON_DEMAND
from flows.schedule import DEFAULT_CRON, TIMEZONE
from web.runs import DeploymentRuns


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_runs_the_deployed_quarter_from_the_work_pool(tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client

    from flows.server import local_server

    raw, out = tmp_path / "shared" / "raw", tmp_path / "shared" / "out"
    write_sample(load_catalog(), raw, ["2022Q4"])
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "server-state"))  # the server's own state
    if database := os.environ.get("CHUANGWEN_TEST_DATABASE_URL"):  # e.g. postgresql+asyncpg://…: see docs
        monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", database)
    with local_server(_free_port()):
        api = os.environ["PREFECT_API_URL"]
        result = CliRunner().invoke(app, ["deploy", "--raw", str(raw), "--out", str(out), "--pool", "chuangwen"])
        assert result.exit_code == 0, result.output
        assert "quarterly_assessment/on-demand" in result.output

        with get_client(sync_client=True) as client:
            pool = client.read_work_pool("chuangwen")
            assert pool.type == "process" and pool.concurrency_limit == 1
            deployments = {f"{client.read_flow(d.flow_id).name}/{d.name}": d for d in client.read_deployments()}
        assert set(deployments) == {
            "quarterly_assessment/on-demand",
            "backfill/on-demand",
            "scheduled_assessment/quarterly",
        }
        [schedule] = deployments["scheduled_assessment/quarterly"].schedules
        assert schedule.schedule.cron == DEFAULT_CRON and schedule.schedule.timezone == TIMEZONE
        assert deployments["quarterly_assessment/on-demand"].parameters["raw_dir"] == str(raw.resolve())

        # started as the portal's run button starts it, through the deployment
        runs = DeploymentRuns(ON_DEMAND, raw, out, tmp_path / "flow-run.txt")
        assert runs.start("2022Q4") and runs.state().running
        assert not runs.start("2022Q4")  # one at a time: the first is waiting for a worker
        flow_run_id = (tmp_path / "flow-run.txt").read_text().strip()
        worker = subprocess.run(
            [sys.executable, "-m", "prefect", "worker", "start", "--pool", "chuangwen", "--run-once"],
            env={**os.environ, "PREFECT_API_URL": api},
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,  # the worker finds the code through the deployment, not its own folder
        )
        assert worker.returncode == 0, worker.stdout + worker.stderr
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(flow_run_id).state
        assert state.is_completed(), (state, worker.stdout[-3000:], worker.stderr[-3000:])
        shown = runs.state()  # what the portal's run page shows
        assert not shown.running and shown.returncode == 0 and shown.how.endswith("：完成"), shown

    manifest = json.loads((out / "2022Q4" / "manifest.json").read_text(encoding="utf-8"))
    assert "bulletin.pdf" in manifest["outputs"] and "counties/文山市反馈单.pdf" in manifest["outputs"]
    for name, facts in manifest["outputs"].items():
        assert sha256_file(out / "2022Q4" / name) == facts["sha256"], name
    assert "PREFECT_API_URL" not in os.environ or os.environ["PREFECT_API_URL"] != api
