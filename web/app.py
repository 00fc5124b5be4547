"""The 报送平台 as an ASGI application (FastAPI on the Starlette and uvicorn that Prefect installs).

A county's account sees only its own county: nothing in a URL names a county or a file, every route
takes the county from the session. Sessions are HttpOnly, SameSite=Strict cookies holding a random token
(adapters.accounts); every form carries a CSRF token (the session's own, or before login a double-submit
cookie) and a POST without the right one is refused. Uploads are read in chunks up to MAX_UPLOAD_BYTES,
stored under a name of ours (never the uploader's) and read only through the same guarded readers as
`chuangwen check`, whose messages the result page shows. Pages are Jinja2 with autoescaping; no asset
comes from outside the application.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from adapters.accounts import SESSION_HOURS, AccountError, AccountStore, Session
from adapters.county_templates import build_template, workbook_bytes
from adapters.returns import FileResult, check_files
from adapters.spreadsheets import SPREADSHEET_SUFFIXES
from adapters.submissions import Submissions, Upload
from core.problems import ERROR, SEVERITY_LABEL
from core.vocab import OFFICE
from core.zh import quarter_label
from expectations.catalog import Catalog
from web.runs import QuarterRuns, RunUnavailable

MAX_UPLOAD_BYTES = 10 * 2**20  # a county's return is 30–200 KB; the readers refuse more than this too
THROTTLE_FAILURES, THROTTLE_MINUTES = 30, 15  # failed logins from one address before it waits
SESSION_COOKIE = "cw_session"
LOGIN_CSRF_COOKIE = "cw_login"
TEMPLATES = Path(__file__).resolve().parent / "templates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Portal:
    store: AccountStore
    catalog: Catalog
    quarter: str
    submissions: Submissions
    out_dir: Path  # the run's outputs: data/out/<quarter>/bulletin.pdf, counties/<县名>反馈单.pdf
    runs: QuarterRuns | None = None  # None: the office cannot start runs from this portal
    deadline: dt.date | None = None  # the last day for returns; a clean file placed later is 补报
    secure_cookies: bool = False  # behind an HTTPS reverse proxy: cookies only over HTTPS


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


TOO_LARGE = Refused(413, f"文件过大：报送文件不能超过 {MAX_UPLOAD_BYTES // 2**20} MB。")  # the page says the same


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]))


class Throttle:
    """Failed logins per client address in a sliding window: one address trying many accounts (which the
    per-account lock-out does not stop) waits. Behind a proxy every client shares the proxy's address, so
    the limit is generous."""

    def __init__(self, limit: int = THROTTLE_FAILURES, minutes: int = THROTTLE_MINUTES) -> None:
        self.limit, self.window = limit, minutes * 60
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str) -> list[float]:
        now = time.monotonic()
        kept = [t for t in self._failures.get(address, []) if now - t < self.window]
        self._failures[address] = kept
        return kept

    def allowed(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address)) < self.limit

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(time.monotonic())


def create_app(portal: Portal) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    env = _environment()
    throttle = Throttle()

    def page(name: str, status: int = 200, **ctx) -> HTMLResponse:
        deadline = (
            f"{portal.deadline.year}年{portal.deadline.month}月{portal.deadline.day}日" if portal.deadline else ""
        )
        html = env.get_template(name).render(
            quarter_label=quarter_label(portal.quarter),
            deadline=deadline,
            suffixes=SPREADSHEET_SUFFIXES,
            max_mb=MAX_UPLOAD_BYTES // 2**20,
            **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def session_of(request: Request) -> Session | None:
        return portal.store.session(request.cookies.get(SESSION_COOKIE))

    def set_cookie(response: Response, key: str, value: str) -> None:
        age = SESSION_HOURS * 3600
        response.set_cookie(
            key, value, httponly=True, samesite="strict", secure=portal.secure_cookies, path="/", max_age=age
        )

    async def checked_form(request: Request, expected: str | None, **limits) -> FormData:
        """The posted form, refused unless it carries the expected CSRF token."""
        form = await request.form(**limits)
        token = form.get("csrf")
        if not expected or not isinstance(token, str) or not secrets.compare_digest(token, expected):
            raise Refused(403, "表单已过期或来源不明，请返回上一页刷新后重新提交。")
        return form

    async def form_of(request: Request, expected: str | None) -> dict[str, str]:
        form = await checked_form(request, expected)
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def signed_in(request: Request, allow_must_change: bool = False) -> Session:
        session = session_of(request)
        if session is None:
            raise Refused(401, "请先登录。")
        if session.must_change and not allow_must_change:
            raise Refused(403, "请先修改一次性密码。")
        return session

    def county_of(session: Session):
        county = portal.catalog.county_by_name.get(session.name)
        if county is None:
            raise Refused(403, "此页面仅供县（市）账户使用。")
        return county

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        if exc.status == 401:
            return RedirectResponse("/login", status_code=303)
        return page("message.html.j2", status=exc.status, message=exc.message)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self'; frame-ancestors 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/static/portal.css")
    def css() -> Response:
        return Response((TEMPLATES / "portal.css").read_bytes(), media_type="text/css; charset=utf-8")

    @app.get("/login")
    def login_form(request: Request) -> HTMLResponse:
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = page("login.html.j2", csrf=token, error=None)
        set_cookie(response, LOGIN_CSRF_COOKIE, token)
        return response

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await form_of(request, request.cookies.get(LOGIN_CSRF_COOKIE))
        address = request.client.host if request.client else ""
        if not throttle.allowed(address):
            portal.store.audit(form.get("name", "").strip(), "login-throttled", address)
            message = f"此地址登录失败次数过多，请 {THROTTLE_MINUTES} 分钟后再试。"
            return page("login.html.j2", status=429, csrf=form["csrf"], error=message)
        try:
            token, session = portal.store.login(form.get("name", "").strip(), form.get("password", ""))
        except AccountError as exc:
            throttle.failed(address)
            return page("login.html.j2", status=401, csrf=form["csrf"], error=str(exc))
        response = RedirectResponse("/password" if session.must_change else "/", status_code=303)
        set_cookie(response, SESSION_COOKIE, token)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        session = signed_in(request, allow_must_change=True)
        await form_of(request, session.csrf)
        portal.store.logout(request.cookies.get(SESSION_COOKIE, ""))
        portal.store.audit(session.name, "logout")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/password")
    def password_form(request: Request) -> HTMLResponse:
        session = signed_in(request, allow_must_change=True)
        return page("password.html.j2", session=session, error=None)

    @app.post("/password")
    async def change_password(request: Request) -> Response:
        session = signed_in(request, allow_must_change=True)
        form = await form_of(request, session.csrf)
        if form.get("new", "") != form.get("again", ""):
            return page("password.html.j2", status=400, session=session, error="两次输入的新密码不一致。")
        try:
            portal.store.change_password(session.name, form.get("old", ""), form.get("new", ""))
        except AccountError as exc:
            return page("password.html.j2", status=400, session=session, error=str(exc))
        return RedirectResponse("/", status_code=303)

    @app.get("/")
    def home(request: Request) -> HTMLResponse:
        session = signed_in(request)
        if session.name == OFFICE:
            return page("board.html.j2", session=session, rows=_board(portal), can_run=portal.runs is not None)
        county = county_of(session).name
        return page("county.html.j2", session=session, county=county, result=None, state=_state(portal, county))

    @app.get("/template")
    def template(request: Request) -> Response:
        session = signed_in(request)
        county = county_of(session)
        data = workbook_bytes(build_template(portal.catalog, county, portal.quarter))
        portal.store.audit(session.name, "download", f"{portal.quarter} 报送模板")
        return _download(data, f"{portal.quarter}-{county.name}.xlsx", XLSX)

    @app.post("/upload")
    async def upload(request: Request) -> HTMLResponse:
        session = signed_in(request)
        county = county_of(session)
        if int(request.headers.get("content-length") or 0) > MAX_UPLOAD_BYTES + 64 * 1024:
            raise TOO_LARGE
        form = await checked_form(request, session.csrf, max_files=1, max_fields=4, max_part_size=MAX_UPLOAD_BYTES + 1)
        file = form.get("file")
        if file is None or isinstance(file, str) or not file.filename:
            raise Refused(400, "请选择要上传的报送文件。")
        suffix = Path(file.filename.replace("\\", "/")).suffix.lower()  # the only thing taken from its name
        if suffix not in SPREADSHEET_SUFFIXES:  # what the readers read, and nothing else
            raise Refused(400, f"只接受 {'、'.join(SPREADSHEET_SUFFIXES)} 格式的报送文件。")
        with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
            folder = Path(tmp) / portal.quarter
            folder.mkdir()
            path = folder / f"{county.name}{suffix}"  # named by us: the county and quarter of the session
            size = 0
            with path.open("wb") as out:
                while chunk := await file.read(256 * 1024):
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        raise TOO_LARGE
                    out.write(chunk)
            result, view, upload = await run_in_threadpool(_check_and_keep, portal, path, county.name, session.name)
        portal.store.audit(
            session.name, "upload", f"{upload.sha256} 错误{upload.errors}项 提示{upload.warnings}项 采用{upload.placed}"
        )
        state = _state(portal, county.name)
        return page("county.html.j2", session=session, county=county.name, result=view, upload=upload, state=state)

    @app.get("/result/{number}")
    def stored_result(request: Request, number: int) -> HTMLResponse:
        """A stored check result: the office sees every county's, a county only its own (another county's
        number reads as one that does not exist)."""
        session = signed_in(request)
        upload = next((u for u in portal.submissions.uploads(portal.quarter) if u.id == number), None)
        if upload is None or (session.name != OFFICE and upload.county != session.name):
            raise Refused(404, "没有这份检查结果。")
        portal.store.audit(session.name, "view-result", f"{upload.county} 第{number}份")
        return page("result.html.j2", session=session, upload=upload, result=portal.submissions.report(upload))

    def _pdf(path: Path, download_name: str, session: Session, what: str) -> Response:
        if not path.is_file():
            raise Refused(404, f"{quarter_label(portal.quarter)}的{what}尚未生成，请在{OFFICE}发布测评结果后再下载。")
        portal.store.audit(session.name, "download", f"{portal.quarter} {what}")
        return _download(path.read_bytes(), download_name, "application/pdf")

    @app.get("/feedback")
    def feedback(request: Request) -> Response:
        session = signed_in(request)
        county = county_of(session).name
        path = portal.out_dir / portal.quarter / "counties" / f"{county}反馈单.pdf"
        return _pdf(path, f"{portal.quarter}-{county}反馈单.pdf", session, "反馈单")

    @app.get("/bulletin")
    def bulletin(request: Request) -> Response:
        session = signed_in(request)
        return _pdf(portal.out_dir / portal.quarter / "bulletin.pdf", f"{portal.quarter}-通报.pdf", session, "通报")

    def outputs() -> list[str]:
        """The quarter's outputs as its last run's manifest lists them (names under out/<quarter>/)."""
        manifest = portal.out_dir / portal.quarter / "manifest.json"
        if not manifest.is_file():
            return []
        return sorted(json.loads(manifest.read_text(encoding="utf-8")).get("outputs", {}))

    @app.get("/outputs")
    def output_list(request: Request) -> HTMLResponse:
        session = signed_in(request)
        if session.name != OFFICE:
            raise Refused(403, f"只有{OFFICE}账户可以下载全部结果。")
        return page("outputs.html.j2", session=session, names=list(enumerate(outputs())))

    @app.get("/outputs/{number}")
    def output_file(request: Request, number: int) -> Response:
        """One output by its number in the list: no name from the URL reaches the file system."""
        session = signed_in(request)
        if session.name != OFFICE:
            raise Refused(403, f"只有{OFFICE}账户可以下载全部结果。")
        names = outputs()
        if not 0 <= number < len(names):
            raise Refused(404, "没有这个文件。")
        name = names[number]
        path = portal.out_dir / portal.quarter / name
        if not path.is_file():
            raise Refused(404, "没有这个文件。")
        portal.store.audit(session.name, "download", f"{portal.quarter} {name}")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return _download(path.read_bytes(), f"{portal.quarter}-{name.replace('/', '-')}", kind)

    def office_runs(request: Request) -> tuple[Session, QuarterRuns]:
        session = signed_in(request)
        if session.name != OFFICE or portal.runs is None:
            raise Refused(403, f"只有{OFFICE}账户可以启动季度运行。")
        return session, portal.runs

    @app.post("/run")
    async def start_run(request: Request) -> Response:
        session, runs = office_runs(request)
        await form_of(request, session.csrf)
        try:
            started = await run_in_threadpool(runs.start, portal.quarter)  # Prefect's client is sync here
        except RunUnavailable as exc:
            raise Refused(503, str(exc)) from exc
        portal.store.audit(session.name, "run", f"{portal.quarter} {'启动' if started else '已在运行'}")
        return RedirectResponse("/run", status_code=303)

    @app.get("/run")
    def run_state(request: Request) -> HTMLResponse:  # sync: served on a worker thread
        session, runs = office_runs(request)
        return page("run.html.j2", session=session, run=runs.state())

    return app


@dataclass(frozen=True)
class BoardRow:
    county: str
    state: str  # 未报送 / 有错误 / 已报送 / 补报 (placed after the deadline)
    last_upload: str  # when the county last uploaded through the portal, or ""
    errors: int | None  # of its last upload
    warnings: int | None
    uploads: int
    last: Upload | None  # its last upload, whose check result the office can open


def _state(portal: Portal, county: str, uploads: list[Upload] | None = None) -> BoardRow:
    """The county's row of the board, from the quarter's uploads (read from the ledger when not given)."""
    if uploads is None:
        uploads = portal.submissions.uploads(portal.quarter)
    mine = [u for u in uploads if u.county == county]
    last = mine[-1] if mine else None
    placed = [u for u in mine if u.placed]
    if portal.submissions.placed(county, portal.quarter) is not None:
        late = portal.deadline is not None and placed and dt.date.fromisoformat(placed[-1].at[:10]) > portal.deadline
        state = "补报" if late else "已报送"
    elif mine:
        state = "有错误"
    else:
        state = "未报送"
    return BoardRow(
        county,
        state,
        last.at.replace("T", " ")[:16] if last else "",
        last.errors if last else None,
        last.warnings if last else None,
        len(mine),
        last,
    )


def _board(portal: Portal) -> list[BoardRow]:
    """Every county's row, the ledger read once."""
    uploads = portal.submissions.uploads(portal.quarter)
    by_county: dict[str, list[Upload]] = {}
    for u in uploads:
        by_county.setdefault(u.county, []).append(u)
    return [_state(portal, c.name, by_county.get(c.name, [])) for c in portal.catalog.counties]


# Great Expectations promises no thread safety: one check at a time, on a worker thread, so that the event
# loop goes on serving the other pages (login, the board) while a file is checked.
_CHECK_LOCK = threading.Lock()


def _check_and_keep(portal: Portal, path: Path, county: str, by: str):
    with _CHECK_LOCK:
        (result,) = check_files([path], portal.catalog, portal.quarter)
    view = _result_view(result)
    return result, view, portal.submissions.receive(path, result, county, portal.quarter, by, view)


def _download(data: bytes, name: str, media_type: str) -> Response:
    """A file for the browser to save under `name` (RFC 6266's UTF-8 form: Chinese names survive)."""
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"},
    )


def _result_view(result: FileResult) -> dict:
    problems = sorted(result.problems, key=lambda p: p.severity != ERROR)
    return {
        "accepted": result.clean,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "rows": [
            {
                "level": SEVERITY_LABEL[p.severity],
                "error": p.severity == ERROR,
                "sheet": p.sheet,
                "cell": p.cell,
                "item": p.item,
                "raw": p.raw or "",
                "message": p.message,
            }
            for p in problems
        ],
    }
