"""Deterministic sample returns for 2021Q1–2022Q4, filled in through the real template.

    python tests/sample_data.py [--out data/raw]

Each county has a profile (a base quality, a trend, a noise level); each figure is drawn around its
catalog threshold from that quality, so that strong counties mostly meet the rules and weak ones miss
several. One county (广南县) did not report 2022Q2. SCENARIOS sets the cases the published figures must get
right (a regression against a met target, a zero trend, a blank figure with its alternative met, orders
on a task's status and on an annual figure). Each quarter also gets the office's 参照数据.xlsx. Values are
seeded by county and quarter only, so a re-run writes byte-identical files.
"""

from __future__ import annotations

import argparse
import zlib
from pathlib import Path

import numpy as np

from adapters.county_templates import build_template, save_workbook, template_path
from adapters.office_files import REFERENCES, build_references_template
from adapters.returns import last_year_values
from core.layout import COL_ID, COL_STATUS, COL_VALUE, HEADER_ROW, HEADERS
from core.quarters import parse_quarter, shift_quarter
from expectations.catalog import Catalog, Indicator, Input, load_catalog
from expectations.template_rows import due_inputs

QUARTERS = [shift_quarter("2021Q1", i) for i in range(8)]
# county → (quality in 2021Q1, change per quarter, noise)
PROFILES = {
    "文山市": (0.80, 0.015, 0.05),
    "砚山县": (0.40, 0.060, 0.06),
    "西畴县": (0.62, 0.010, 0.08),
    "麻栗坡县": (0.35, 0.020, 0.08),
    "马关县": (0.76, 0.005, 0.05),
    "丘北县": (0.50, 0.000, 0.10),
    "广南县": (0.28, 0.010, 0.08),
    "富宁县": (0.74, -0.015, 0.06),
}
MISSING = {("广南县", "2022Q2")}
# Cases the published figures must get right, set on top of the drawn values (PRODUCT.md §5, §6):
SCENARIOS = {
    # a regression against a met target: 38 → 35 against ≥ 36 (倒退, not 进度正常), and 4 → 6 against ≤ 5
    ("丘北县", "2021Q4"): {"6.3.2a": 38.0},
    ("丘北县", "2022Q4"): {"6.3.2a": 35.0},
    ("砚山县", "2021Q4"): {"8.2.1c": 4.0, "1.5.2a": 55.0},
    # an order on a task's status (2022Q3) closed by its status in 2022Q4, and an order on an annual figure
    # (2021Q4, due at its next report) open through 2022Q1–Q3 and closed when the figure is met in 2022Q4
    ("砚山县", "2022Q3"): {"1.5.2": "推进中"},
    ("砚山县", "2022Q4"): {"8.2.1c": 6.0, "1.5.2a": 65.0, "1.5.2": "已完成"},
    # a zero trend: no 生命线 accident either year meets 逐年下降
    ("富宁县", "2021Q4"): {"7.1.1b": 0.0},
    ("富宁县", "2022Q4"): {"7.1.1b": 0.0},
    # a blank main figure with its alternative met: AQI days above the State Council's target
    ("马关县", "2022Q4"): {"8.1.1a": None, "X8.1.1a": 92.0},
}
# how counties really type some answers: a county that writes % signs and roman numerals its own way
TYPED_AS_TEXT = {"西畴县"}


def _rng(*keys: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("|".join(keys).encode()))


def _quality(county: str, quarter: str) -> float:
    base, slope, noise = PROFILES[county]
    (y0, q0), (y, q) = parse_quarter(QUARTERS[0]), parse_quarter(quarter)
    t = (y - y0) * 4 + (q - q0)  # quarters since the sample's first (later ones too: a served portal's today)
    return float(np.clip(base + slope * t + _rng(county, quarter, "q").normal(0, noise), 0.05, 0.98))


def _decimals(unit: str) -> int:
    return {"%": 1, "个": 0, "起": 0, "天": 0, "元": 0, "元/人": 0, "张": 2, "人": 2, "倍": 2, "公顷": 0}.get(unit, 2)


def _level(q: float, rng: np.random.Generator) -> float:
    """Where between floor (0) and threshold (1) a figure lands: above 1 for most good counties."""
    return 0.55 + 0.75 * q + rng.normal(0, 0.12)


def _reference(item_id: str, county: str) -> float:
    """A county's planning targets and comparison averages, fixed across quarters."""
    rng = _rng(county, item_id, "ref")
    return {
        "R6.1.2p": 26000.0,
        "R6.1.2n": 35000.0,
        "R6.4.1a": round(5.2 + rng.uniform(-0.4, 0.4), 2),
        "R6.4.1b": round(0.83 + rng.uniform(-0.1, 0.1), 2),
        "R8.1.1a": 85.0,
        "R8.2.1a": round(rng.uniform(40000, 120000), -2),
        "R8.2.1b": round(rng.uniform(3000, 9000), -1),
    }.get(item_id, 0.0)


def _numeric(ind: Indicator, q: float, rng: np.random.Generator, county: str, quarter: str) -> float:
    level = _level(q, rng)
    thr = float(ind.threshold) if ind.op in (">=", ">", "<=", "<", "==") else 0.0
    if ind.op in (">=", ">"):
        value = ind.floor + (thr - ind.floor) * level
        if ind.unit == "%":
            value = min(value, 100.0)
    elif ind.op in ("<=", "<"):
        value = max(ind.floor - (ind.floor - thr) * level, 0.0)
    elif ind.op == "==":
        value = 0.0 if rng.random() < q + 0.1 else float(rng.integers(1, 4))
    elif ind.op == "relative":
        ref = _reference(str(ind.threshold), county)
        value = ref * ((0.92 + 0.16 * level / 1.3) if ind.direction == "higher" else (1.08 - 0.16 * level / 1.3))
    else:  # trend: a county series whose yearly change follows its quality
        year, _ = parse_quarter(quarter)
        base = {"6.1.1a": 90000.0, "6.1.2a": 2.9, "7.1.1b": 12.0}[ind.id] * (0.8 + 0.4 * _rng(county, ind.id).random())
        step = (q - 0.45) * 0.12 * (1 if ind.direction == "higher" else -1)
        value = base * (1 + step) ** (year - 2020)
    return round(float(value), _decimals(ind.unit))


def _choice(scale: tuple[str, ...], threshold: str, q: float, rng: np.random.Generator) -> str:
    """Meet the threshold with probability rising with quality; otherwise one step worse."""
    target = scale.index(threshold)
    if rng.random() < 0.25 + 0.8 * q:
        return scale[max(0, target - int(rng.random() < q * 0.5))]
    return scale[min(len(scale) - 1, target + 1)]


def _input_value(inp: Input, county: str, quarter: str, q: float, rng: np.random.Generator) -> object:
    if inp.id == "X8.1.1a":
        return float(round(70 + 25 * q + rng.normal(0, 3)))
    if inp.id == "X8.1.1b":
        return "是" if rng.random() < q else "否"
    return _reference(inp.id, county)


def _status(q: float, quarter: str, rng: np.random.Generator) -> str:
    progress = parse_quarter(quarter)[1] / 4
    x = q * 0.7 + progress * 0.45 + rng.normal(0, 0.15)
    return "已完成" if x > 0.85 else "基本完成" if x > 0.6 else "推进中" if x > 0.25 else "未启动"


def fill_values(catalog: Catalog, county: str, quarter: str, quality: float | None = None) -> dict[str, object]:
    """The values one county reports for one quarter, keyed by item id. quality (0–1) overrides the
    sample county's profile: the benchmarks' synthetic units have none."""
    q = _quality(county, quarter) if quality is None else quality
    values: dict[str, object] = {}
    for ind in catalog.indicators:
        rng = _rng(county, quarter, ind.id)
        if ind.scale:
            values[ind.id] = _choice(catalog.scales[ind.scale], str(ind.threshold), q, rng)
        else:
            values[ind.id] = _numeric(ind, q, rng, county, quarter)
    for inp in catalog.inputs:
        values[inp.id] = _input_value(inp, county, quarter, q, _rng(county, quarter, inp.id))
    for task in catalog.tasks:
        values[task.id] = _status(q, quarter, _rng(county, quarter, task.id))
    if county in TYPED_AS_TEXT:
        for ind in catalog.indicators:
            v = values[ind.id]
            if ind.unit == "%" and isinstance(v, float):
                values[ind.id] = f"{v:g}%"
            elif isinstance(v, str) and v.endswith("类"):
                values[ind.id] = v.replace("Ⅰ", "I").replace("Ⅱ", "II").replace("Ⅲ", "III")
    # a county that leaves a figure blank now and then
    if _rng(county, quarter, "blank").random() < 0.5 - q / 2:
        numeric = [i.id for i in catalog.indicators if not i.scale]
        values[numeric[int(_rng(county, quarter, "which").integers(len(numeric)))]] = None
    return values | SCENARIOS.get((county, quarter), {})


def write_sample(catalog: Catalog, out_dir: Path, quarters: list[str] = QUARTERS) -> list[Path]:
    written = []
    id_col = HEADERS.index(COL_ID) + 1
    value_col = HEADERS.index(COL_VALUE) + 1
    status_col = HEADERS.index(COL_STATUS) + 1
    for quarter in quarters:  # oldest first: last year's files are read back for the 上年同期值 column
        last_year = last_year_values(out_dir, catalog, quarter)
        for county in catalog.counties:
            if (county.name, quarter) in MISSING:
                continue
            wb = build_template(catalog, county, quarter, last_year.get(county.name))
            ws = wb.active
            values = fill_values(catalog, county.name, quarter)
            for r in range(HEADER_ROW + 1, ws.max_row + 1):
                item = ws.cell(row=r, column=id_col).value
                col = status_col if item in catalog.task_by_id else value_col
                ws.cell(row=r, column=col).value = values.get(item)
            path = template_path(out_dir / quarter, county)
            save_workbook(wb, path)
            written.append(path)
        written.append(write_references(catalog, out_dir / quarter, quarter))
    return written


def reference_values(catalog: Catalog, quarter: str) -> dict[str, dict[str, float]]:
    """The office's bars for a quarter: one value for all where the sample's is the same for every county
    (the averages, the air-quality target), else one per county (planning targets, health plans)."""
    out: dict[str, dict[str, float]] = {}
    for inp in due_inputs(catalog, quarter, "office"):
        per_county = {c.name: _reference(inp.id, c.name) for c in catalog.counties}
        values = set(per_county.values())
        out[inp.id] = {"全州统一": values.pop()} if len(values) == 1 else per_county
    return out


def write_references(catalog: Catalog, folder: Path, quarter: str) -> Path:
    """The office's 参照数据.xlsx for the quarter, filled in."""
    path = Path(folder) / f"{REFERENCES}.xlsx"
    save_workbook(build_references_template(catalog, quarter, reference_values(catalog, quarter)), path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    args = parser.parse_args()
    paths = write_sample(load_catalog(), args.out)
    print(f"wrote {len(paths)} files under {args.out}")


if __name__ == "__main__":
    main()
