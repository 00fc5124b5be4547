"""The 报送平台 through its HTTP interface (Starlette's TestClient): login, the one-time password, CSRF,
lock-out, a county confined to its own data, uploads checked with the command line's messages, hostile
uploads refused in Chinese with nothing written."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from adapters.accounts import AccountStore
from core.layout import COL_ID, COL_VALUE, DATA_SHEET, HEADER_ROW
from core.vocab import OFFICE
from expectations.catalog import load_catalog
from web.app import MAX_UPLOAD_BYTES, create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "raw" / "2022Q4"
CAT = load_catalog()
PASSWORD = "wenshan-2023!"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(portal, name: str) -> TestClient:
    app, once = portal
    client = TestClient(create_app(app))
    page = client.get("/login")
    r = client.post("/login", data={"name": name, "password": once[name], "csrf": _csrf(page.text)})
    assert r.status_code == 200 and "修改密码" in r.text  # the one-time password leads to the change page
    r = client.post("/password", data={"old": once[name], "new": PASSWORD, "again": PASSWORD, "csrf": _csrf(r.text)})
    assert r.status_code == 200 and name in r.text
    return client


def _with_value(path: Path, item: str, value) -> bytes:
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[HEADER_ROW]]
    col_id, col_value = header.index(COL_ID) + 1, header.index(COL_VALUE) + 1
    row = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, col_id).value == item)
    ws.cell(row, col_value).value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_login_sets_a_strict_httponly_cookie_and_the_one_time_password_must_be_changed(portal):
    app, once = portal
    client = TestClient(create_app(app))
    page = client.get("/login")
    r = client.post(
        "/login", data={"name": "砚山县", "password": once["砚山县"], "csrf": _csrf(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/password"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("cw_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/", follow_redirects=False).status_code == 403  # nothing else until the password changes
    assert client.get("/template").status_code == 403


def test_a_form_without_its_csrf_token_is_refused(portal):
    app, once = portal
    client = TestClient(create_app(app))
    client.get("/login")
    r = client.post("/login", data={"name": "砚山县", "password": once["砚山县"]})
    assert r.status_code == 403 and "表单已过期" in r.text
    county = signed_in(portal, "丘北县")
    r = county.post("/upload", files={"file": ("丘北县.xlsx", (SAMPLE / "丘北县.xlsx").read_bytes())})
    assert r.status_code == 403
    r = county.post("/upload", data={"csrf": "forged"}, files={"file": ("x.xlsx", b"x")})
    assert r.status_code == 403
    assert app.store.audit_log()[-1][2] != "upload"


def test_the_sixth_wrong_password_locks_the_account(portal):
    app, once = portal
    client = TestClient(create_app(app))
    token = _csrf(client.get("/login").text)
    for _ in range(6):
        r = client.post("/login", data={"name": "砚山县", "password": "wrong", "csrf": token})
        assert r.status_code == 401 and "用户名或密码不正确" in r.text
    r = client.post("/login", data={"name": "砚山县", "password": once["砚山县"], "csrf": token})
    assert r.status_code == 401 and "账户已锁定" in r.text


def test_a_county_gets_its_own_template_whatever_the_url_says(portal):
    client = signed_in(portal, "砚山县")
    for url in ("/template", "/template?county=丘北县", "/template?county=532626"):
        r = client.get(url)
        assert r.status_code == 200
        wb = load_workbook(io.BytesIO(r.content), read_only=True)
        text = " ".join(str(v) for row in wb["填报信息"].iter_rows(values_only=True) for v in row if v)
        assert "砚山县" in text and "丘北县" not in text
    assert client.get("/counties/丘北县/template").status_code == 404
    office = signed_in(portal, OFFICE)
    assert office.get("/template").status_code == 403  # the office has no county template of its own


def test_an_upload_with_errors_names_the_cells_then_the_fixed_file_passes(portal):
    client = signed_in(portal, "砚山县")
    home = client.get("/")
    bad = _with_value(SAMPLE / "砚山县.xlsx", "6.3.2a", "见附件")
    r = client.post("/upload", data={"csrf": _csrf(home.text)}, files={"file": ("任意名字.xlsx", bad)})
    assert r.status_code == 200 and "项错误" in r.text
    row = re.search(r'<tr class="err">(.*?)</tr>', r.text, re.S).group(1)
    assert "填报表" in row and re.search(r"单元格\">[A-Z]+\d+</td>", row) and "6.3.2a" in row and "见附件" in row
    good = (SAMPLE / "砚山县.xlsx").read_bytes()
    r = client.post("/upload", data={"csrf": _csrf(r.text)}, files={"file": ("砚山县.xlsx", good)})
    assert r.status_code == 200 and "检查通过" in r.text


def test_hostile_uploads_are_refused_in_chinese_and_nothing_is_written_outside(portal, tmp_path, monkeypatch):
    import tempfile

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    client = signed_in(portal, "砚山县")
    token = _csrf(client.get("/").text)
    r = client.post("/upload", data={"csrf": token}, files={"file": ("a.xlsx", b"0" * (MAX_UPLOAD_BYTES + 1))})
    assert r.status_code == 413 and "文件过大" in r.text
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<" + b" " * (300 * 2**20))
    r = client.post("/upload", data={"csrf": token}, files={"file": ("砚山县.xlsx", bomb.getvalue())})
    assert r.status_code == 200 and "项错误" in r.text
    r = client.post(
        "/upload", data={"csrf": token}, files={"file": ("../../x.xlsx", (SAMPLE / "砚山县.xlsx").read_bytes())}
    )
    assert r.status_code == 200 and "检查通过" in r.text  # placed under the county's name, not the one sent
    assert sorted(p.name for p in (tmp_path / "raw" / "2022Q4").iterdir()) == ["砚山县.xlsx"]
    r = client.post("/upload", data={"csrf": token}, files={"file": ("x.exe", b"MZ")})
    assert r.status_code == 400 and "只接受" in r.text
    assert not (tmp_path / "x.xlsx").exists() and not (ROOT / "x.xlsx").exists()
    assert list(spool.iterdir()) == []  # every upload's folder removed after its check


def test_markup_in_an_upload_shows_as_text(portal):
    client = signed_in(portal, "砚山县")
    bad = _with_value(SAMPLE / "砚山县.xlsx", "6.3.2a", "<script>alert(1)</script>")
    r = client.post("/upload", data={"csrf": _csrf(client.get("/").text)}, files={"file": ("砚山县.xlsx", bad)})
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_the_office_opens_accounts_from_the_command_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from chuangwen.cli import app

    monkeypatch.setenv("CHUANGWEN_STATE", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["portal", "user", "add", "砚山县"])
    assert added.exit_code == 0, added.output
    password = re.search(r"一次性密码：(\S+)", added.output).group(1)
    store = AccountStore(tmp_path / "portal" / "portal.sqlite3")
    assert store.login("砚山县", password)[1].must_change
    refused = runner.invoke(app, ["portal", "user", "add", "不存在县"])
    assert refused.exit_code != 0 and "没有名为“不存在县”的县（市）" in refused.output
    assert runner.invoke(app, ["portal", "user", "list"]).output.strip() == "砚山县"


def test_every_version_is_kept_and_the_latest_clean_one_placed_and_the_board_follows(portal, tmp_path):
    app, _ = portal
    raw = tmp_path / "raw" / "2022Q4"
    office = signed_in(portal, OFFICE)
    board = office.get("/").text
    assert board.count("未报送") >= 8 and "砚山县" in board
    county = signed_in(portal, "砚山县")
    token = _csrf(county.get("/").text)
    good = (SAMPLE / "砚山县.xlsx").read_bytes()
    bad = _with_value(SAMPLE / "砚山县.xlsx", "6.3.2a", "见附件")
    county.post("/upload", data={"csrf": token}, files={"file": ("a.xlsx", bad)})
    assert not (raw / "砚山县.xlsx").exists()
    row = re.search(r"<tr[^>]*><td>砚山县</td>(.*?)</tr>", office.get("/").text, re.S).group(1)
    assert "有错误" in row
    county.post("/upload", data={"csrf": token}, files={"file": ("b.xlsx", good)})
    assert (raw / "砚山县.xlsx").read_bytes() == good
    county.post("/upload", data={"csrf": token}, files={"file": ("c.xlsx", bad)})  # a later bad one
    assert (raw / "砚山县.xlsx").read_bytes() == good  # does not displace the clean one
    row = re.search(r"<tr[^>]*><td>砚山县</td>(.*?)</tr>", office.get("/").text, re.S).group(1)
    assert "已报送" in row and "<td>3</td>" in row
    uploads = app.submissions.uploads("2022Q4")
    assert [u.placed for u in uploads] == [False, True, False] and all(u.by == "砚山县" for u in uploads)
    for u in uploads:
        assert app.submissions.archive.object_path(u.sha256, u.suffix).exists()
    assert "已报送" in county.get("/").text


def test_uploads_at_once_lose_nothing(portal, tmp_path):
    import threading

    app, _ = portal
    clients = {name: signed_in(portal, name) for name in ("砚山县", "丘北县")}
    tokens = {name: _csrf(c.get("/").text) for name, c in clients.items()}
    files = {name: (SAMPLE / f"{name}.xlsx").read_bytes() for name in clients}
    codes = []

    def send(name, k):
        data = files[name] if k % 2 else _with_value(SAMPLE / f"{name}.xlsx", "6.3.2a", f"见附件{k}")
        r = clients[name].post("/upload", data={"csrf": tokens[name]}, files={"file": (f"{k}.xlsx", data)})
        codes.append(r.status_code)

    threads = [threading.Thread(target=send, args=(name, k)) for name in clients for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 8
    uploads = app.submissions.uploads("2022Q4")
    assert len(uploads) == 8
    raw = tmp_path / "raw" / "2022Q4"
    for name in clients:
        assert (raw / f"{name}.xlsx").read_bytes() == files[name]
        assert len({u.sha256 for u in uploads if u.county == name}) == 3  # two clean copies are one file
    assert sorted(p.name for p in raw.iterdir()) == ["丘北县.xlsx", "砚山县.xlsx"]


def test_a_county_reaches_no_other_countys_result_or_feedback_sheet(portal, tmp_path):
    app, _ = portal
    other = signed_in(portal, "丘北县")
    bad = _with_value(SAMPLE / "丘北县.xlsx", "6.3.2a", "见附件")
    other.post("/upload", data={"csrf": _csrf(other.get("/").text)}, files={"file": ("丘北县.xlsx", bad)})
    (number,) = [u.id for u in app.submissions.uploads("2022Q4")]
    assert "见附件" in other.get(f"/result/{number}").text  # its own result, stored
    sheets = tmp_path / "out" / "2022Q4" / "counties"
    sheets.mkdir(parents=True)
    (sheets / "丘北县反馈单.pdf").write_bytes(b"%PDF-1.7 qiubei")
    (sheets / "砚山县反馈单.pdf").write_bytes(b"%PDF-1.7 yanshan")
    county = signed_in(portal, "砚山县")
    for url in (f"/result/{number}", "/result/0", "/result/999", f"/result/{number}?county=丘北县"):
        r = county.get(url)
        assert r.status_code == 404 and "丘北县" not in r.text and "见附件" not in r.text, url
    for url in ("/feedback", "/feedback?county=丘北县", "/feedback/../counties/丘北县反馈单.pdf"):
        r = county.get(url)
        assert r.status_code in (200, 404) and b"qiubei" not in r.content, url
    assert county.get("/feedback").content == b"%PDF-1.7 yanshan"
    office = signed_in(portal, OFFICE)
    assert "见附件" in office.get(f"/result/{number}").text  # the office sees every county's
    assert county.get("/bulletin").status_code == 404 and "尚未生成" in county.get("/bulletin").text
    events = [(name, event) for _, name, event, _ in app.store.audit_log()]
    assert ("砚山县", "download") in events and ("州文明办", "view-result") in events


def test_only_the_office_starts_a_run(portal):
    county = signed_in(portal, "砚山县")
    r = county.post("/run", data={"csrf": _csrf(county.get("/").text)})
    assert r.status_code == 403 and "只有州文明办" in r.text
    assert county.get("/run").status_code == 403
    office = signed_in(portal, OFFICE)
    assert office.post("/run", data={}).status_code == 403  # no CSRF token
    assert portal[0].runs.state().returncode is None and not portal[0].runs.state().running


def test_chuangwen_portal_serves_the_login_page(tmp_path):
    import os
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CHUANGWEN_STATE": str(tmp_path / "state")}
    cli = ROOT / ".venv" / "bin" / "chuangwen"
    server = subprocess.Popen([str(cli), "portal", "--port", str(port)], cwd=ROOT, env=env)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    page = r.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, "the portal stopped"
                time.sleep(0.2)
        assert "登录" in page and "2022年第四季度" not in page  # the login page names no quarter's data
    finally:
        server.terminate()
        server.wait(20)


def test_one_address_trying_many_accounts_is_made_to_wait(portal, monkeypatch):
    import web.app

    app, once = portal
    client = TestClient(create_app(app))
    token = _csrf(client.get("/login").text)
    for k in range(web.app.THROTTLE_FAILURES):  # a different account each time: no account locks
        r = client.post("/login", data={"name": f"县{k}", "password": "x", "csrf": token})
        assert r.status_code == 401
    r = client.post("/login", data={"name": "砚山县", "password": once["砚山县"], "csrf": token})
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    assert ("砚山县", "login-throttled") in [(n, e) for _, n, e, _ in app.store.audit_log()]


def test_the_office_downloads_every_output_and_a_county_none_of_them(portal, tmp_path):
    import json

    folder = tmp_path / "out" / "2022Q4"
    (folder / "counties").mkdir(parents=True)
    (folder / "bulletin.pdf").write_bytes(b"%PDF bulletin")
    (folder / "counties" / "丘北县反馈单.pdf").write_bytes(b"%PDF qiubei")
    (folder / "manifest.json").write_text(
        json.dumps({"outputs": {"bulletin.pdf": {}, "counties/丘北县反馈单.pdf": {}}})
    )
    office = signed_in(portal, OFFICE)
    listing = office.get("/outputs").text
    assert "counties/丘北县反馈单.pdf" in listing and "bulletin.pdf" in listing
    assert office.get("/outputs/1").content == b"%PDF qiubei"
    assert office.get("/outputs/2").status_code == 404 and office.get("/outputs/-1").status_code == 404
    county = signed_in(portal, "砚山县")
    for url in ("/outputs", "/outputs/0", "/outputs/1"):
        r = county.get(url)
        assert r.status_code == 403 and b"qiubei" not in r.content, url


def test_a_clean_file_after_the_deadline_is_a_late_return(portal):
    import dataclasses
    import datetime as dt

    app, once = portal
    late = (dataclasses.replace(app, deadline=dt.date(2023, 1, 5)), once)  # long past
    county = signed_in(late, "砚山县")
    assert "报送截止日期 2023年1月5日" in county.get("/").text
    good = (SAMPLE / "砚山县.xlsx").read_bytes()
    county.post("/upload", data={"csrf": _csrf(county.get("/").text)}, files={"file": ("a.xlsx", good)})
    office = signed_in(late, OFFICE)
    row = re.search(r"<tr[^>]*><td>砚山县</td>(.*?)</tr>", office.get("/").text, re.S).group(1)
    assert "补报" in row
    on_time = TestClient(create_app(dataclasses.replace(app, deadline=dt.date.today() + dt.timedelta(days=1))))
    on_time.post("/login", data={"name": OFFICE, "password": PASSWORD, "csrf": _csrf(on_time.get("/login").text)})
    row = re.search(r"<tr[^>]*><td>砚山县</td>(.*?)</tr>", on_time.get("/").text, re.S).group(1)
    assert "已报送" in row


def test_every_page_has_a_plain_title(portal):
    """A page's <title> is text (a form put in the title block once showed as markup in the tab)."""
    titles = []
    for name, paths in ((OFFICE, ["/", "/outputs", "/run"]), ("砚山县", ["/"])):
        client = signed_in(portal, name)
        for path in paths:
            html = client.get(path).text
            titles.append(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
    assert titles[0] == "报送情况 - 文明城市创建测评报送平台"
    assert all("<" not in t and "&lt;" not in t for t in titles), titles
