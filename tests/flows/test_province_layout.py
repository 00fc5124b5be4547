"""The layout checks of tests/layout.py on a province's quarter: 129 synthetic units (benchmarks/synthetic.py:
realistic names of every length, the sample's figures, 5 % of the cells typed the messy way counties type
them), run through the real flow. Beyond 30 units the bulletin takes its short form (the ends of the
ranking, the first intake notes); each of the 129 feedback sheets has its own length. Every PDF must keep
to the text block and its cells, as the sample's do (tests/flows/test_quarter_flow.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import layout
import pytest

from adapters.processes import cores, map_batches

ROOT = Path(__file__).resolve().parents[2]
UNITS = 129
QUARTER = "2022Q4"


@pytest.fixture(scope="module")
def province(tmp_path_factory, prefect_harness):
    sys.path.insert(0, str(ROOT))
    import flows.quarter
    from benchmarks.synthetic import synthetic_catalog, write_quarter
    from expectations.catalog import load_catalog

    catalog = synthetic_catalog(load_catalog(), UNITS)
    raw = tmp_path_factory.mktemp("province") / "raw"
    write_quarter(catalog, raw, QUARTER)
    out = raw.parent / "out"
    pages: list[str] = []
    faults: list[str] = []

    def render_pdfs(items, workers=1):
        """The flow's render, each page laid out once for both its PDF and the layout checks."""
        done = map_batches(layout.render_checked, items, workers)
        pages.extend(name for name, _, _ in done)
        faults.extend(f for _, _, found in done for f in found)
        return [(name, pdf) for name, pdf, _ in done]

    with pytest.MonkeyPatch.context() as mp:  # the synthetic units in place of the prefecture's eight
        mp.setattr(flows.quarter, "load_catalog", lambda: catalog)
        mp.setattr(flows.quarter, "render_pdfs", render_pdfs)
        flows.quarter.quarterly_assessment(quarter=QUARTER, raw_dir=raw, out_dir=out)
    return catalog, out / QUARTER, pages, faults


def test_every_pdf_of_a_province_keeps_to_the_block_and_its_cells(province):
    catalog, folder, pages, faults = province
    sheets = [name for name in pages if name.startswith("counties/")]
    assert {"bulletin.pdf", "method.pdf"} <= set(pages) and len(sheets) == UNITS  # every unit reported
    faults = faults + map_batches(layout.words_outside_blocks, [str(folder / name) for name in pages], cores())
    assert faults == [], "\n".join(faults[:50])


def test_a_province_bulletin_takes_the_short_form(province):
    import subprocess

    catalog, folder, _, _ = province
    text = subprocess.run(["pdftotext", str(folder / "bulletin.pdf"), "-"], capture_output=True, text=True).stdout
    assert "前10名和后10名" in text
    named = sum(unit.name in text for unit in catalog.counties)
    assert 20 <= named < UNITS  # the ends of the ranking and the lists name units, not every unit
