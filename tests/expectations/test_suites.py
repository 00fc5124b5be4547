"""The suites come from the catalog and nowhere else, and their committed copies are up to date."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from expectations.catalog import load_catalog
from expectations.suites import (
    QUARTER_KINDS,
    SUITE_BUILDERS,
    SUITES_DIR,
    compliance_expectations,
    quality_expectations,
    suite_documents,
)
from expectations.template_rows import due_figures, due_indicators

CAT = load_catalog()


@pytest.mark.parametrize("quarter", sorted(QUARTER_KINDS.values()))
def test_every_rule_has_an_expectation_and_every_expectation_comes_from_a_rule(quarter):
    rules = Counter()
    for ind in due_indicators(CAT, quarter):
        against_earlier = 2 if ind.direction == "lower" or CAT.physical_range(ind.unit)[1] is not None else 1
        rules[(ind.id, "main")] += against_earlier if ind.op == "trend" else 1
        for alt in ind.alternatives:
            # yoy: better than last year, or at the unit's bound; 3y: three such yearly parts
            rules[(ind.id, alt.code)] += {"yoy": against_earlier, "3y": 3 * against_earlier}.get(alt.code, 1)
    made = Counter((e.meta["indicator_id"], e.meta["rule"]) for e in compliance_expectations(CAT, quarter))
    assert made == rules


def test_rule_expectations_carry_the_catalog_thresholds():
    by_rule = {
        (e.meta["indicator_id"], e.meta["rule"]): e
        for e in compliance_expectations(CAT, "2022Q4")
        if e.meta["option"] == 1 and e.meta["part"] == 1
    }
    strict = by_rule[("10.2.1a", "main")]
    assert (strict.min_value, strict.strict_min) == (95, True)
    upper = by_rule[("8.2.1c", "main")]
    assert (upper.max_value, upper.min_value) == (5, None)
    water = by_rule[("8.1.3b", "main")]
    assert water.value_set == ["Ⅰ类", "Ⅱ类"]
    land = by_rule[("8.2.1b", "main")]  # 建设用地规模 ≤ 规划指标: the target is A, the figure B
    assert (land.column_A, land.column_B, land.or_equal) == ("R8.2.1b", "8.2.1b", True)
    yoy = by_rule[("6.3.2a", "yoy")]
    assert (yoy.column_A, yoy.column_B, yoy.or_equal) == ("6.3.2a", "6.3.2a@prev", False)
    three = [
        e
        for e in compliance_expectations(CAT, "2022Q4")
        if e.meta["rule"] == "3y" and e.meta["indicator_id"] == "8.1.3d" and e.meta["option"] == 1
    ]
    assert [(e.column_A, e.column_B) for e in three] == [  # fewer cases is better: B, the later year, below A
        ("8.1.3d@prev", "8.1.3d"),
        ("8.1.3d@prev2", "8.1.3d@prev"),
        ("8.1.3d@prev3", "8.1.3d@prev2"),
    ]
    floor = next(
        e
        for e in compliance_expectations(CAT, "2022Q4")
        if e.meta["indicator_id"] == "7.1.1b" and e.meta["option"] == 2
    )
    assert (floor.column, floor.max_value) == ("7.1.1b", 0)  # zero accidents cannot fall further


@pytest.mark.parametrize("quarter", sorted(QUARTER_KINDS.values()))
def test_every_required_figure_is_checked_for_presence_and_range(quarter):
    checks = Counter((e.meta["item_id"], e.meta["check"]) for e in quality_expectations(CAT, quarter))
    for fig in due_figures(CAT, quarter):
        assert checks[(fig.id, "required")] == 1
        if fig.scale:
            assert checks[(fig.id, "scale")] == 1
        else:
            assert checks[(fig.id, "range")] == checks[(fig.id, "type")] == 1
    assert checks[("county_code", "unique")] == checks[("county_code", "county")] == 1


@pytest.fixture(scope="module")
def generated():
    return json.loads(json.dumps(suite_documents(CAT), ensure_ascii=False))


@pytest.mark.parametrize("name", [f"{key}_{kind}.json" for key in SUITE_BUILDERS for kind in QUARTER_KINDS])
def test_committed_suites_match_the_catalog(name, generated):
    """A rule change must show in review: regenerate with `python -m expectations.suites` and commit."""
    committed = json.loads((SUITES_DIR / name).read_text(encoding="utf-8"))
    assert committed == generated[name], (
        f"expectations/suites/{name} is out of date: run .venv/bin/python -m expectations.suites"
    )
