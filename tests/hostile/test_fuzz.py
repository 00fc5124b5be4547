"""Fuzzing the spreadsheet reader and the value parser with Hypothesis: whatever the bytes, the reader
either returns cells or refuses the file with a Chinese message (UnreadableFile), within its own time
limit; the value parser always returns a finite number, a word or a problem.

The budget in CI is small and derandomised (the same examples every run). For a longer local run:

    CHUANGWEN_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/hostile/test_fuzz.py -p no:randomly
"""

from __future__ import annotations

import math
import os
import random
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import spreadsheets
from adapters.returns import check_file
from core.runtime import PROJECT_ROOT
from expectations.catalog import load_catalog
from transforms.ingest import extract_return
from transforms.normalise import parse_choice, parse_number

EXAMPLES = int(os.environ.get("CHUANGWEN_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=EXAMPLES <= 200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SAMPLE = PROJECT_ROOT / "data" / "raw" / "2022Q4" / "砚山县.xlsx"
CAT = load_catalog()
UNITS = sorted({i.unit for i in CAT.indicators} | {i.unit for i in CAT.inputs})
FORMATS = [None, "General", "0%", "0.0%", "0.00", "#,##0", "@", '0.0"%"', "yyyy-mm-dd", "[Red]0.0%;-0.0%"]
XML_TOKENS = [
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"&a;",
    b'<c r="ZZZ99999999"><v>1</v></c>',
    b"<f>1/0</f>",
    b"<v>1e309</v>",
    b"<v>-0</v>",
    b"<v>NaN</v>",
    b"\x00",
    b"\xff\xfe",
    b"<![CDATA[<c>]]>",
    b"<!-- -->",
    b"<?pi x?>",
    b'<row r="0">',
    b"</row>",
    b'<c t="e"><v>#REF!</v></c>',
    b"<is><t>=1+1</t></is>",
    b'<c r="J5" s="99999"><v>92.5</v></c>',
    b'<x:c xmlns:x="y"/>',
    b"<" * 50,
    b"\"'" * 20,
]


NUMBERISH = r"[-+＋－]?[0-9０-９,，.．]{0,12}[%％‰]?"
CHECKED = "不抛出约定以外的异常；文件要么读出、要么以指明文件的中文信息拒收；每个文件在读取器的时间上限内完成"


def _record(reliability, case: str) -> None:
    reliability(
        "模糊测试",
        case,
        f"Hypothesis 生成的 {EXAMPLES} 个输入（CI 中固定种子；CHUANGWEN_FUZZ_EXAMPLES 可加大本地运行的输入数）",
        "每个输入都得到约定的结果",
        CHECKED,
    )


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


PARTS = _parts(SAMPLE)
SHEETS = sorted(n for n in PARTS if n.startswith("xl/worksheets/sheet"))


def _read_or_refuse(path: Path) -> None:
    """The reader's contract: cells, or UnreadableFile with a message naming the file; in time."""
    started = time.monotonic()
    try:
        spreadsheets.read_workbook(path)
    except spreadsheets.UnreadableFile as exc:
        assert str(exc).startswith(f"{path.name}："), str(exc)
    assert time.monotonic() - started < spreadsheets.READ_SECONDS


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.none(),
        st.booleans(),
        st.from_regex(NUMBERISH, fullmatch=True),
    ),
    unit=st.sampled_from(UNITS),
    fmt=st.sampled_from(FORMATS),
    floor=st.one_of(st.none(), st.floats(min_value=0, max_value=100)),
)
def test_the_value_parser_returns_a_finite_number_or_a_problem(reliability, text, unit, fmt, floor):
    _record(reliability, "数值解析（任意文本、数字、全角字符、百分号、单元格格式）")
    parsed = parse_number(text, unit, number_format=fmt, plausible_min=floor)
    assert parsed.value is None or (isinstance(parsed.value, float) and math.isfinite(parsed.value))
    blank = text is None or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == ""
    assert parsed.value is not None or parsed.error or parsed.warning or blank  # NaN is pandas' blank


@FUZZ
@given(
    text=st.one_of(st.text(max_size=20), st.floats(), st.none()),
    scale=st.sampled_from(sorted(CAT.scales.values())),
    negated=st.booleans(),
)
def test_the_choice_parser_returns_a_word_of_the_scale_or_a_problem(reliability, text, scale, negated):
    _record(reliability, "选项解析（是否、类别、等级）")
    parsed = parse_choice(text, scale, negated_question=negated)
    assert parsed.value is None or parsed.value in scale


@FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_bytes_flipped_or_cut_anywhere_in_an_xlsx_are_read_or_refused(tmp_path_factory, reliability, flips, cut):
    _record(reliability, "xlsx 任意字节被改写或截断")
    data = bytearray(SAMPLE.read_bytes())
    for at, value in flips:
        data[at % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path_factory.mktemp("fuzz") / "砚山县.xlsx"
    path.write_bytes(bytes(data))
    _read_or_refuse(path)
    check_file(path, CAT, "砚山县", "2022Q4")  # and the intake never raises on it


@FUZZ
@given(
    sheet=st.sampled_from(SHEETS),
    edits=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=400), st.sampled_from(XML_TOKENS)),
        min_size=1,
        max_size=6,
    ),
)
def test_sheet_xml_cut_and_spliced_with_hostile_tokens_is_read_or_refused(tmp_path_factory, reliability, sheet, edits):
    _record(reliability, "工作表 XML 被截断并插入恶意片段（DTD、实体、CDATA、NUL、错误引用）")
    xml = bytearray(PARTS[sheet])
    for at, span, token in edits:
        at %= len(xml) or 1
        xml[at : at + span] = token
    path = tmp_path_factory.mktemp("fuzz") / "砚山县.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, part in PARTS.items():
            zf.writestr(name, bytes(xml) if name == sheet else part)
    _read_or_refuse(path)
    result = check_file(path, CAT, "砚山县", "2022Q4")
    assert result.accepted or result.errors


CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.floats(allow_nan=True),
    st.integers(),
    st.booleans(),
    st.sampled_from(
        ["指标编号", "填报值", "完成情况", "备注", "6.3.2c", "1.1.1", "砚山县", "2022Q4", "县（市）", "季度", "#DIV/0!"]
    ),
)


@FUZZ
@given(grid=st.lists(st.lists(CELL, max_size=14), max_size=30), meta=st.lists(st.lists(CELL, max_size=3), max_size=6))
def test_any_grid_of_cells_gives_a_return_or_problems(reliability, grid, meta):
    _record(reliability, "任意单元格网格（表头、编号、元信息随机）")
    ret, problems = extract_return({"填报表": grid, "填报信息": meta}, "砚山县.xlsx", CAT, "砚山县", "2022Q4")
    assert ret is not None or problems


def test_the_readers_limits_bound_its_memory(tmp_path, reliability):
    """A file at the reader's limits (rows just under MAX_ROWS, the part just under MAX_PART_BYTES) is
    read in a process limited to 1 GiB of address space beyond its start, within READ_SECONDS."""
    reliability(
        "模糊测试",
        "读取器的时间和内存上限",
        f"接近上限的文件：{spreadsheets.MAX_ROWS - 1} 行的工作表",
        f"在 {spreadsheets.READ_SECONDS:.0f} 秒内读完，内存不超过启动后再加 1 GiB；超过上限的文件在解析前拒收",
        "子进程以 RLIMIT_AS 限制地址空间后读取",
    )
    rng = random.Random(0)
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{rng.random():.6f}</v></c><c r="B{r}" t="inlineStr"><is><t>第{r}行'
        "</t></is></c></row>"
        for r in range(1, spreadsheets.MAX_ROWS)
    )
    xml = (
        f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}'
        "</sheetData></worksheet>"
    )
    assert len(xml.encode()) < spreadsheets.MAX_PART_BYTES
    parts = dict(PARTS)
    parts[max(SHEETS, key=lambda n: len(PARTS[n]))] = xml.encode()
    path = tmp_path / "砚山县.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, part in parts.items():
            zf.writestr(name, part)
    script = (
        "import resource, sys, time\n"
        "from adapters import spreadsheets\n"
        "import adapters.xlsx_cells, python_calamine, pandas\n"
        "start = int(open('/proc/self/statm').read().split()[0]) * resource.getpagesize()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (start + 2**30, start + 2**30))\n"
        "t = time.monotonic()\n"
        f"grids, _ = spreadsheets.read_workbook({str(path)!r})\n"
        "print(sum(len(g) for g in grids.values()), round(time.monotonic() - t, 2))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=spreadsheets.READ_SECONDS * 2,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    cells, seconds = done.stdout.split()
    assert int(cells) >= spreadsheets.MAX_ROWS - 1 and float(seconds) < spreadsheets.READ_SECONDS
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 4 * 2**20  # KB: under 4 GiB in all
