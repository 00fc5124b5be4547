"""Hostile and broken files in a quarter's folder: each is refused (or read as data only) with a problem in
Chinese that names the file; nothing crashes, hangs, writes outside its folders, opens a file the input
names or reaches the network; the other counties' files are still read."""

from __future__ import annotations

import io
import random
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from guards import watched

from adapters import spreadsheets
from adapters.returns import ingest_folder
from core.runtime import PROJECT_ROOT
from expectations.catalog import load_catalog

QUARTER = "2022Q4"
SAMPLE = PROJECT_ROOT / "data" / "raw" / QUARTER
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CJK = re.compile(r"[\u4e00-\u9fff]")
SECONDS = 20  # far above a good file's ~10 ms
CHECKED = "不抛异常；20 秒内完成；问题为中文且指明文件；其余 7 县照常采用；不写项目外文件、不打开诱饵文件、不联网"


def _parts(name: str = "砚山县.xlsx") -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLE / name) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(path: Path, parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


def _data_sheet(parts: dict[str, bytes]) -> str:
    """The part name of the 填报表 sheet (the largest worksheet)."""
    sheets = [n for n in parts if n.startswith("xl/worksheets/sheet")]
    return max(sheets, key=lambda n: len(parts[n]))


def _with_sheet(path: Path, xml: bytes) -> None:
    parts = _parts()
    parts[_data_sheet(parts)] = xml
    _zip(path, parts)


def _rows_xml(rows: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{rng.random():.12f}</v></c></row>' for r in range(1, rows + 1))
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'.encode()


def zip_bomb(path):
    _zip(
        path,
        {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"},
    )


def billion_laughs(path):
    entities = '<!ENTITY l0 "ha">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    _with_sheet(
        path,
        f'<?xml version="1.0"?><!DOCTYPE w [{entities}]><worksheet xmlns="{MAIN_NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'.encode(),
    )


def external_entity(path):
    _with_sheet(
        path,
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t>'
        "</is></c></row></sheetData></worksheet>".encode(),
    )


def external_entity_in_styles(path):
    parts = _parts()
    parts["xl/styles.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
        b'<styleSheet xmlns="' + MAIN_NS.encode() + b'"><numFmts>&x;</numFmts></styleSheet>'
    )
    _zip(path, parts)


def parameter_entity(path):
    _with_sheet(path, b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><worksheet/>')


def macro_workbook(path):
    parts = _parts()
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Attribute VB_Name = "Auto_Open"' * 40
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    )
    _zip(path, parts)


def oversized(path):
    with open(path, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.write(random.Random(1).randbytes(spreadsheets.MAX_FILE_BYTES + 1024))


def far_oversized(path):
    """Four gigabytes (sparse: no disk used): refused by its size, never read, hashed or archived."""
    with open(path, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(4 * 1024**3)


def million_rows(path):
    _with_sheet(path, _rows_xml(1_048_576))


def too_many_rows(path):
    _with_sheet(path, _rows_xml(spreadsheets.MAX_ROWS + 10))


def too_many_sheets(path):
    from openpyxl import Workbook

    wb = Workbook()
    for i in range(spreadsheets.MAX_SHEETS + 8):
        wb.create_sheet(f"表{i}")["A1"] = i
    wb.save(path)


def truncated(path):
    path.write_bytes((SAMPLE / "砚山县.xlsx").read_bytes()[:6000])


def random_bytes(path):
    path.write_bytes(random.Random(2).randbytes(50_000))


def empty_file(path):
    path.write_bytes(b"")


def zip_without_workbook(path):
    _zip(path, {"readme.txt": "不是工作簿".encode()})


def deep_nesting(path):
    depth = 200_000
    _with_sheet(path, f'<worksheet xmlns="{MAIN_NS}">'.encode() + b"<x>" * depth + b"</x>" * depth + b"</worksheet>")


def malformed_xml(path):
    _with_sheet(path, f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>1</v></row>'.encode())


def external_link(path):
    parts = _parts()
    rels = "xl/worksheets/_rels/" + _data_sheet(parts).rsplit("/", 1)[1] + ".rels"
    parts[rels] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/hyperlink" Target="http://127.0.0.1:9/steal" TargetMode="External"/>'
        b'<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/image" Target="file:///etc/passwd" TargetMode="External"/></Relationships>'
    )
    _zip(path, parts)


def lying_sizes(path):
    """A zip whose central directory claims the data sheet unpacks to 1 KB (it unpacks to ~70 KB): a
    bomb could hide behind such a claim from a ratio check."""
    parts = _parts()
    _zip(path, parts)
    data = bytearray(path.read_bytes())
    target = _data_sheet(parts).encode()
    at = data.find(b"PK\x01\x02")  # central directory entries
    while at >= 0:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len] == target:
            data[at + 24 : at + 28] = (1024).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def binary_csv(path):
    path.write_bytes(b"\x00\x01\x02" * 1000)


def undecodable_csv(path):
    path.write_bytes(bytes(range(128, 256)) * 50)


def random_xls(path):
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(3).randbytes(20_000))


def symlink_outside(path):
    path.symlink_to("/etc/passwd")


def html_as_xls(path):
    """A web page's table saved as .xls, as many online systems export."""
    path.write_text(
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>指标编号</td><td>填报值</td></tr>"
        "<tr><td>6.3.2c</td><td>96</td></tr></table></body></html>",
        encoding="utf-8",
    )


def empty_xls(path):
    path.write_bytes(b"")


def xlsx_named_xls(path):
    shutil.copy(SAMPLE / "砚山县.xlsx", path)


def stray_far_cell(path):
    """One character typed far to the right (column XFD) of the data sheet: the sheet becomes 16,384 wide."""
    parts = _parts()
    name = _data_sheet(parts)
    xml = parts[name].decode()
    row = re.search(r'<row r="5"[^>]*>.*?</row>', xml, flags=re.S)
    patched = row.group(0).replace("</row>", '<c r="XFD5" t="inlineStr"><is><t>x</t></is></c></row>')
    parts[name] = xml.replace(row.group(0), patched).replace('<dimension ref="A1:L', '<dimension ref="A1:XFD').encode()
    _zip(path, parts)


# (builder, file name, accepted?, message pattern, case, expected in Chinese)
CASES = [
    (zip_bomb, "砚山县.xlsx", False, "压缩比", "压缩炸弹（60 MB 空格压成几十 KB）", "解压前按压缩比拒收"),
    (billion_laughs, "砚山县.xlsx", False, "", "XML 实体膨胀（billion laughs）", "拒收，不展开实体"),
    (external_entity, "砚山县.xlsx", False, "", "XML 外部实体读取 /etc/passwd", "拒收，不读取该文件"),
    (external_entity_in_styles, "砚山县.xlsx", False, "", "样式表中的外部实体（网络地址）", "拒收，不发出请求"),
    (parameter_entity, "砚山县.xlsx", False, "", "XML 参数实体引用外部文件", "拒收"),
    (macro_workbook, "砚山县.xlsm", True, "", "含宏（vbaProject.bin）的 .xlsm 工作簿", "只读取数据，宏不运行"),
    (oversized, "砚山县.xlsx", False, "上限", "超过 20 MB 上限的文件", "读取前按大小拒收"),
    (far_oversized, "砚山县.xlsx", False, "上限", "4 GB 的文件", "按大小拒收，不读取、不计算哈希、不存档"),
    (million_rows, "砚山县.xlsx", False, "行", "一百万行的工作表", "解压前按单个部件大小上限拒收，不解析百万行"),
    (too_many_rows, "砚山县.xlsx", False, "行", "超过 2 万行的工作表", "按行数上限拒收"),
    (too_many_sheets, "砚山县.xlsx", False, "工作表", "40 个工作表", "按工作表数上限拒收"),
    (truncated, "砚山县.xlsx", False, "损坏", "截断的 .xlsx（只有前 6000 字节）", "按文件损坏拒收"),
    (random_bytes, "砚山县.xlsx", False, "", "随机字节，扩展名为 .xlsx", "按文件损坏拒收"),
    (empty_file, "砚山县.xlsx", False, "", "空文件（0 字节）", "拒收"),
    (zip_without_workbook, "砚山县.xlsx", False, "", "不含工作簿的 zip 文件", "拒收"),
    (deep_nesting, "砚山县.xlsx", False, "", "20 万层嵌套的 XML 元素", "不溢出、不挂起；找不到表头而拒收"),
    (malformed_xml, "砚山县.xlsx", False, "", "格式错误的工作表 XML", "拒收"),
    (external_link, "砚山县.xlsx", True, "", "指向网络地址和本地文件的外部链接", "只读取数据，不访问链接"),
    (lying_sizes, "砚山县.xlsx", False, "", "zip 目录谎报解压后大小", "拒收，不按谎报的大小解压"),
    (binary_csv, "砚山县.csv", False, "", "含二进制内容的 .csv", "拒收"),
    (undecodable_csv, "砚山县.csv", False, "", "无法识别编码的 .csv", "拒收"),
    (random_xls, "砚山县.xls", False, "", "随机内容的 .xls（OLE 文件头）", "拒收"),
    (symlink_outside, "砚山县.xlsx", False, "链接", "指向 /etc/passwd 的符号链接", "不跟随链接，拒收"),
    (html_as_xls, "砚山县.xls", False, "网页", "网页（HTML）表格另存为 .xls", "说明文件实际是网页，请另存为 .xlsx"),
    (empty_xls, "砚山县.xls", False, "空的", "0 字节的 .xls", "说明文件是空的"),
    (xlsx_named_xls, "砚山县.xls", False, "扩展名", ".xlsx 文件改名为 .xls", "说明实际格式，请改扩展名"),
    (stray_far_cell, "砚山县.xlsx", False, "XFD5", "数据表最右侧 XFD 列有一个多余字符", "拒收并指出是 XFD5 单元格"),
]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize(
    ("build", "name", "accepted", "pattern", "case", "expected"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_a_hostile_file_is_refused_and_the_quarter_goes_on(
    tmp_path, catalog, reliability, build, name, accepted, pattern, case, expected
):
    reliability("恶意或损坏的文件", case, f"{name}，与另外 7 个县的正常文件放在同一季度文件夹", expected, CHECKED)
    folder = tmp_path / "raw" / QUARTER
    folder.mkdir(parents=True)
    for other in SAMPLE.glob("*.xlsx"):
        if other.stem != "砚山县":
            shutil.copy(other, folder / other.name)
    build(folder / name)
    started = time.monotonic()
    with watched(tmp_path) as watch:
        ingested = ingest_folder(folder, catalog, QUARTER)
    assert time.monotonic() - started < SECONDS
    assert watch.violations == []
    result = next(f for f in ingested.files if f.path.name == name)
    assert result.accepted is accepted, [str(p) for p in result.problems]
    assert {f.county for f in ingested.files if f.accepted} >= {c.name for c in catalog.counties} - {"砚山县"}
    if not accepted:
        assert result.errors, "a refused file says why"
        for problem in result.errors:
            assert problem.file == name and CJK.search(problem.message), str(problem)
            assert "root:" not in problem.message  # nothing of the bait file is shown
        assert re.search(pattern, "；".join(p.message for p in result.errors))
    else:
        assert result.values["value"].notna().sum() > 20
    out = io.StringIO()
    print(*ingested.problems, sep="\n", file=out)
    assert "Traceback" not in out.getvalue()
