"""The Word twins of the bulletin and the feedback sheets: GB/T 9704-2012 page, named styles with their
East Asian fonts, numbered footers, tables whose header repeats, the same words as the HTML, county text
kept as text, reproducible bytes; and LibreOffice opens them and prints every section."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from adapters.render import render_html
from adapters.word import bulletin_docx, feedback_docx
from transforms.documents.bulletin import (
    AnnexRow,
    BulletinContext,
    BulletinExtras,
    Charts,
    GoalRow,
    IntakeNote,
    Issue,
    Listed,
    OrderLine,
    OrderRow,
    RankRow,
    Theme,
)
from transforms.documents.feedback import AreaLine, FeedbackContext, IssueGroup

SCRIPT = "<script>alert(1)</script>"
COUNTIES = ("文山市", "砚山县", "麻栗坡县")
AREAS = tuple(f"{n}、领域{n}" for n in "一二三四五六七八九十")


def _ctx(**over) -> BulletinContext:
    extras = BulletinExtras(
        focus_name="文明实践",
        list_rule="得分率前 1 名上红榜、后 1 名上黑榜（并列均列入），未报送或不予排名的县（市）列入黑榜",
        red=(Listed("文山市", 0.95, ""),),
        black=(Listed("麻栗坡县", None, "未报送"),),
        goals=(GoalRow("文山市", "创成全国文明城市", "进展顺利"), GoalRow("砚山县", "创成省级文明城市", "达到达标线")),
        creation="2个创建县中有1个达到创成达标线。",
        orders=(OrderRow("文山市", 3, 1, 0, 2, 0.5), OrderRow("砚山县", 5, 0, 2, 5, None)),
        overdue=("砚山县：路灯不亮",),
        rank_ranges={"文山市": "1", "砚山县": "1–2"},
        draws=1000,
        spread=0.2,
        previous_average=78.0,
        improved=1,
        declined=1,
        escalated=("麻栗坡县连续第2次上黑榜，予以约谈",),
        deadline=dt.date(2023, 3, 31),
        contact="联系人：州文明办创建科，电话：0876-2128000",
        overdue_counties=1,
    )
    base = BulletinContext(
        issuer="文山州精神文明建设指导委员会办公室",
        doc_number="文文明办〔2023〕4号",
        title="关于2022年第四季度全州文明城市创建工作测评情况的通报",
        quarter="2022Q4",
        quarter_label="2022年第四季度",
        issue_date=dt.date(2023, 1, 10),
        recipients="各县（市）文明办：",
        source_document="《工作方案》",
        reported=2,
        counties=3,
        not_reported=("麻栗坡县",),
        average=80.5,
        ranking=(
            RankRow(1, "文山市", 90.0, 1, 50, 2, ""),
            RankRow(2, "砚山县", 71.0, -1, 40, 12, ""),
            RankRow(None, "麻栗坡县", None, None, 0, 0, "未报送"),
        ),
        intake=(IntakeNote("麻栗坡县", "麻栗坡县.xlsx", "文件未采用", "文件已损坏"),),
        catalog_version="2022.2",
        total_points=124.0,
        parts=124,
        undecidable=("无上年同期数据：6.1.1a 全员劳动生产率",),
        extras=extras,
        charts=Charts(heatmap="data:,", trend="data:,"),
        area_labels=AREAS,
        annex_scores=(
            AnnexRow(1, "文山市", 90.0, 0.0, (1.0,) * 10),
            AnnexRow(2, "麻栗坡县", 100.0, 2.0, (0.875,) * 10),
        ),
        cc="州委宣传部",
        themes=(Theme("一、领域一", "文明实践有3个县（市）未达到要求。"),),
        data_gaps=("砚山县3项未填报",),
        remarks=True,
        podium="文山市、砚山县位列前两名。",
    )
    return replace(base, **over)


ISSUE = Issue("6.3.2c", "道路照明亮灯率", "90%", "≥95%", "未达标", "砚山县.xlsx I40", "正在维修")
EARLIER = OrderLine("2022Q3-001", "砚山县", "路灯不亮", "县住建局（任务清单）", "2022Q4", "逾期")


def _feedback(**over) -> FeedbackContext:
    base = FeedbackContext(
        issuer="文山州精神文明建设指导委员会办公室",
        title="2022年第四季度文明城市创建测评反馈单",
        county="砚山县",
        quarter="2022Q4",
        quarter_label="2022年第四季度",
        issue_date=dt.date(2023, 1, 10),
        total=71.0,
        rank=2,
        ranked=2,
        rank_change=-1,
        rank_range="1–2",
        remark="",
        deduction=1.0,
        lists="未上榜",
        goal="创成省级文明城市：达到达标线",
        areas=(AreaLine("一、领域一", 0.5, 0.75), AreaLine("二、领域二", None, 0.8)),
        groups=(IssueGroup("六、领域六", (ISSUE,), ("2023年3月31日",)),),
        earlier=(EARLIER,),
        noted=True,
    )
    return replace(base, **over)


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _texts(document) -> list[str]:
    """Every paragraph's text (tabs and line breaks as \\t and \\n), the tables' cells included, in order."""
    texts = (Paragraph(p, document._body).text for p in document.element.body.iter(qn("w:p")))
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def bulletin():
    return _open(bulletin_docx(_ctx()))


@pytest.mark.parametrize(
    ("style", "font", "size"),
    [
        ("Normal", "仿宋_GB2312", 16),
        ("Title", "方正小标宋简体", 22),
        ("Heading 1", "黑体", 16),
        ("Heading 2", "楷体_GB2312", 16),
        ("发文机关标志", "方正小标宋简体", 26),
        ("表格文字", "仿宋_GB2312", 12),
        ("表头", "黑体", 12),
        ("宽表文字", "仿宋_GB2312", 10.5),
        ("页码（单页）", "宋体", 14),
        ("版记", "仿宋_GB2312", 14),
    ],
)
def test_styles_carry_their_east_asian_font_and_size(bulletin, style, font, size):
    found = bulletin.styles[style]
    fonts = found.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == font
    assert fonts.get(qn("w:ascii")) in (font, "Times New Roman") and fonts.get(qn("w:asciiTheme")) is None
    assert found.font.size == Pt(size)
    assert not found.font.bold


def test_built_in_styles_carry_the_office_names(bulletin):
    aliases = {s: bulletin.styles[s].element.find(qn("w:aliases")).get(qn("w:val")) for s in ("Title", "Heading 1")}
    assert aliases == {"Title": "公文标题", "Heading 1": "一级标题"}


def test_body_text_is_3hao_fangsong_on_exact_lines_indented_two_characters(bulletin):
    fmt = bulletin.styles["Normal"].paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(28.95)
    ind = bulletin.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    heading = bulletin.styles["Heading 1"].element.pPr.find(qn("w:ind"))
    assert heading.get(qn("w:firstLineChars")) == "200"
    assert bulletin.styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    body = [p for p in bulletin.paragraphs if p.text.startswith("本季度应报送")]
    assert body and body[0].style.name == "Normal" and not any(r.font.size or r.font.name for r in body[0].runs)


def test_page_is_a4_with_the_standard_margins(bulletin):
    for section in bulletin.sections:  # the body's and the 版记's
        sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
        sizes += (section.left_margin, section.right_margin)
        assert [round(s.mm, 1) for s in sizes] == [210, 297, 37, 35, 28, 26]  # stored in twips


def test_footers_number_odd_pages_right_and_even_pages_left(bulletin):
    assert bulletin.settings.odd_and_even_pages_header_footer
    section = bulletin.sections[0]
    assert section.footer_distance < section.bottom_margin
    for footer, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        (paragraph,) = footer.paragraphs
        instr = "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert instr.strip() == "PAGE"
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.style.paragraph_format.alignment == side


def test_masthead_red_with_a_red_rule_under_the_document_number(bulletin):
    first, number = bulletin.paragraphs[:2]
    assert first.text == "文山州精神文明建设指导委员会办公室" and first.style.name == "发文机关标志"
    assert str(first.style.font.color.rgb) == "D40000"
    assert round(first.style.paragraph_format.space_before.mm, 1) == 35
    assert number.text == "文文明办〔2023〕4号"
    rule = number.style.element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (rule.get(qn("w:color")), rule.get(qn("w:sz"))) == ("D40000", "12")


def test_the_colophon_stands_alone_at_the_foot_of_the_last_even_page(bulletin):
    body, last = bulletin.sections
    assert last.start_type == WD_SECTION_START.EVEN_PAGE
    assert last._sectPr.find(qn("w:vAlign")).get(qn("w:val")) == "bottom"
    assert not last.footer.is_linked_to_previous and not last.footer.paragraphs[0].text  # no page number
    assert not last.even_page_footer.is_linked_to_previous and not last.even_page_footer.paragraphs[0].text
    colophon = bulletin.tables[-1]
    assert [r.cells[0].text for r in colophon.rows] == [
        "抄送：州委宣传部",
        "文山州精神文明建设指导委员会办公室\t2023年1月10日印发",
    ]
    rules = colophon._tbl.tblPr.find(qn("w:tblBorders"))
    assert [rules.find(qn(f"w:{s}")).get(qn("w:sz")) for s in ("top", "insideH", "bottom")] == ["8", "6", "8"]


def test_data_tables_repeat_their_header_and_never_split_a_row(bulletin):
    data = [t for t in bulletin.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(data) == 5  # ranking, goals, orders, intake, annex scores
    for table in data:
        first = table.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        widths = sum(int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol")))
        assert round(widths / 56.7) == 156  # twips to mm: the text block's width
    annex = data[-1]
    assert len(annex.columns) == 14
    assert annex.rows[1].cells[4].paragraphs[0].style.font.size <= Pt(10.5)


def test_sections_follow_the_template_in_its_words(bulletin):
    text = "\n".join(_texts(bulletin))
    order = [
        "关于2022年第四季度全州文明城市创建工作测评情况的通报",
        "各县（市）文明办：",
        "一、总体情况",
        "较上季度上升2.50分",
        "二、测评结果",
        "三、大比武和红黑榜",
        "四、年度目标进展",
        "五、存在的主要问题",
        "（一）一、领域一方面。",
        "六、整改要求",
        "于2023年3月31日前将整改情况报送州文明办",
        "七、报送和数据问题",
        "附件：各县（市）得分及领域得分率",
        "2023年1月10日",
        "（总分按2022.2版创建任务目录计算，各项任务的其余工作和各项定量指标共124个计分部分，满分124分",
        "各县（市）得分及领域得分率",
        "抄送：州委宣传部",
        "2023年1月10日印发",
    ]
    at = 0
    for piece in order:  # each after the one before
        at = text.find(piece, at)
        assert at >= 0, piece
    annex = next(p for p in bulletin.paragraphs if p.text == "附件")
    assert annex.style.paragraph_format.page_break_before and annex.style.font.name == "黑体"


class _Text(HTMLParser):
    """The body's text, and the text of each heading (h1–h3)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.headings: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(re.sub(r"\s+", "", "".join(self._heading)))
            self._heading = None

    def handle_data(self, data):
        self.parts.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _html(html: str) -> _Text:
    parser = _Text()
    parser.feed(html[html.index("<body>") :])
    return parser


@pytest.mark.parametrize(
    ("template", "build", "ctx"),
    [
        ("bulletin.html.j2", bulletin_docx, _ctx()),
        ("bulletin.html.j2", bulletin_docx, _ctx(extras=None, charts=None, remarks=False, podium="")),
        ("feedback.html.j2", feedback_docx, _feedback()),
        ("feedback.html.j2", feedback_docx, _feedback(groups=(), earlier=(), noted=False, remark="未报送")),
    ],
    ids=["bulletin", "bulletin without extras", "feedback", "feedback without issues"],
)
def test_the_docx_says_what_the_html_says(template, build, ctx):
    """The same sentences, numbers and dates as the HTML (and so the PDF) of the same context, and every
    heading of the HTML."""
    html = _html(render_html(template, ctx))
    text = re.sub(r"\s+", "", "".join(html.parts))
    docx_texts = _texts(_open(build(ctx)))
    for paragraph in docx_texts:
        for piece in re.split(r"[\t\n]", paragraph):
            assert re.sub(r"\s+", "", piece) in text, piece
    joined = {re.sub(r"\s+", "", t) for t in docx_texts}
    assert [h for h in html.headings if h not in joined] == []


def test_county_markup_and_control_characters_stay_text():
    ctx = _ctx(recipients=SCRIPT, cc="宣传部\x0b\x00办")
    extras = replace(ctx.extras, goals=(GoalRow("文山市", "创成", SCRIPT),))
    data = bulletin_docx(replace(ctx, extras=extras))
    texts = _texts(_open(data))
    assert texts.count(SCRIPT) == 2 and "抄送：宣传部办" in texts
    with __import__("zipfile").ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    hostile = Issue("1.1.1", SCRIPT, "", "", "", "", SCRIPT)
    sheet = _open(feedback_docx(_feedback(goal=SCRIPT, groups=(IssueGroup("一、领域一", (hostile,), ("",)),))))
    assert _texts(sheet).count(SCRIPT) == 3


def test_two_builds_are_byte_identical_and_dated_by_the_issue_date():
    first = bulletin_docx(_ctx())
    time.sleep(1.1)  # python-docx would stamp the zip entries with the current second
    assert bulletin_docx(_ctx()) == first
    assert feedback_docx(_feedback()) == feedback_docx(_feedback())
    props = _open(first).core_properties
    assert props.created == props.modified == dt.datetime(2023, 1, 10, tzinfo=dt.UTC)
    assert props.title == _ctx().title and props.author == _ctx().issuer


def test_charts_are_left_out_unless_given_as_png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 30), "white").save(buf, format="PNG")
    without = _open(bulletin_docx(_ctx()))
    assert not without.inline_shapes and not any(t.startswith("图1") for t in _texts(without))
    shown = _open(bulletin_docx(_ctx(), {"trend": buf.getvalue()}))
    assert len(shown.inline_shapes) == 1 and "图1　近八个季度总分走势" in _texts(shown)


def test_feedback_sheet_merges_the_goal_across_its_row():
    sheet = _open(feedback_docx(_feedback(remark="不予排名")))
    assert sheet.paragraphs[0].text == "砚山县\n2022年第四季度文明城市创建测评反馈单"
    profile = sheet.tables[0]
    assert [c.text for c in profile.rows[0].cells] == ["总分", "71.00", "排名", "2／2"]
    goal = profile.rows[3].cells
    assert goal[1] is not goal[0] and goal[1]._tc is goal[3]._tc and goal[1].text == "创成省级文明城市：达到达标线"
    assert profile.rows[4].cells[1].text == "不予排名"
    headings = [(p.style.name, p.text) for p in sheet.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "一、各领域得分率"),
        ("Heading 1", "二、未达标的要求和未完成的任务"),
        ("Heading 1", "三、以前季度的其他派单"),
    ]
    issues = sheet.tables[2]
    area = issues.rows[1].cells
    assert area[0]._tc is area[-1]._tc and area[0].text.startswith("（一）")  # an area's row spans the table
    issues, earlier = sheet.tables[-2:]
    assert [c.text for c in issues.rows[2].cells] == [
        "6.3.2c",
        "道路照明亮灯率",
        "90%",
        "≥95%",
        "未达标",
        "2023年3月31日",
        "正在维修",
    ]
    assert earlier.rows[1].cells[-1].text == "逾期" and earlier.rows[1].cells[0].paragraphs[0].style.font.size == Pt(
        10.5
    )
    empty = _texts(_open(feedback_docx(_feedback(groups=(), earlier=()))))
    assert "本季度各项指标均已达标，任务均已完成。" in empty and "以前季度的其他派单均已销号。" in empty


def _writer() -> str | None:
    """Why LibreOffice cannot print a .docx here, or None when it can."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return "LibreOffice (soffice) is not on PATH"
    if not list(Path(soffice).resolve().parent.glob("libswlo.*")):
        return "LibreOffice Writer is not installed (bash scripts/setup.sh --test installs it)"
    if shutil.which("pdftotext") is None:
        return "pdftotext (poppler-utils) is missing"
    return None


@pytest.mark.skipif(_writer() is not None, reason=_writer() or "")
def test_libreoffice_prints_every_section(tmp_path):
    (tmp_path / "通报.docx").write_bytes(bulletin_docx(_ctx()))
    (tmp_path / "砚山县反馈单.docx").write_bytes(feedback_docx(_feedback()))
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "通报.docx"),
            str(tmp_path / "砚山县反馈单.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert (tmp_path / "通报.pdf").is_file() and (tmp_path / "砚山县反馈单.pdf").is_file(), done.stderr[-2000:]

    def text(name: str) -> tuple[str, int]:
        out = subprocess.run(["pdftotext", str(tmp_path / name), "-"], capture_output=True, text=True, check=True)
        return re.sub(r"\s+", "", out.stdout), out.stdout.count("\f")

    printed, pages = text("通报.pdf")
    assert pages >= 3
    for heading in (
        "一、总体情况",
        "二、测评结果",
        "五、存在的主要问题",
        "七、报送和数据问题",
        "附件",
        "2023年1月10日印发",
    ):
        assert heading in printed
    assert re.search(r"—1—", printed) and re.search(r"—2—", printed)
    sheet, pages = text("砚山县反馈单.pdf")
    assert pages >= 1 and "三、以前季度的其他派单" in sheet and "道路照明亮灯率" in sheet
