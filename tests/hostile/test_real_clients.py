"""Returns made the way counties make them: the shipped template filled in LibreOffice Calc, driven
through UNO as a person types (tests/clients/calc.py), and saved as .xlsx, .xls or .csv. No wrong figure
may pass in silence: a percent typed "12%" is 12 % in every format, a bare fraction whose format cannot
be known is an error, and a hidden data sheet or a decoy copy refuses the file, naming the sheets."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from adapters.returns import check_file
from core.layout import DATA_SHEET
from core.runtime import PROJECT_ROOT
from expectations.catalog import load_catalog

CAT = load_catalog()
QUARTER = "2022Q4"
SAMPLE = PROJECT_ROOT / "data" / "raw" / QUARTER / "砚山县.xlsx"
CALC = Path(__file__).resolve().parents[1] / "clients" / "calc.py"
GROUP = "真实客户端保存的文件"
CHECKED = "用 LibreOffice Calc 经 UNO 逐格输入（如同人工录入）并保存；检查读取的数值、提示或拒收原因"


@pytest.fixture(scope="module")
def cells():
    """Item id → the cell of its value (or status) on the sample's data sheet."""
    from openpyxl import load_workbook

    ws = load_workbook(SAMPLE, read_only=True)[DATA_SHEET]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return {r[1]: f"J{n}" for n, r in enumerate(rows, start=4) if r[1]}


@pytest.fixture
def calc(tmp_path):
    """calc(steps, format) → the path of the sample return after LibreOffice typed `steps` and saved it."""
    if shutil.which("soffice") is None or not Path("/usr/bin/python3").exists():
        pytest.fail("LibreOffice (soffice, python3-uno) is missing: run `bash scripts/setup.sh --test` first")

    def run(steps: list[dict], fmt: str, name: str = "砚山县") -> Path:
        source = tmp_path / "in" / "砚山县.xlsx"
        source.parent.mkdir(exist_ok=True)
        shutil.copy(SAMPLE, source)
        output = tmp_path / QUARTER / f"{name}.{fmt}"
        output.parent.mkdir(exist_ok=True)
        spec = {
            "input": str(source),
            "output": str(output),
            "format": fmt,
            "steps": steps,
            "profile": str(tmp_path / "profile"),
            "pipe": f"chuangwen-{uuid.uuid4().hex}",
        }
        (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run(
            ["/usr/bin/python3", str(CALC), str(tmp_path / "spec.json")], capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0 and output.is_file(), done.stderr[-2000:]
        return output

    return run


def _figures(result) -> dict[str, float]:
    rows = result.values
    return {r.item_id: r.value for r in rows.itertuples(index=False) if r.value == r.value}


def _type(cells, **typed) -> list[dict]:
    return [{"do": "type", "sheet": DATA_SHEET, "cell": cells[item], "text": text} for item, text in typed.items()]


@pytest.mark.parametrize("fmt", ["xls", "xlsx"])
def test_a_percent_typed_in_calc_is_read_as_typed(calc, cells, reliability, fmt):
    reliability(
        GROUP,
        f"Calc 中输入“12%”“92.5%”后另存为 .{fmt}",
        f"8.2.1c 填 12%，6.3.2c 填 92.5%，保存为 .{fmt}",
        "读作 12% 和 92.5%，不按 0.12% 计，不提示“偏小”",
        CHECKED,
    )
    path = calc(_type(cells, **{"8.2.1c": "12%", "6.3.2c": "92.5%"}), fmt)
    result = check_file(path, CAT, "砚山县", QUARTER)
    figures = _figures(result)
    assert (figures["8.2.1c"], figures["6.3.2c"]) == (12.0, 92.5)
    assert not [p for p in result.problems if p.item_id in ("8.2.1c", "6.3.2c")], [str(p) for p in result.problems]


def test_a_bare_fraction_in_a_percent_row_of_an_xls_is_questioned(calc, cells, reliability):
    reliability(
        GROUP,
        "Calc 中在百分比指标填“0.12”（常规格式）后另存为 .xls",
        "8.2.1c 填 0.12，保存为 .xls",
        "格式已知为常规：按 0.12% 采用并提示“偏小”，不悄悄采用",
        CHECKED,
    )
    path = calc(_type(cells, **{"8.2.1c": "0.12"}), "xls")
    result = check_file(path, CAT, "砚山县", QUARTER)
    warned = [p for p in result.problems if p.item_id == "8.2.1c"]
    assert warned and "偏小" in warned[0].message and warned[0].cell == cells["8.2.1c"]


def test_a_csv_from_calc_keeps_its_percent_signs_and_refuses_a_bare_fraction(calc, cells, reliability):
    reliability(
        GROUP,
        "Calc 另存为 UTF-8 的 .csv：一项填“12%”，另一项百分比指标填“0.925”",
        "8.2.1c 填 12%，6.3.2c 填 0.925，保存为 .csv",
        "12% 照读；0.925 因 CSV 无单元格格式无法判断，报错并指明单元格",
        CHECKED,
    )
    path = calc(_type(cells, **{"8.2.1c": "12%", "6.3.2c": "0.925"}), "csv")
    result = check_file(path, CAT, "砚山县", QUARTER)
    assert _figures(result)["8.2.1c"] == 12.0
    error = next(p for p in result.errors if p.item_id == "6.3.2c")
    assert "无法确定" in error.message and error.cell == cells["6.3.2c"]


def test_a_hidden_data_sheet_is_refused(calc, reliability):
    reliability(
        GROUP,
        "数据表被隐藏",
        "在 Calc 中隐藏“填报表”后保存为 .xlsx",
        "拒收并说明该工作表被隐藏，打开文件时看不到",
        CHECKED,
    )
    path = calc([{"do": "hide", "sheet": DATA_SHEET}], "xlsx")
    result = check_file(path, CAT, "砚山县", QUARTER)
    assert not result.accepted and "隐藏" in result.errors[0].message and DATA_SHEET in result.errors[0].message


DECOYS = [
    (
        "隐藏的数据表旁有一份可见的副本，填着另一套数",
        [
            {"do": "copy_sheet", "sheet": DATA_SHEET, "as": "填报表 (2)", "position": 3},
            {"do": "hide", "sheet": DATA_SHEET},
        ],
    ),
    ("数据表前面有一份可见的诱饵副本", [{"do": "copy_sheet", "sheet": DATA_SHEET, "as": "汇总", "position": 0}]),
]


@pytest.mark.parametrize(("case", "steps"), DECOYS)
def test_a_decoy_copy_of_the_data_sheet_is_refused_naming_both(calc, cells, reliability, case, steps):
    reliability(
        GROUP, case, "在 Calc 中复制“填报表”（副本中改填数值）后保存为 .xlsx", "拒收并列出两个工作表的名称", CHECKED
    )
    copy = steps[0]["as"]
    steps = steps + [{"do": "type", "sheet": copy, "cell": cells["6.3.2c"], "text": "99"}]
    path = calc(steps, "xlsx")
    result = check_file(path, CAT, "砚山县", QUARTER)
    assert not result.accepted
    message = result.errors[0].message
    assert DATA_SHEET in message and copy in message and "无法确定以哪一个为准" in message
