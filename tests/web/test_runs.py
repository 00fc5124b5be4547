"""How the portal runs and serves: the office's return deadline from its settings, a Prefect server that
does not answer (said on the page, the portal stays up), and a served portal turning to the next quarter
at the midnight the quarter ends."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import socket
import threading
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from test_portal import _csrf, signed_in

from chuangwen.cli import _make_portal
from core.vocab import OFFICE
from expectations.settings import CONFIG_PATH
from flows.schedule import next_quarter_start, quarter_before
from web.app import create_app
from web.runs import DeploymentRuns, RunUnavailable
from web.server import serve_portal

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_return_deadline_comes_from_the_offices_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_STATE", str(tmp_path / "state"))
    settings = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    settings["quarters"]["2022Q4"]["return_deadline"] = dt.date(2023, 1, 8)
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    make = _make_portal(tmp_path / "raw", tmp_path / "out", False, config, None, None)
    assert _deadline_shown(make("2022Q4")) == "2023年1月8日"
    assert _deadline_shown(make("2022Q3")) == "2022年10月5日"  # not set: the 5th of the month after
    given = _make_portal(tmp_path / "raw", tmp_path / "out", False, config, dt.date(2023, 1, 9), None)
    assert _deadline_shown(given("2022Q4")) == "2023年1月9日"  # --deadline wins


def _deadline_shown(app) -> str:
    from adapters.accounts import AccountStore
    from core.runtime import state_dir

    store = AccountStore(state_dir() / "portal" / "portal.sqlite3")
    once = store.add("砚山县")
    client = TestClient(app)
    page = client.post(
        "/login", data={"name": "砚山县", "password": once, "csrf": _csrf(client.get("/login").text)}
    ).text
    new = "wenshan-2023!"
    page = client.post("/password", data={"old": once, "new": new, "again": new, "csrf": _csrf(page)}).text
    return re.search(r"截止日期\D*(\d{4}年\d{1,2}月\d{1,2}日)", page).group(1)


def test_a_prefect_server_that_does_not_answer_is_said_on_the_page(portal, monkeypatch, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{closed}/api")
    from prefect.settings import PREFECT_API_URL, temporary_settings

    app, once = portal
    record = tmp_path / "flow-run.txt"
    record.write_text(f"{uuid.uuid4()}\n")
    runs = DeploymentRuns("quarterly_assessment/on-demand", tmp_path / "raw", tmp_path / "out", record)
    with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{closed}/api"}):
        with pytest.raises(RunUnavailable, match="无法经 Prefect 部署"):
            runs.start("2022Q4")
        office = signed_in((dataclasses.replace(app, runs=runs), once), OFFICE)
        assert "无法读取 Prefect 服务上的运行情况" in office.get("/run").text
        refused = office.post("/run", data={"csrf": _csrf(office.get("/").text)})
        assert refused.status_code == 503 and "无法经 Prefect 部署" in refused.text


@pytest.mark.parametrize(
    ("moment", "start"),
    [
        (dt.datetime(2023, 3, 31, 23, 59, tzinfo=SHANGHAI), dt.datetime(2023, 4, 1, tzinfo=SHANGHAI)),
        (dt.datetime(2022, 12, 31, 15, 59, tzinfo=dt.UTC), dt.datetime(2023, 1, 1, tzinfo=SHANGHAI)),
        (dt.datetime(2022, 12, 31, 16, 0, tzinfo=dt.UTC), dt.datetime(2023, 4, 1, tzinfo=SHANGHAI)),
    ],
)
def test_a_quarter_ends_at_midnight_in_shanghai(moment, start):
    assert next_quarter_start(moment) == start
    assert quarter_before(start) != quarter_before(start - dt.timedelta(seconds=1))


def test_a_served_portal_turns_to_the_next_quarter_when_the_quarter_ends(portal):
    app, _ = portal
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    boundary = dt.datetime(2023, 4, 1, tzinfo=SHANGHAI)
    offset = (boundary - dt.timedelta(seconds=3)) - dt.datetime.now(dt.UTC)  # a clock three seconds before it
    served, pages = [], []

    class Stop(Exception):
        pass

    def started(quarter: str) -> None:
        served.append(quarter)
        if len(served) == 2:
            raise Stop  # the test's end: the second quarter was reached

    def run() -> None:
        with contextlib.suppress(Stop):
            serve_portal(
                lambda q: create_app(dataclasses.replace(app, quarter=q)),
                "127.0.0.1",
                port,
                None,
                started,
                lambda: dt.datetime.now(dt.UTC) + offset,
            )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    for _ in range(100):
        try:
            pages.append(httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code)
            break
        except httpx.TransportError:
            threading.Event().wait(0.05)
    thread.join(30)
    assert not thread.is_alive() and served == ["2022Q4", "2023Q1"] and pages == [200]
