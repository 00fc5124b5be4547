"""The cell details of an .xlsx/.xlsm that a value grid cannot say (number formats, Excel errors, formulas
and whether they carry a cached result), read from the package's XML.

openpyxl gave the same answers but needed two full loads of the workbook (values and formulas): about
0.1 s per county file, the intake's main cost at thousands of files. Here each sheet's XML is first
checked by expat with the guards of defusedxml (no DTDs, entities or external references) and no
Python callbacks, which costs about a millisecond for a county's sheet; the cells are then picked out of
the checked text with regular expressions. Python callbacks for every element cost eight times more
than the parse itself. Text that the expressions do not cover (comments, CDATA sections, processing
instructions, cells without a reference, encodings other than UTF-8, very large sheets) goes through
the slower path: expat with callbacks, streaming. tests/adapters/test_xlsx_cells.py checks both paths
against openpyxl's answers on every kind of file we test with.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from xml.parsers import expat

import defusedxml.ElementTree as safe_et
from defusedxml import DTDForbidden, EntitiesForbidden
from openpyxl.styles.numbers import BUILTIN_FORMATS

from core.problems import SheetDetails

_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_OFFICE_DOCUMENT = "/officeDocument"
_STYLES = "/styles"
_WORKSHEET = "/worksheet"


def _local(tag: str) -> str:
    """Tag or attribute name without its namespace (transitional and strict OOXML alike)."""
    return tag.rsplit("}", 1)[-1]


def _parse(zf: zipfile.ZipFile, name: str):
    with zf.open(name) as fh:
        return safe_et.parse(fh, forbid_dtd=True).getroot()


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part name) for a part such as xl/workbook.xml."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in zf.NameToInfo:
        return {}
    out = {}
    for rel in _parse(zf, rels):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return out


def _workbook_part(zf: zipfile.ZipFile) -> str:
    for rel_type, target in _relationships(zf, "").values():
        if rel_type.endswith(_OFFICE_DOCUMENT):
            return target
    return "xl/workbook.xml"


def _cell_formats(zf: zipfile.ZipFile, styles_part: str | None) -> list[str]:
    """Number format code of each cell style (cellXfs), by style index."""
    if not styles_part or styles_part not in zf.NameToInfo:
        return []
    root = _parse(zf, styles_part)
    custom = {}
    xfs: list[str] = []
    for child in root:
        name = _local(child.tag)
        if name == "numFmts":
            for fmt in child:
                custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "General")
        elif name == "cellXfs":
            for xf in child:
                fmt_id = int(xf.get("numFmtId", "0") or 0)
                xfs.append(custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "General"))
    return xfs


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


class _SheetHandler:
    """expat callbacks collecting one sheet's cell details without building any tree."""

    def __init__(self, formats: list[str]) -> None:
        self.formats = formats
        self.details = SheetDetails()
        self.row, self.col = -1, -1
        self.cell: dict[str, str] | None = None
        self.text: list[str] | None = None  # collecting a <v> or an inline string's <t>
        self.value: str | None = None
        self.formula = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = name.rpartition(":")[2]
        if name == "c":
            self.cell, self.value, self.formula = attrs, None, False
        elif self.cell is None:
            if name == "row":
                r = attrs.get("r")
                self.row, self.col = (int(r) - 1 if r and r.isdigit() else self.row + 1), -1
        elif name == "v" or name == "t":
            self.text = []
        elif name == "f":
            self.formula = True

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, name: str) -> None:
        name = name.rpartition(":")[2]
        if name == "v" or name == "t":
            if self.text is not None and self.cell is not None:
                self.value = (self.value or "") + "".join(self.text)
            self.text = None
        elif name == "c" and self.cell is not None:
            self._cell(self.cell)
            self.cell = None

    def _cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        match = _CELL_REF.match(ref) if ref else None
        if match:
            self.col, self.row = _column_index(match.group(1)), int(match.group(2)) - 1
        else:  # a writer may leave out references: cells then follow one another
            self.col += 1
        at, value = (self.row, self.col), self.value
        if self.formula:
            self.details.formulas[at] = bool(value)
        style = attrs.get("s", "0")
        _note_cell(self.details, at, attrs.get("t") == "e", int(style) if style.isdigit() else 0, value, self.formats)


def _note_cell(
    details: SheetDetails, at: tuple[int, int], error: bool, style: int, value: str | None, formats: list[str]
) -> None:
    """An error cell's code, or a filled cell's number format when it is not General."""
    if not value:
        return
    if error:
        details.errors[at] = value
        return
    code = formats[style] if style < len(formats) else "General"
    if code and code != "General":
        details.formats[at] = code


def _refuse_dtd(name, *_):
    raise DTDForbidden(name, None, None)


def _refuse_entity(name, *_):
    raise EntitiesForbidden(name, None, None, None, None, None)


def _guarded_parser() -> expat.XMLParserType:
    """expat with the guards of defusedxml: no DTD, no entity declarations, no external entities."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    return parser


def _streamed_details(zf: zipfile.ZipFile, part: str, formats: list[str]) -> SheetDetails:
    """One sheet's details from an expat pass with callbacks (any well-formed sheet, streamed)."""
    handler = _SheetHandler(formats)
    parser = _guarded_parser()
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    parser.buffer_text = True
    with zf.open(part) as fh:
        parser.ParseFile(fh)
    return handler.details


SCAN_MAX_BYTES = 16 * 1024 * 1024  # larger sheets are streamed rather than held in memory
# On the UTF-8 bytes of a checked sheet whose elements carry no namespace prefix (what Excel, WPS,
# LibreOffice and openpyxl write); bytes, because matching str of Chinese text is several times slower.
_ATTRS = rb"((?:\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*"
_SHEET_DATA = re.compile(rb"<sheetData" + _ATTRS + rb"(/?)>")
_PREFIXED = re.compile(rb"<[\w.-]+:(?:sheetData|row|c|v|f|is|t)[\s/>]")
_CELL_START = re.compile(rb"<c[\s/>]")
_CELL = re.compile(rb"<c" + _ATTRS + rb"(?:/>|>([^<]*(?:<(?!/c[\s>])[^<]*)*)</c\s*>)")
_REF_ATTR = re.compile(rb"\sr\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_STYLE_ATTR = re.compile(rb"\ss\s*=\s*[\"'](\d*)[\"']")
_ERROR_ATTR = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_FORMULA = re.compile(rb"<f[\s/>]")
_TEXT = re.compile(rb"<(v|t)" + _ATTRS + rb">(.*?)</\1\s*>", re.S)
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.-]+)")


def _cell_text(content: bytes) -> str:
    text = b"".join(t for _, _, t in _TEXT.findall(content)).decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _scanned_details(data: bytes, formats: list[str]) -> SheetDetails | None:
    """One sheet's details picked out of its checked bytes, or None when they hold something the
    expressions do not cover (then the sheet is streamed through the callbacks instead).

    Only what can give a detail is looked at closely: a cell with a formula, an error cell, or a filled
    cell whose style has a number format other than General; any other cell costs one attribute match."""
    declared = _DECLARED_ENCODING.match(data[:200])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16
    prolog_end = data.find(b"?>", 0, 200) + 2 if data.lstrip().startswith(b"<?xml") else 0
    body = data[prolog_end:]
    if b"<!" in body or b"<?" in body or _PREFIXED.search(body):  # comments, CDATA, PIs, prefixes
        return None
    opened = body.find(b"<sheetData")
    found = _SHEET_DATA.match(body, opened) if opened >= 0 else None
    if found is None:
        return None
    closed = len(body) if found.group(2) else body.find(b"</sheetData", found.end())
    cells = body[found.end() : closed] if closed >= 0 else b""
    formatted = {i for i, code in enumerate(formats) if code and code != "General"}
    details = SheetDetails()
    styles_used = {int(i) for i in _STYLE_ATTR.findall(cells) if i}
    if not (formatted & styles_used or b"<f" in cells or _ERROR_ATTR.search(cells)):
        return details  # no cell here can have a detail: no formula, no error, no number format
    scanned = 0
    for attrs, content in _CELL.findall(cells):
        scanned += 1
        if not content:
            continue
        style = _STYLE_ATTR.search(attrs)
        style_index = int(style.group(1)) if style and style.group(1) else 0
        formula = b"<f" in content and _FORMULA.search(content) is not None
        error = b"e" in attrs and _ERROR_ATTR.search(attrs) is not None
        if not (formula or error or style_index in formatted):
            continue
        ref = _REF_ATTR.search(attrs)
        match = _CELL_REF.match(html.unescape((ref.group(1) or ref.group(2) or b"").decode())) if ref else None
        if not match:
            return None  # a cell placed by its order in the row: the callbacks keep count
        at = (int(match.group(2)) - 1, _column_index(match.group(1)))
        value = _cell_text(content)
        if formula:
            details.formulas[at] = bool(value)
        _note_cell(details, at, error, style_index, value, formats)
    if scanned != len(_CELL_START.findall(cells)):
        return None
    return details


def _sheet_details(zf: zipfile.ZipFile, part: str, formats: list[str]) -> SheetDetails:
    """One sheet's details: checked by a guarded expat pass without callbacks, then scanned; streamed
    through callbacks when the sheet is very large or its text is not one the scan covers."""
    if zf.getinfo(part).file_size > SCAN_MAX_BYTES:
        return _streamed_details(zf, part, formats)
    data = zf.read(part)
    _guarded_parser().Parse(data, True)
    scanned = _scanned_details(data, formats)
    return scanned if scanned is not None else _streamed_details(zf, part, formats)


def read_details(zf: zipfile.ZipFile) -> dict[str, SheetDetails]:
    """Sheet name → its cell details (row, col from 0), for every worksheet of an open .xlsx package."""
    workbook = _workbook_part(zf)
    rels = _relationships(zf, workbook)
    styles = next((target for kind, target in rels.values() if kind.endswith(_STYLES)), None)
    formats = _cell_formats(zf, styles)
    out = {}
    for node in _parse(zf, workbook).iter():
        if _local(node.tag) != "sheet":
            continue
        rel_id = next((v for k, v in node.attrib.items() if _local(k) == "id" and k.startswith("{")), None)
        kind, target = rels.get(rel_id, ("", "")) if rel_id is not None else ("", "")
        if kind.endswith(_WORKSHEET) and target in zf.NameToInfo:
            out[node.get("name", "")] = _sheet_details(zf, target, formats)
    return out
