"""The cell details of an .xlsx/.xlsm that a value grid cannot say (number formats, Excel errors, formulas
and whether they carry a cached result), read in one streaming pass over the package's XML.

openpyxl gave the same answers but needed two full loads of the workbook (values and formulas): about
0.1 s per county file, the intake's main cost at thousands of files. Here each sheet's XML is parsed once
with expat through defusedxml (no DTDs, entities or external references), and only the cells' attributes
are looked at. tests/chuangwen/test_xlsx_cells.py checks the result against openpyxl's on every kind of
file we test with.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

import defusedxml.ElementTree as safe_et
from openpyxl.styles.numbers import BUILTIN_FORMATS

from transforms.ingest import SheetDetails

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


def _sheet_details(zf: zipfile.ZipFile, part: str, formats: list[str]) -> SheetDetails:
    details = SheetDetails()
    row_index, col_index = -1, -1
    with zf.open(part) as fh:
        for event, elem in safe_et.iterparse(fh, events=("start", "end"), forbid_dtd=True):
            tag = _local(elem.tag)
            if tag == "row":
                if event == "start":
                    r = elem.get("r")
                    row_index, col_index = (int(r) - 1 if r and r.isdigit() else row_index + 1), -1
                else:
                    elem.clear()  # keep memory flat on long sheets
                continue
            if tag != "c" or event != "end":
                continue
            ref = elem.get("r")
            match = _CELL_REF.match(ref) if ref else None
            if match:
                col_index, row_index = _column_index(match.group(1)), int(match.group(2)) - 1
            else:  # a writer may leave out references: cells then follow one another
                col_index += 1
            at = (row_index, col_index)
            value = formula = None
            for child in elem:
                name = _local(child.tag)
                if name == "v":
                    value = child.text
                elif name == "is":
                    value = "".join(t.text or "" for t in child.iter() if _local(t.tag) == "t") or None
                elif name == "f":
                    formula = True
            if formula:
                details.formulas[at] = value is not None and value != ""
            if value is None or value == "":
                continue
            if elem.get("t") == "e":
                details.errors[at] = value
                continue
            style = int(elem.get("s", "0") or 0)
            code = formats[style] if style < len(formats) else "General"
            if code and code != "General":
                details.formats[at] = code
    return details


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
        kind, target = rels.get(rel_id, ("", ""))
        if kind.endswith(_WORKSHEET) and target in zf.NameToInfo:
            out[node.get("name", "")] = _sheet_details(zf, target, formats)
    return out
