"""Synthetic quarters for N county-level units, to benchmark the pipeline at a province's or China's scale.

    .venv/bin/python benchmarks/synthetic.py --units 129 --quarter 2022Q4 --out /tmp/synth [--with-last-year]

synthetic_catalog() replaces the catalog's eight counties by N units with realistic names (临泉县, 安宁市,
…) and six-digit codes (province + prefecture + county). write_quarter() writes one return per unit, built
from the real template and filled in with the sample generator's values (tests/sample_data.py, fill_values).
About `messy_share` of the filled cells are typed the way counties really type them: mostly forms the
reader converts (92.5%, ９２．５, 1,234, II类, √, surrounding spaces, a fraction in a percent cell), a few
that it rejects (见附件, ≥90, a negative share). The same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from adapters.county_templates import build_template, template_path, workbook_bytes
from adapters.files import write_atomic
from adapters.office_files import REFERENCES, build_references_template
from adapters.returns import last_year_values
from core.layout import (
    COL_ID,
    COL_LAST,
    COL_STATUS,
    COL_VALUE,
    DATA_SHEET,
    HEADER_ROW,
    HEADERS,
    META_CODE,
    META_COUNTY,
    META_SHEET,
)
from core.quarters import parse_quarter, shift_quarter
from expectations.catalog import Catalog, County, load_catalog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import sample_data as sample  # noqa: E402  (test data, not part of the shipped package)

# Real province-level prefixes of the administrative division codes (GB/T 2260).
PROVINCES = (
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
)
INNER_MONGOLIA = "15"  # the only province with banners (旗)
# Characters common in county-level place names: a stem is FIRST + SECOND (+ THIRD, rarely).
FIRST = (
    "安平临永新宁长东西南北清武建兴德福龙青云华天泰昌文广江河石金宜庆嘉通高白丰太洛汉曲乐寿定阜"
    "商襄汝桐松柳桂梅凤黄红绥沙盐滨汾沁泗淮泾渭岳衡湘丹赤玉灵隆会"
)
SECOND = "阳安宁平山江川水城州源泉河丰和乐昌兴德化远津林台口海原康谷峰陵明都沙溪湖定关池"
THIRD = "坡屯营堡岭坪峪店"
MAX_UNITS = 10_000
# The first quarter of the sample profiles: a unit's quality drifts by its slope per quarter from here.
EPOCH = sample.QUARTERS[0]
# Of the messy cells, the share typed in a form the reader rejects (the rest it converts).
ERROR_SHARE = 0.15
_FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
_ROMAN = str.maketrans({"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V"})
_CLASS_DIGIT = {"Ⅰ类": "1类", "Ⅱ类": "2类", "Ⅲ类": "3类", "Ⅳ类": "4类", "Ⅴ类": "5类"}
_GRADE_DIGIT = {"一级": "1级", "二级": "2级", "三级": "3级"}
_TICKS = {"是": ("√", "Y"), "否": ("×", "N")}


def _rng(*keys: object) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("|".join(map(str, keys)).encode()))


def _draw_unit(rng: np.random.Generator) -> tuple[str, str]:
    """One (code, name): the suffix decides the county digits as in real codes (区 01–20, 县/旗 21–40, 市 81–)."""
    province = PROVINCES[int(rng.integers(len(PROVINCES)))]
    stem = FIRST[int(rng.integers(len(FIRST)))] + SECOND[int(rng.integers(len(SECOND)))]
    if rng.random() < 0.1:
        stem += THIRD[int(rng.integers(len(THIRD)))]
    kind = rng.random()
    if kind < 0.2:
        suffix, county = "区", int(rng.integers(2, 21))
    elif kind < 0.35:
        suffix, county = "市", int(rng.integers(81, 90))
    else:
        banner = province == INNER_MONGOLIA and rng.random() < 0.6
        suffix, county = ("旗" if banner else "县"), int(rng.integers(21, 41))
    return f"{province}{int(rng.integers(1, 18)):02d}{county:02d}", stem + suffix


def synthetic_catalog(catalog: Catalog, n: int) -> Catalog:
    """The catalog with its counties replaced by n units, or unchanged when n is its own number of counties.

    Units are drawn from one seeded stream, so the first n of a larger draw are the n of a smaller one;
    they are listed by code. Standing and goal are those of the real counties, taken in turn. Rebuilt
    through validation: model_copy(update=...) would keep the cached county_by_name of the original.
    """
    real = catalog.counties
    if n == len(real):
        return catalog
    if not 1 <= n <= MAX_UNITS:
        raise ValueError(f"n must lie between 1 and {MAX_UNITS}, got {n}")
    rng = _rng("synthetic-units")
    taken_names = {c.name for c in real}  # never reuse a real county's name (and with it its sample profile)
    taken_codes: set[str] = set()
    units: list[dict[str, str]] = []
    while len(units) < n:
        code, name = _draw_unit(rng)
        if code in taken_codes or name in taken_names:
            continue
        taken_codes.add(code)
        taken_names.add(name)
        model = real[len(units) % len(real)]
        units.append(
            {"code": code, "name": name, "standing": model.standing, "goal": model.goal, "goal_text": model.goal_text}
        )
    units.sort(key=lambda u: u["code"])
    return Catalog.model_validate({**catalog.model_dump(), "counties": units})


def _quarter_index(quarter: str) -> int:
    year, q = parse_quarter(quarter)
    return year * 4 + q - 1


def unit_quality(county: str, quarter: str) -> float:
    """How well a unit does in a quarter (0–1): the sample's own figure for its eight counties and
    quarters, otherwise a trend drawn from a profile seeded by the unit's name."""
    if county in sample.PROFILES and quarter in sample.QUARTERS:
        return sample._quality(county, quarter)
    if county in sample.PROFILES:
        base, slope, noise = sample.PROFILES[county]
    else:
        rng = _rng(county, "profile")
        base, slope, noise = rng.uniform(0.28, 0.82), rng.normal(0.012, 0.02), rng.uniform(0.05, 0.10)
    t = _quarter_index(quarter) - _quarter_index(EPOCH)
    return float(np.clip(base + slope * t + _rng(county, quarter, "q").normal(0, noise), 0.05, 0.98))


def _plain(value: float) -> str:
    return format(value, ".12g")


def _number_forms(value: float, unit: str, fraction_ok: bool) -> tuple[list[object], list[object]]:
    """(forms the reader converts, forms it rejects) for a figure."""
    text = _plain(value)
    ok: list[object] = [text, f" {text} ", text.translate(_FULL_WIDTH)]
    if unit == "%":
        ok.append(f"{text}%")
        if fraction_ok and 1 < value <= 100:
            ok.append(round(value / 100, 6))  # read as a fraction, with a warning
    elif unit:
        ok.append(f"{text}{unit}")
    if abs(value) >= 1000:
        whole, _, decimals = text.partition(".")
        ok.append(f"{int(whole):,}" + (f".{decimals}" if decimals else ""))
    bad: list[object] = ["见附件"]
    if value > 0:
        bad += [f"≥{text}", f"约{text}", f"{text}以上"]
        if unit == "%":
            bad.append(-value)
    return ok, bad


def _choice_forms(word: str) -> tuple[list[object], list[object]]:
    """(forms the reader converts, forms it rejects) for a word on a scale or a task status."""
    ok: list[object] = [f" {word} ", f"{word} "]
    if "类" in word:
        ok.append(word.translate(_ROMAN))
        if word in _CLASS_DIGIT:
            ok.append(_CLASS_DIGIT[word])
    if word in _GRADE_DIGIT:
        ok.append(_GRADE_DIGIT[word])
    ok.extend(_TICKS.get(word, ()))
    return ok, ["见附件", "待核实"]


def _messy(
    values: dict[str, object], items: list[str], catalog: Catalog, share: float, rng: np.random.Generator
) -> dict[str, object]:
    """The values with about `share` of the filled template cells (items) retyped; ERROR_SHARE of those
    in a form the reader rejects."""
    out = dict(values)
    for item in items:
        value = values.get(item)
        if value is None or rng.random() >= share:
            continue
        if isinstance(value, str):
            ok, bad = _choice_forms(value)
        else:
            figure = catalog.indicator_by_id.get(item) or catalog.input_by_id[item]
            fraction_ok = getattr(figure, "op", None) in (">=", ">") and (figure.floor or 0) > 1
            ok, bad = _number_forms(float(value), figure.unit, fraction_ok)
        forms = bad if rng.random() < ERROR_SHARE else ok
        out[item] = forms[int(rng.integers(len(forms)))]
    return out


def _fill(wb: Workbook, cells: list[tuple[int, str, int]], values: dict[str, object]) -> None:
    """Write the answers into the data sheet as chuangwen.sample.write_sample does."""
    ws = wb[DATA_SHEET]
    for row, item, col in cells:
        ws.cell(row=row, column=col).value = values.get(item)


def _product_bytes(
    catalog: Catalog,
    unit: County,
    quarter: str,
    last_year: dict[str, str] | None,
    cells: list[tuple[int, str, int]],
    values: dict[str, object],
) -> bytes:
    """The file as the product itself would write it: its template for this unit, then the answers."""
    wb = build_template(catalog, unit, quarter, last_year)
    _fill(wb, cells, values)
    return workbook_bytes(wb)


class _Template:
    """One quarter's template, built once; per unit only its name, code, last year's values and the
    answers change. build_template takes ~0.09 s a unit; what remains is saving (~0.03 s)."""

    def __init__(self, catalog: Catalog, first: County, quarter: str, last_year: dict[str, str] | None) -> None:
        self.wb = build_template(catalog, first, quarter, last_year)
        self.data = self.wb[DATA_SHEET]
        id_col, value_col = HEADERS.index(COL_ID) + 1, HEADERS.index(COL_VALUE) + 1
        status_col = HEADERS.index(COL_STATUS) + 1
        self.cells = []  # (row, item id, column to answer in), found as write_sample finds them
        for row in range(HEADER_ROW + 1, self.data.max_row + 1):
            item = self.data.cell(row=row, column=id_col).value
            self.cells.append((row, item, status_col if item in catalog.task_by_id else value_col))
        self.subtitle = self.data.cell(row=2, column=1).value
        self.who = f"{first.name}（{first.code}）"
        if self.who not in self.subtitle:
            raise RuntimeError(f"the template's subtitle no longer names the unit as {self.who}: {self.subtitle}")
        meta = self.wb[META_SHEET]
        keys = {meta.cell(row=r, column=1).value: meta.cell(row=r, column=2) for r in range(1, meta.max_row + 1)}
        self.name_cell, self.code_cell = keys[META_COUNTY], keys[META_CODE]
        self.last_col = HEADERS.index(COL_LAST) + 1

    def bytes_for(self, unit: County, last_year: dict[str, str] | None, values: dict[str, object]) -> bytes:
        self.data.cell(row=2, column=1).value = self.subtitle.replace(self.who, f"{unit.name}（{unit.code}）")
        for cell, text in ((self.name_cell, unit.name), (self.code_cell, unit.code)):
            cell.value = text
            cell.data_type = "s"
        for row, item, _ in self.cells:
            cell = self.data.cell(row=row, column=self.last_col)
            cell.value = (last_year or {}).get(item)
            if cell.value is not None:
                cell.data_type = "s"
        _fill(self.wb, self.cells, values)
        for ws in self.wb.worksheets:  # openpyxl sets this while saving; a second save would then differ
            ws.column_dimensions.max_outline = None
        return workbook_bytes(self.wb)


def write_quarter(
    catalog: Catalog,
    out_dir: Path,
    quarter: str,
    messy_share: float = 0.05,
    seed: int = 0,
    last_year: dict[str, dict[str, str]] | None = None,
) -> list[Path]:
    """Write <out_dir>/<quarter>/<unit name>.xlsx for every unit of the catalog; return the paths.

    The figures are the sample generator's for the unit and quarter; `seed` chooses only which cells
    are messy and how. last_year: unit name → (item id → value shown in 上年同期值), as
    adapters.returns.last_year_values gives it. Other files in the folder are left alone.
    """
    if not 0 <= messy_share <= 1:
        raise ValueError(f"messy_share must lie between 0 and 1, got {messy_share}")
    units = catalog.counties
    last_year = last_year or {}
    template = _Template(catalog, units[0], quarter, last_year.get(units[0].name))
    items = [item for _, item, _ in template.cells]
    written = []
    for i, unit in enumerate(units):
        values = sample.fill_values(catalog, unit.name, quarter, unit_quality(unit.name, quarter))
        values = _messy(values, items, catalog, messy_share, _rng(seed, quarter, unit.name, "messy"))
        data = template.bytes_for(unit, last_year.get(unit.name), values)
        if i == 1 and data != _product_bytes(catalog, unit, quarter, last_year.get(unit.name), template.cells, values):
            raise RuntimeError("the reused template no longer matches build_template; update _Template")
        path = template_path(Path(out_dir) / quarter, unit)
        write_atomic(path, data)
        written.append(path)
    written.append(write_references(catalog, Path(out_dir) / quarter, quarter))
    return written


def write_references(catalog: Catalog, folder: Path, quarter: str) -> Path:
    """The office's 参照数据.xlsx: the sample's bars of the prefecture's first county, one value for all
    units (全州统一), as a province's office would fill it for figures it sets alike."""
    first = load_catalog().counties[0].name
    values = {
        item: {"全州统一": by_county.get("全州统一", by_county.get(first))}
        for item, by_county in sample.reference_values(load_catalog(), quarter).items()
    }
    path = Path(folder) / f"{REFERENCES}.xlsx"
    write_atomic(path, workbook_bytes(build_references_template(catalog, quarter, values)))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=129, help="number of county-level units")
    parser.add_argument("--quarter", default="2022Q4")
    parser.add_argument("--out", type=Path, default=Path("/tmp/synth"))
    parser.add_argument("--messy-share", type=float, default=0.05, help="share of filled cells typed messily")
    parser.add_argument("--seed", type=int, default=0, help="chooses the messy cells")
    parser.add_argument(
        "--with-last-year",
        action="store_true",
        help="also write the same quarter a year earlier, and show it as 上年同期值",
    )
    args = parser.parse_args()
    catalog = synthetic_catalog(load_catalog(), args.units)
    quarters = [shift_quarter(args.quarter, -4), args.quarter] if args.with_last_year else [args.quarter]
    for quarter in quarters:  # oldest first: the later quarter's template shows the earlier one's values
        start = time.perf_counter()
        last_year = last_year_values(args.out, catalog, quarter) if args.with_last_year else None
        paths = write_quarter(catalog, args.out, quarter, args.messy_share, args.seed, last_year)
        print(f"{args.out / quarter}: {len(paths)} files in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
