"""The house style of the office's Word documents after GB/T 9704-2012, for adapters/word.py: the A4 page
and its 156 × 225 mm text block, the named styles (正文, 公文标题, 一级标题 …) that an editor in WPS or Word
restyles in one place, page numbers in the footers, tables whose header row repeats, and reproducible
bytes (python-docx stamps the current time into the zip entries and the document properties).

python-docx covers fonts, sizes and paragraph spacing; what it lacks (East Asian font slots, indents in
characters, borders, header rows, fields, even-page footers) is written as WordprocessingML here, each
element in the order the schema requires."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from docx.document import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

RED = "D40000"  # 发文机关标志 and the red rule (GB/T 9704-2012 7.2.3, 7.2.6)
BLOCK_MM = 156.0  # the text block's width: 210 − 28 − 26
LINE_PT = 28.95  # 22 lines on the 225 mm block (5.2.2)
FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"  # digits and Latin letters of the body text

# Schema order of the children this module writes (ECMA-376 part 1, 17.3.1.26, 17.3.2.28, 17.4.*).
_PPR = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
_RPR = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
    "cs em lang eastAsianLayout specVanish oMath"
)
_TRPR = "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden"
_TCPR = "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark"
_SECTPR = (
    "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
    "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings"
)
_TBLPR = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
    "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
)
_ORDER = {
    tag: names.split()
    for tag, names in (
        ("pPr", _PPR),
        ("rPr", _RPR),
        ("trPr", _TRPR),
        ("tcPr", _TCPR),
        ("tblPr", _TBLPR),
        ("sectPr", _SECTPR),
    )
}


def child(parent, tag: str, **attrs: str):
    """parent's w:<tag> child, created in schema order if missing, with the given w: attributes."""
    found = parent.find(qn(f"w:{tag}"))
    if found is None:
        found = OxmlElement(f"w:{tag}")
        order = _ORDER.get(parent.tag.rsplit("}", 1)[1], [tag])
        later = {qn(f"w:{t}") for t in order[order.index(tag) + 1 :]}
        anchor = next((c for c in parent if c.tag in later), None)
        if anchor is None:
            parent.append(found)
        else:
            anchor.addprevious(found)
    for name, value in attrs.items():
        found.set(qn(f"w:{name}"), value)
    return found


def set_fonts(rpr, east_asian: str, latin: str | None = None) -> None:
    """The East Asian slot (w:eastAsia) and the Latin ones; theme fonts removed, since they would win."""
    fonts = child(rpr, "rFonts")
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    latin = latin or east_asian
    for slot, name in (("eastAsia", east_asian), ("ascii", latin), ("hAnsi", latin), ("cs", latin)):
        fonts.set(qn(f"w:{slot}"), name)


@dataclass(frozen=True)
class Look:
    """A named paragraph style: its font and size, alignment, first-line indent in characters, exact
    line pitch (None: single spacing, for lines that hold a picture or larger type), spacing in points."""

    font: str
    size: float
    latin: str | None = None
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent_chars: int = 0
    line: float | None = LINE_PT
    before: float = 0
    after: float = 0
    color: str = "000000"
    keep_next: bool = False
    page_break: bool = False
    outline: int | None = None  # a heading's level in the navigation pane
    tracking: float = 0  # character spacing, points
    left_chars: int = 0  # indents from the column's edges, in characters
    right_chars: int = 0
    tab_right: int | None = None  # a right tab stop this many characters in from the block's right edge


BODY = Look(FANGSONG, 16, LATIN, indent_chars=2, tracking=-0.25)  # 28 characters a line (5.2.2)
CENTRED = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT

# Built-in styles (Word shows them as 正文, 标题, 标题 1, 标题 2) keep their names so that the outline,
# the navigation pane and a table of contents know them; the others are the office's own.
PARAGRAPH_STYLES: dict[str, Look] = {
    "Normal": BODY,
    "Title": Look(XIAOBIAOSONG, 22, align=CENTRED, line=34, after=LINE_PT, keep_next=True),
    "Heading 1": Look(HEITI, 16, indent_chars=2, keep_next=True, outline=0),
    "Heading 2": Look(KAITI, 16, indent_chars=2, keep_next=True, outline=1),
    "发文机关标志": Look(XIAOBIAOSONG, 26, align=CENTRED, line=None, before=35 / 25.4 * 72, color=RED),
    # 7.2.4: two lines below the masthead; 7.2.6: the red rule 4 mm below; the title two lines below it.
    "发文字号": Look(FANGSONG, 16, LATIN, align=CENTRED, before=2 * LINE_PT, after=2 * LINE_PT),
    "主送机关": Look(FANGSONG, 16, LATIN, tracking=-0.25),
    "附件说明": Look(FANGSONG, 16, LATIN, indent_chars=2, before=LINE_PT / 2, tracking=-0.25),
    "落款": Look(FANGSONG, 16, LATIN, align=CENTRED, before=LINE_PT),  # the issuer, a line below the text
    "成文日期": Look(FANGSONG, 16, LATIN, align=CENTRED),
    "附注": Look(FANGSONG, 16, LATIN, indent_chars=2, tracking=-0.25),
    "表注": Look(FANGSONG, 12, LATIN, line=18, before=6),
    "图": Look(FANGSONG, 12, align=CENTRED, line=None, before=8, keep_next=True),
    "图题": Look(HEITI, 12, align=CENTRED, line=18, after=8),
    "附件标签": Look(HEITI, 16, align=LEFT, page_break=True),
    "附件标题": Look(XIAOBIAOSONG, 18, align=CENTRED, line=None, before=8, after=8, keep_next=True),
    "版记": Look(FANGSONG, 14, LATIN, align=LEFT, line=24, left_chars=1, right_chars=1, tab_right=1),
    "页码（单页）": Look(SONGTI, 14, align=RIGHT, line=None, right_chars=1),
    "页码（双页）": Look(SONGTI, 14, align=LEFT, line=None, left_chars=1),
}


@dataclass(frozen=True)
class TableType:
    """A table's type size: its header (黑体) and cell (仿宋) styles and cell padding."""

    head: str
    cell: str
    left: str  # a cell of running text
    size: float
    padding_mm: float


TEXT = TableType("表头", "表格文字", "表格文字居左", 12, 1.0)
WIDE = TableType("宽表表头", "宽表文字", "宽表文字居左", 10.5, 0.8)
ANNEX = TableType("附件表头", "附件表格文字", "附件表格文字居左", 9, 0.4)  # 4 + 10 columns on 156 mm
for _t in (TEXT, WIDE, ANNEX):
    _pitch = round(_t.size * 1.5)
    PARAGRAPH_STYLES[_t.head] = Look(HEITI, _t.size, align=CENTRED, line=_pitch)
    PARAGRAPH_STYLES[_t.cell] = Look(FANGSONG, _t.size, LATIN, align=CENTRED, line=_pitch)
    PARAGRAPH_STYLES[_t.left] = Look(FANGSONG, _t.size, LATIN, align=LEFT, line=_pitch)

# What the office calls the built-in styles (w:aliases: Word lists “标题,公文标题”).
ALIASES = {"Title": "公文标题", "Heading 1": "一级标题", "Heading 2": "二级标题"}
CHARACTER_STYLES = {"二级标题字符": (KAITI, KAITI)}  # a run-in （一）… heading within a paragraph


def new_document() -> Document:
    """An empty document with the A4 page, GB/T margins, styles and page-numbered footers (built once per
    process and reopened: defining the styles took most of a feedback sheet's build time)."""
    import docx

    return docx.Document(io.BytesIO(_empty_document()))


@functools.cache
def _empty_document() -> bytes:
    import docx

    doc = docx.Document()
    package = doc.part.package
    for rid in [rid for rid, rel in package.rels.items() if rel.reltype == RT.THUMBNAIL]:
        package.rels.pop(rid)  # python-docx's template carries a preview picture of another document
    _defaults(doc)
    for name, look in PARAGRAPH_STYLES.items():
        _paragraph_style(doc, name, look)
    for name, (east_asian, latin) in CHARACTER_STYLES.items():
        style = _style(doc, name, WD_STYLE_TYPE.CHARACTER)
        set_fonts(style.element.get_or_add_rPr(), east_asian, latin)
    # 7.2.6: the red rule, as wide as the block, 4 mm under the 发文字号 (1.5 pt; w:space is in points).
    border(doc.styles["发文字号"].element.get_or_add_pPr(), "bottom", 12, RED, space=11)
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # 7.5: the page number's top 7 mm below the block's bottom edge (35 mm − 7 mm − a 14 pt line).
    section.footer_distance = Mm(22)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], "页码（单页）")
    _page_number(section.even_page_footer.paragraphs[0], "页码（双页）")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _defaults(doc: Document) -> None:
    """Document defaults: 仿宋 16 pt, Chinese as the East Asian language, no spacing after paragraphs."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, FANGSONG, LATIN)
    for tag in ("sz", "szCs"):
        child(rpr, tag, val="32")
    child(rpr, "lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    ppr.remove(ppr.find(qn("w:spacing")))
    child(doc.settings.element, "themeFontLang").set(qn("w:eastAsia"), "zh-CN")


def _style(doc: Document, name: str, kind: WD_STYLE_TYPE):
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, kind)
    for tag in ("w:pPr", "w:rPr"):  # the template's theme fonts, colours and spacing
        for old in style.element.findall(qn(tag)):
            style.element.remove(old)
    style.hidden = False
    style.quick_style = True
    return style


def _paragraph_style(doc: Document, name: str, look: Look) -> None:
    style = _style(doc, name, WD_STYLE_TYPE.PARAGRAPH)
    if name in ALIASES:
        alias = _el("w:aliases", val=ALIASES[name])
        style.element.find(qn("w:name")).addnext(alias)
    if name != "Normal":
        style.base_style = doc.styles["Normal"]
        style.next_paragraph_style = doc.styles["Normal"]
    font = style.font
    font.size = Pt(look.size)
    font.bold = False
    font.italic = False
    font.color.rgb = RGBColor.from_string(look.color)
    rpr = style.element.get_or_add_rPr()
    set_fonts(rpr, look.font, look.latin)
    child(rpr, "spacing", val=str(round(look.tracking * 20)))
    fmt = style.paragraph_format
    fmt.alignment = look.align
    if look.line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = Pt(look.line)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before, fmt.space_after = Pt(look.before), Pt(look.after)
    fmt.keep_with_next = look.keep_next
    fmt.page_break_before = look.page_break
    fmt.widow_control = True
    ppr = style.element.get_or_add_pPr()
    # Indents in characters (what WPS and Word show as “首行缩进 2 字符”), points for other readers.
    first = look.indent_chars * look.size
    child(ppr, "ind", left=str(round(look.left_chars * look.size * 20)), leftChars=str(look.left_chars * 100))
    child(ppr, "ind", right=str(round(look.right_chars * look.size * 20)), rightChars=str(look.right_chars * 100))
    child(ppr, "ind", firstLine=str(round(first * 20)), firstLineChars=str(look.indent_chars * 100))
    if look.tab_right is not None:
        fmt.tab_stops.add_tab_stop(Mm(BLOCK_MM) - Pt(look.tab_right * look.size), WD_TAB_ALIGNMENT.RIGHT)
    if look.outline is not None:
        child(ppr, "outlineLvl", val=str(look.outline))


def _page_number(paragraph: Paragraph, style: str) -> None:
    """— 1 —: a PAGE field between em dashes, one character in from the block's edge (odd pages right,
    even pages left; 7.5)."""
    restyle(paragraph, style)
    paragraph.add_run("— ")
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="separate"))
    paragraph.add_run("1")  # the field's last result, shown until a reader updates it
    paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="end"))
    paragraph.add_run(" —")


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), value)
    return el


def border(ppr, side: str, eighths: int, color: str = "000000", space: int = 1) -> None:
    """A rule on one side of a paragraph (of a style's w:pPr or a paragraph's), as wide as its column."""
    bdr = child(ppr, "pBdr")
    order = ("top", "left", "bottom", "right", "between", "bar")
    edge = _el(f"w:{side}", val="single", sz=str(eighths), space=str(space), color=color)
    later = [bdr.find(qn(f"w:{s}")) for s in order[order.index(side) + 1 :]]
    anchor = next((e for e in later if e is not None), None)
    if anchor is None:
        bdr.append(edge)
    else:
        anchor.addprevious(edge)


def table(
    doc: Document,
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    kind: TableType = TEXT,
    left: Sequence[int] = (),
) -> Table:
    """A bordered table of fixed column widths scaled to the text block; its header row (黑体) repeats on
    every page and no row is split across pages. `left`: the columns of running text, set flush left."""
    scale = BLOCK_MM / sum(widths_mm)
    widths = [Mm(w * scale) for w in widths_mm]
    out = doc.add_table(rows=0, cols=len(widths), style="Table Grid")
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    tblpr = out._tbl.tblPr
    child(tblpr, "tblW", w=str(sum(w.twips for w in widths)), type="dxa")
    pad = str(Mm(kind.padding_mm).twips)
    margins = child(tblpr, "tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(_el(f"w:{side}", w=pad if side in ("left", "right") else "0", type="dxa"))
    for column, width in zip(out.columns, widths, strict=True):
        column.width = width
    if header is not None:
        child(add_row(out, header, widths, kind.head)._tr.get_or_add_trPr(), "tblHeader")
    for values in rows:
        add_row(out, values, widths, kind.cell, kind.left, left)
    return out


def add_row(
    out: Table, values: Sequence[str], widths: Sequence[Mm], style: str, left_style: str = "", left: Sequence[int] = ()
) -> _Row:
    row = out.add_row()
    child(row._tr.get_or_add_trPr(), "cantSplit")
    for i, (cell, value, width) in enumerate(zip(row.cells, values, widths, strict=True)):
        cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        restyle(paragraph, left_style if i in left else style)
        if value:  # an empty cell stays empty, so that merging it adds no line
            paragraph.add_run(clean(value))
    return row


def colophon(doc: Document, cc: str, issuer: str, printed: str) -> None:
    """The 版记 (7.4) on a page of its own, the last and an even one (a section starting on an even page,
    its footers empty: 7.5 numbers neither it nor a blank page before it), at the page's foot so that its
    last rule lies on the block's bottom edge (the section's vertical alignment: Word and WPS honour it,
    LibreOffice 7 sets the 版记 at the top). 抄送 over the issuer and the 印发 date at a right tab, between
    a 0.35 mm rule on top and at the bottom and a 0.25 mm one between, the rules as wide as the block and
    the text one character in: a one-column table with ruled rows."""
    section = doc.add_section(WD_SECTION_START.EVEN_PAGE)
    for footer in (section.footer, section.even_page_footer):
        footer.is_linked_to_previous = False
    child(section._sectPr, "vAlign", val="bottom")
    widths = [Mm(BLOCK_MM)]
    out = doc.add_table(rows=0, cols=1)
    out.autofit = False
    tblpr = out._tbl.tblPr
    child(tblpr, "tblW", w=str(widths[0].twips), type="dxa")
    child(tblpr, "jc", val="center")
    rules = child(tblpr, "tblBorders")
    for side, eighths in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 6), ("insideV", 0)):
        rules.append(_el(f"w:{side}", val="single" if eighths else "nil", sz=str(eighths), space="0", color="000000"))
    margins = child(tblpr, "tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(_el(f"w:{side}", w="0", type="dxa"))
    out.columns[0].width = widths[0]
    if cc:
        add_row(out, (f"抄送：{cc}",), widths, "版记")
    add_row(out, (f"{clean(issuer)}\t{printed}",), widths, "版记")  # the date at the right tab
    # A document ends with a paragraph: one twip high, so that it adds no line under the last rule.
    anchor = para(doc, "", "版记")
    child(anchor._p.get_or_add_pPr(), "spacing", line="20", lineRule="exact")


def no_wrap(out: Table) -> None:
    """Keep every cell's text on one line (figures of the annex's narrow columns)."""
    for row in out.rows:
        for cell in row.cells:
            child(cell._tc.get_or_add_tcPr(), "noWrap")


def style_id(name: str) -> str:
    """The w:styleId of one of our styles: python-docx derives it from the name without its spaces."""
    return name.replace(" ", "")


def restyle(paragraph: Paragraph, style: str) -> None:
    """Set a paragraph's style by id (python-docx's by-name setter scans every style: a table's cells
    took most of a document's build time)."""
    paragraph._p.style = style_id(style)


def para(container: Document | _Cell, text: str = "", style: str = "Normal", run_style: str = "") -> Paragraph:
    """A new paragraph of `style` holding `text` (cleaned), in the document or a table cell."""
    paragraph = container.add_paragraph()
    restyle(paragraph, style)
    if text:
        run = paragraph.add_run(clean(text))
        if run_style:
            run._r.style = style_id(run_style)
    return paragraph


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text as Word can hold it: control characters a spreadsheet cell may carry are dropped (XML 1.0
    cannot store them); markup stays text, escaped by the XML writer."""
    return _NOT_XML.sub("", text)


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def docx_bytes(doc: Document, title: str, author: str, day: dt.date) -> bytes:
    """The .docx bytes, reproducible: document properties dated `day`, fixed zip entry times."""
    props = doc.core_properties
    stamp = dt.datetime(day.year, day.month, day.day)
    props.created = props.modified = props.last_printed = stamp
    props.title, props.author, props.last_modified_by = clean(title), clean(author), clean(author)
    props.revision = 1
    props.language = "zh-CN"
    buf = io.BytesIO()
    doc.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
