"""The catalog is the single source of truth: it must load, be complete, and reject malformed input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from expectations.catalog import CATALOG_PATH, CatalogError, load_catalog, parse_catalog
from expectations.rules import rule_text
from expectations.suites import rule_comparisons, to_expectation
from expectations.template_rows import template_rows

SEED = Path(__file__).resolve().parents[2] / "docs" / "source" / "wenwenmingban-2022-1.txt"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))


def test_the_seed_task_list_is_complete(catalog):
    assert len(catalog.areas) == 10
    assert len(catalog.tasks) == 72
    # one point per part: every task's remaining content (72) and every indicator (52)
    assert catalog.total_points == pytest.approx(72 + 52) == sum(catalog.part_points.values())
    assert catalog.task_by_id["1.4.1"].points == 6 and catalog.task_by_id["1.1.1"].points == 1
    per_area = [sum(1 for t in catalog.tasks if t.area == a.num) for a in catalog.areas]
    assert per_area == [25, 3, 5, 3, 8, 11, 5, 6, 3, 3]


def test_counties_have_their_codes_and_goals(catalog):
    codes = {c.name: c.code for c in catalog.counties}
    assert codes == {
        "文山市": "532601",
        "砚山县": "532622",
        "西畴县": "532623",
        "麻栗坡县": "532624",
        "马关县": "532625",
        "丘北县": "532626",
        "广南县": "532627",
        "富宁县": "532628",
    }
    goals = {c.name: c.goal for c in catalog.counties}
    assert goals["文山市"] == "national_nominee"
    assert {n for n, g in goals.items() if g == "provincial_reinspection"} == {"马关县", "富宁县"}
    assert catalog.goals["national_nominee"] == {"rank_target": 5, "rank_stretch": 3, "of": 13}


@pytest.mark.parametrize(
    ("ind_id", "op", "threshold", "alternatives"),
    [
        ("1.4.3a", ">=", 90, []),
        ("1.4.3b", ">=", 50, []),
        ("1.5.2a", ">=", 60, []),
        ("3.1.1a", ">=", 90, []),
        ("4.1.2a", ">=", 90, []),
        ("5.3.2b", ">=", 37.2, []),
        ("5.3.2c", ">=", 1, []),
        ("5.3.3b", ">=", 0.3, []),
        ("5.3.3c", ">=", 0.1, []),
        ("5.3.3d", ">=", 2.3, ["yoy"]),
        ("6.3.2a", ">=", 36, ["yoy"]),
        ("6.3.2b", ">=", 12, ["yoy"]),
        ("6.3.2c", ">=", 95, []),
        ("7.1.1a", ">=", 98, []),
        ("7.1.2a", ">=", 98, []),
        ("8.1.1a", ">=", 87.5, ["aqi_target", "class2_standard", "3y"]),
        ("8.2.1c", "<=", 5, []),
        ("9.1.2a", ">=", 90, []),
        ("9.1.2b", ">=", 88, []),
        ("10.2.1a", ">", 95, []),
        ("10.2.1b", ">", 90, []),
        ("1.4.1b", ">=", 10, []),
        ("1.4.1c", ">=", 10, []),
        ("8.1.3d", "==", 0, ["3y"]),
        ("8.1.2a", "==", 0, []),
        ("6.1.1a", "trend", "up", []),
        ("6.1.2a", "trend", "down", []),
        ("7.1.1b", "trend", "down", []),
        ("5.3.1a", "grade", "三级", []),
        ("5.3.1b", "grade", "三级", []),
        ("8.1.3a", "grade", "优秀", []),
        ("8.1.3b", "grade", "Ⅱ类", []),
        ("8.1.3c", "grade", "Ⅲ类", []),
        ("7.1.2b", "bool", "是", []),
        ("8.2.1a", "relative", "R8.2.1a", []),
        ("8.2.1b", "relative", "R8.2.1b", []),
        ("6.1.2b", "relative", "R6.1.2p", ["national_average"]),
        ("6.4.1a", "relative", "R6.4.1a", []),
        ("6.4.1b", "relative", "R6.4.1b", []),
    ],
)
def test_seed_requirements_have_their_rule(catalog, ind_id, op, threshold, alternatives):
    ind = catalog.indicator_by_id[ind_id]
    assert (ind.op, ind.threshold, [a.code for a in ind.alternatives]) == (op, threshold, alternatives)


def test_relative_rules_compare_the_right_way(catalog):
    assert catalog.indicator_by_id["8.2.1a"].compare == ">="  # 不低于
    assert catalog.indicator_by_id["8.2.1b"].compare == "<="  # 不超过
    assert catalog.indicator_by_id["6.1.2b"].compare == ">"  # 高于


def test_every_seed_percentage_and_threshold_is_in_the_catalog(catalog):
    """Every ≥/≤/>/< figure the seed's task list states appears as some indicator's threshold."""
    text = SEED.read_text(encoding="utf-8")
    task_list = text[text.index("2022年文山州文明城市创建任务清单\n\n一、") :]
    stated = {float(m) for m in re.findall(r"(?:\\geq|\\leq|>|≥|≤)\s*(\d+(?:\.\d+)?)", task_list)}
    stated |= {float(m) for m in re.findall(r"(\d+)(?:%|个)以上", task_list)}
    thresholds = {float(i.threshold) for i in catalog.indicators if isinstance(i.threshold, int | float)}
    assert stated, "the seed's thresholds were not found: the pattern needs a look"
    assert stated <= thresholds, f"seed thresholds missing from the catalog: {sorted(stated - thresholds)}"


def test_every_indicator_quotes_the_seed(catalog):
    text = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    text = re.sub(r"\$\\(geq|leq)(\d+(?:\.\d+)?)\\%\$", lambda m: ("≥" if m[1] == "geq" else "≤") + m[2] + "%", text)
    text = re.sub(r"\$\\geq(\d+(?:\.\d+)?)\$", r"≥\1", text)
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    for ind in catalog.indicators:
        words = re.sub(r"[（(][^）)]*[）)]", "", ind.source)
        fragments = [f for f in re.split(r"[，、；。…]", words) if len(f) >= 4]
        missing = [f for f in fragments if f not in text]
        assert fragments and not missing, f"{ind.id}: {missing} of its source not found in the seed"


def test_every_rule_has_expectation_template_row_and_text(catalog):
    rows_q4 = {r.item_id for r in template_rows(catalog, "2022Q4")}
    for ind in catalog.indicators:
        assert rule_text(ind, catalog)
        assert ind.id in rows_q4
        exp = to_expectation(rule_comparisons(ind, catalog)[0])
        assert exp.meta == {"indicator_id": ind.id, "rule": "main", "part": 1, "option": 1}


@pytest.mark.parametrize("quarter", ["2022Q1", "2022Q4"])
def test_every_task_asks_its_completion_status_every_quarter(catalog, quarter):
    """The rest of a task's content beyond its indicators is a scored part in every quarter: 1.3.7 is
    more than e-bike registration, 7.1.2 more than its two figures."""
    rows = template_rows(catalog, quarter)
    assert [r.item_id for r in rows if r.kind == "task"] == [t.id for t in catalog.tasks]
    status = next(r for r in rows if r.item_id == "1.3.7")
    assert "其余工作" in status.rule and next(r for r in rows if r.item_id == "1.1.1").rule == "如实选择完成情况"
    annual_due = quarter.endswith("Q4")
    assert all(
        catalog.indicator_by_id[r.item_id].frequency == "quarterly" or annual_due for r in rows if r.kind == "indicator"
    )


def test_a_county_return_carries_no_bar_it_is_judged_against(catalog):
    ids = {r.item_id for r in template_rows(catalog, "2022Q4")}
    office = {i.id for i in catalog.inputs if i.source == "office"}
    assert office == {"R6.1.2p", "R6.1.2n", "R6.4.1a", "R6.4.1b", "R8.1.1a", "R8.2.1a", "R8.2.1b"}
    assert not ids & office and {"X8.1.1a", "X8.1.1b"} <= ids


def test_responsible_units_come_from_the_seed_only_where_it_names_them(catalog):
    text = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    named = [t for t in catalog.tasks if t.responsible]
    assert 6 <= len(named) <= 10 and all(t.responsible_basis == "任务清单" for t in named)
    entries = {f"{a.num}.{s.num}.{e.num}": e for a in catalog.areas for s in a.subareas for e in s.tasks}
    for task in named:
        for words in entries[task.id].responsible_quote.split("……"):
            assert words in text, (task.id, words)


def _broken(raw, mutate):
    import copy

    data = copy.deepcopy(raw)
    mutate(data)
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["indicators"][0].update(op="≥"), "op"),
        (lambda d: d["indicators"][3].update(threshold="ninety"), "numeric threshold"),
        (lambda d: d["indicators"][3].update(floor=120), "floor"),
        (lambda d: d["indicators"][3].update(task="1.9.9"), "not in the task list"),
        (lambda d: d["indicators"][1].update(id=d["indicators"][0]["id"]), "duplicate indicator id"),
        (lambda d: d["areas"][0]["subareas"][0]["tasks"].pop(), "72 tasks"),
        (lambda d: d["areas"][0]["subareas"][0]["tasks"][0].update(points=0), "greater than 0"),
        (lambda d: d["areas"][0]["subareas"][0]["tasks"][1].update(responsible=["x"]), "quote"),
        (lambda d: d["inputs"][0].update(source="county"), "must come from the office"),
        (lambda d: d["counties"][0].update(code="5326"), "code"),
        (lambda d: d["indicators"][0].update(unexpected="x"), "Extra inputs"),
        (lambda d: d["indicators"][0].update(threshold="也许"), "not on scale"),
    ],
)
def test_a_malformed_catalog_is_rejected(raw, mutate, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(_broken(raw, mutate), origin="bad.yaml")


def test_invalid_yaml_names_the_file():
    with pytest.raises(CatalogError, match="bad.yaml: not valid YAML"):
        parse_catalog("areas: [", origin="bad.yaml")
