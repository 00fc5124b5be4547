"""`chuangwen serve` with a `portal` section in office.yaml: the portal comes up beside the schedule, on
the quarter that ended last, and its run button runs the quarter through the Prefect deployment `serve`
serves (a real local Prefect server, the flow run in Prefect's own process), whose state and log the
office follows on the run page until the bulletin is out."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx
import yaml
from sample_data import write_sample

from core.vocab import OFFICE
from expectations.catalog import load_catalog
from flows.deploy import ON_DEMAND
from flows.schedule import quarter_before

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / ".venv" / "bin" / "chuangwen"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_serve_starts_the_portal_whose_run_goes_through_prefect(tmp_path):
    quarter = quarter_before(dt.datetime.now(dt.UTC))  # what a served portal collects today
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_sample(load_catalog(), raw, [quarter])
    settings = yaml.safe_load((ROOT / "config" / "office.yaml").read_text(encoding="utf-8"))
    settings["quarters"][quarter] = {"focus": "1.4"}
    port = _free_port()
    settings["portal"] = {"port": port}
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"CHUANGWEN_STATE": str(tmp_path / "state"), "PREFECT_HOME": str(tmp_path / "prefect")}
    added = subprocess.run([str(CLI), "portal", "user", "add", OFFICE], env=env, capture_output=True, text=True)
    once = re.search(r"一次性密码：(\S+)", added.stdout).group(1)
    command = [str(CLI), "serve", "--raw", str(raw), "--out", str(out), "--port", str(_free_port())]
    served = subprocess.Popen([*command, "--config", str(config)], cwd=tmp_path, env=env, stdout=subprocess.PIPE)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True, timeout=60)
        for _ in range(600):
            try:
                login = client.get("/login")
                break
            except httpx.TransportError:
                assert served.poll() is None, "serve stopped"
                time.sleep(0.5)
        r = client.post("/login", data={"name": OFFICE, "password": once, "csrf": _csrf(login.text)})
        new = "wenshan-2026!"
        r = client.post("/password", data={"old": once, "new": new, "again": new, "csrf": _csrf(r.text)})
        board = client.get("/").text
        assert "运行本季度" in board or "/run" in board
        page = client.post("/run", data={"csrf": _csrf(board)}).text
        assert f"经 Prefect 部署 {ON_DEMAND} 运行" in page, page
        deadline = time.monotonic() + 600
        while "运行完成" not in page and "运行未完成" not in page and time.monotonic() < deadline:
            time.sleep(2)
            page = client.get("/run").text
        assert "运行完成" in page and "：完成" in page, page[-3000:]
        assert (out / quarter / "bulletin.pdf").is_file()
        assert client.get("/outputs").status_code == 200
    finally:
        served.terminate()
        served.wait(60)
