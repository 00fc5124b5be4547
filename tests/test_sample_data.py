"""The shipped sample (data/raw) is exactly what the generator writes from today's template and catalog:
a template or catalog change that is not followed by `python tests/sample_data.py --out data/raw` fails here."""

from __future__ import annotations

from sample_data import SCENARIOS, write_sample

from core.runtime import PROJECT_ROOT
from expectations.catalog import load_catalog

RAW = PROJECT_ROOT / "data" / "raw"


def test_the_committed_sample_is_the_generators(tmp_path):
    written = write_sample(load_catalog(), tmp_path)
    shipped = sorted(p.relative_to(RAW) for p in RAW.glob("*/*") if p.is_file())
    assert sorted(p.relative_to(tmp_path) for p in written) == shipped
    changed = [str(p) for p in shipped if (RAW / p).read_bytes() != (tmp_path / p).read_bytes()]
    assert not changed, f"regenerate the sample (python tests/sample_data.py --out data/raw): {changed[:5]}"


def test_the_scenarios_cover_the_cases_the_published_figures_must_get_right():
    cases = {(county, quarter, item) for (county, quarter), items in SCENARIOS.items() for item in items}
    assert ("丘北县", "2022Q4", "6.3.2a") in cases and ("富宁县", "2022Q4", "7.1.1b") in cases
    assert SCENARIOS[("马关县", "2022Q4")]["8.1.1a"] is None and ("砚山县", "2022Q4", "1.5.2") in cases
