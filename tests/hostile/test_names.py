"""Names that try to be something else: file names with control characters, line breaks, non-breaking
spaces and direction overrides; the county a file states written with ../, NUL, control characters,
look-alike characters or invisible ones. A file is either accepted as the catalog's county (its name
never used to build a path) or refused with a problem in Chinese naming the file; nothing else."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from guards import watched
from openpyxl import load_workbook

from adapters.returns import archive_received, ingest_folder
from core.layout import META_COUNTY, META_SHEET
from core.runtime import PROJECT_ROOT
from expectations.catalog import load_catalog

QUARTER = "2022Q4"
SAMPLE = PROJECT_ROOT / "data" / "raw" / QUARTER
CAT = load_catalog()
CJK = re.compile(r"[\u4e00-\u9fff]")


def _stated_county(path: Path, text: str) -> None:
    wb = load_workbook(path)
    cell = next(r[1] for r in wb[META_SHEET].iter_rows() if r[0].value == META_COUNTY)
    cell.value = text
    wb.save(path)


def _raw_county(path: Path, raw: bytes) -> None:
    """Write bytes XML cannot carry (NUL, a bell) into the stated county, past any library's checks."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    # openpyxl writes the name as UTF-8 or, when it serialises through lxml, as character references
    forms = ("砚山县".encode(), "".join(f"&#{ord(c)};" for c in "砚山县").encode())
    changed = False
    for part, data in parts.items():
        for name in forms:
            if part.startswith("xl/worksheets/") and name in data:
                parts[part] = data = data.replace(name, raw)
                changed = True
    assert changed, "the stated county was not found in the sheet's XML"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in parts.items():
            zf.writestr(part, data)


# (case, file name, change to the file or None, accepted, what is expected)
CASES = [
    ("文件名含控制字符", "砚山县\x01.xlsx", None, True, "按文件内注明的填报单位采用"),
    ("文件名含换行", "砚山县\n抄送.xlsx", None, True, "按文件内注明的填报单位采用"),
    ("文件名含不换行空格", "砚山县\u00a0.xlsx", None, True, "按文件内注明的填报单位采用"),
    ("文件名含文字方向反转符", "\u202e砚山县.xlsx", None, True, "按文件内注明的填报单位采用"),
    ("文件名含 ..（上级目录）", "砚山县..xlsx", None, True, "按文件内注明的填报单位采用，不当作路径"),
    (
        "填报单位写成 ../../etc/passwd",
        "砚山县.xlsx",
        lambda p: _stated_county(p, "../../etc/passwd"),
        False,
        "拒收：不在全州县（市）之列",
    ),
    ("填报单位用繁体形近字（砚山縣）", "砚山县.xlsx", lambda p: _stated_county(p, "砚山縣"), False, "拒收，不猜测"),
    ("填报单位夹零宽空格", "砚山县.xlsx", lambda p: _stated_county(p, "砚\u200b山县"), False, "拒收，不猜测"),
    ("填报单位末尾不换行空格", "砚山县.xlsx", lambda p: _stated_county(p, "砚山县\u00a0"), True, "去掉首尾空白后采用"),
    (
        "填报单位含 NUL 字节",
        "砚山县.xlsx",
        lambda p: _raw_county(p, "砚山县".encode() + b"\x00"),
        False,
        "按文件损坏拒收",
    ),
    (
        "填报单位含响铃控制字符",
        "砚山县.xlsx",
        lambda p: _raw_county(p, "砚山县".encode() + b"\x07"),
        False,
        "按文件损坏拒收",
    ),
    ("填报单位含文字方向反转符", "砚山县.xlsx", lambda p: _stated_county(p, "\u202e县山砚"), False, "拒收"),
]


@pytest.mark.parametrize(("case", "name", "change", "accepted", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_misleading_name_is_never_taken_for_a_path_or_another_county(
    tmp_path, reliability, case, name, change, accepted, expected
):
    reliability(
        "名称与路径",
        case,
        f"文件 {name!r}，与另外 7 个县的正常文件放在同一季度文件夹",
        expected,
        "采用时县名和代码取自目录；拒收时问题为中文且指明文件；收件存档台账可读；只写入本次的文件夹",
    )
    folder = tmp_path / "raw" / QUARTER
    folder.mkdir(parents=True)
    for other in SAMPLE.glob("*.xlsx"):
        if other.stem != "砚山县":
            shutil.copy(other, folder / other.name)
    path = folder / name
    shutil.copy(SAMPLE / "砚山县.xlsx", path)
    if change:
        change(path)
    with watched(tmp_path) as watch:
        ingested = ingest_folder(folder, CAT, QUARTER)
        archive_received(ingested, tmp_path / "received")
    assert watch.violations == []
    result = next(f for f in ingested.files if f.path.name == name)
    assert result.accepted is accepted, [str(p) for p in result.problems]
    counties = set(ingested.values["county"])
    assert counties <= {c.name for c in CAT.counties}
    if accepted:
        assert result.county == "砚山县" and set(result.values["county_code"]) == {"532622"}
    else:
        assert "砚山县" not in counties
        assert result.errors and all(p.file == name and CJK.search(p.message) for p in result.errors)
    ledger = [json.loads(line) for line in (tmp_path / "received" / "ledger.jsonl").read_text("utf-8").splitlines()]
    assert name in {entry["file"] for entry in ledger}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw", "received"]
