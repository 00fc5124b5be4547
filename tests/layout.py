"""Layout checks of the documents we print (GB/T 9704-2012: A4, text block 156 × 225 mm, 28 mm from the
left edge and 37 mm from the top; page numbers stand below the block).

Two views of the same document:
- the PDF as a reader gets it, through `pdftotext -bbox-layout`: every word's box on its page, which must
  lie inside the text block;
- the HTML laid out by WeasyPrint (the renderer of the PDF), whose boxes say what the PDF cannot: which
  text belongs to which table cell, which line boxes a cell wrapped into, what stands last on a page.

Each check returns the faults it found, worded for the assertion message; an empty list is a pass.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4  # PDF points per millimetre
BLOCK = (28.0, 37.0, 28.0 + 156.0, 37.0 + 225.0)  # left, top, right, bottom in mm
SLACK = 1.5  # mm: the glyph boxes of large type (the masthead, the title) stand a little outside their line
HEADING_TAGS = {"h1", "h2", "h3"}

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float  # mm from the paper's left and top edges
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: Path) -> list[Word]:
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for n, page in enumerate(xml.split("<page ")[1:], start=1):
        for m in _WORD.finditer(page):
            x0, y0, x1, y1 = (float(m[i]) / MM for i in range(1, 5))
            words.append(Word(n, m[5], x0, y0, x1, y1))
    return words


def _page_number(word: Word) -> bool:
    return word.y0 > BLOCK[3] - SLACK and re.fullmatch(r"—|\d+", word.text) is not None


def words_outside_block(pdf: Path, landscape_pages: frozenset[int] = frozenset()) -> list[str]:
    """Words outside the text block, page numbers excepted. A landscape page (GB/T 9704 allows them for
    wide tables) turns the block with the paper."""
    out = []
    for w in pdf_words(pdf):
        if _page_number(w):
            continue
        left, top, right, bottom = BLOCK
        if w.page in landscape_pages:
            left, top, right, bottom = top, left, bottom, right
        if w.x0 < left - SLACK or w.x1 > right + SLACK or w.y0 < top - SLACK or w.y1 > bottom + SLACK:
            out.append(f"{pdf.name} 第{w.page}页 “{w.text}” 在 x {w.x0:.1f}–{w.x1:.1f} mm, y {w.y0:.1f}–{w.y1:.1f} mm")
    return out


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _text(box) -> str:
    return "".join(b.text for b in _boxes(box) if hasattr(b, "text") and isinstance(b.text, str))


def _lines(cell) -> list[str]:
    from weasyprint.formatting_structure import boxes

    return [_text(b) for b in _boxes(cell) if isinstance(b, boxes.LineBox) and _text(b).strip()]


def html_layout_faults(html: str) -> list[str]:
    """Lay the HTML out as the PDF renderer does (adapters.render) and report its document_faults."""
    from adapters.render import layout_document

    return document_faults(layout_document(html))


def document_faults(document) -> list[str]:
    """In a laid-out WeasyPrint document: table cells wrapped one character per line (two or more lines
    of one character each), text running over its cell's border, boxes wider than the text block, and a
    heading or a table's header row standing last on a page."""
    from weasyprint.formatting_structure import boxes

    faults = []
    for n, page in enumerate(document.pages, start=1):
        root = page._page_box
        content_left = root.content_box_x()
        content_right = content_left + root.width
        for box in _boxes(root):
            if isinstance(box, boxes.TableCellBox):
                lines = _lines(box)
                if len(lines) >= 2 and all(len(line.strip()) <= 1 for line in lines):
                    faults.append(f"第{n}页 单元格“{''.join(lines)}”每行一个字")
                right = box.content_box_x() + box.width
                for text in (b for b in _boxes(box) if isinstance(b, boxes.TextBox)):
                    if text.position_x + text.width > right + 1:  # px
                        faults.append(f"第{n}页 “{text.text}”越出单元格边框")
            placed = isinstance(box, boxes.BlockBox | boxes.TableBox | boxes.ReplacedBox)
            if placed and box.element_tag not in {"html", "body"}:
                right_edge = box.position_x + box.margin_width()
                if right_edge > content_right + 1 or box.position_x < content_left - 1:
                    faults.append(f"第{n}页 <{box.element_tag}> 宽于版心")
        body = next((b for b in _boxes(root) if getattr(b, "element_tag", "") == "body"), None)
        if body is None:
            continue
        flow = [b for b in body.children if isinstance(b, boxes.BlockLevelBox)]
        if flow and n < len(document.pages):
            last_in_flow = flow[-1]
            if getattr(last_in_flow, "is_table_wrapper", False):
                table = last_in_flow.get_wrapped_table()
                groups = [g for g in table.children if isinstance(g, boxes.TableRowGroupBox)]
                if groups and all(g.is_header for g in groups):
                    faults.append(f"第{n}页 表头单独留在页末")
            elif last_in_flow.element_tag in HEADING_TAGS or "annex-title" in (
                last_in_flow.element.get("class", "") if last_in_flow.element is not None else ""
            ):
                faults.append(f"第{n}页 标题“{_text(last_in_flow).strip()}”单独留在页末")
    return faults


_LINE = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', re.S)


def ragged_body_lines(pdf: Path, size_pt: float = 16.0) -> list[str]:
    """Body lines (type of `size_pt`) that end short of the block's right edge by more than one character,
    though the paragraph goes on on the next line. WeasyPrint justifies only at spaces, which Chinese text
    has none of: the type's spacing is set so that 28 characters fill the line, and what is left over on a
    line with digits or Latin letters is under one character."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    right = BLOCK[2]
    char_mm = size_pt / MM
    for n, page in enumerate(xml.split("<page ")[1:], start=1):
        lines = []
        for m in _LINE.finditer(page):
            x0, y0, x1, y1 = (float(m[i]) / MM for i in range(1, 5))
            if abs((y1 - y0) - size_pt * 1.437 / MM) < 0.6:  # the glyph box of one line of this type
                text = "".join(w[5] for w in _WORD.finditer(m[5]))
                lines.append((x0, y0, x1, text))
        for (_x0, y0, x1, text), (nx0, ny0, _, _) in zip(lines, lines[1:], strict=False):
            continues = abs(nx0 - BLOCK[0]) < 0.5 and 0 < ny0 - y0 < 1.2 * 28.99 / MM
            if continues and right - x1 > char_mm:
                out.append(f"{pdf.name} 第{n}页 “{text}”右侧空出 {right - x1:.1f} mm")
    return out


def render_checked(items: list[tuple[str, str]]) -> list[tuple[str, bytes, list[str]]]:
    """Each (name, HTML) laid out once, as adapters.render.render_pdf does: its PDF bytes and the faults of
    that layout (document_faults). Module-level, for a process pool (adapters.processes.map_batches)."""
    from adapters.render import layout_document, write_pdf

    out = []
    for name, html in items:
        document = layout_document(html)
        out.append((name, write_pdf(document), [f"{name} {f}" for f in document_faults(document)]))
    return out


def words_outside_blocks(pdfs: list[str]) -> list[str]:
    """words_outside_block over several PDFs (paths), for a process pool."""
    return [fault for pdf in pdfs for fault in words_outside_block(Path(pdf))]
