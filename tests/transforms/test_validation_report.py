"""The validation report for people, on small tables: failures grouped by county in the catalog's order,
indicators by number and Chinese name, the bulletin's counts, and a page a phone can read."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from adapters.render import render_html
from core.vocab import Outcome, RuleStatus
from expectations.catalog import load_catalog
from transforms.documents.validation_report import FAILED, WARNING, build_validation_report
from transforms.score import outcome_counts

CAT = load_catalog()
WENSHAN, YANSHAN, FUNING = "532601", "532622", "532628"  # first, second and last in the catalog
NAME = {c.code: c.name for c in CAT.counties}


def rule(county, indicator, status, observed, expected, rule="main", missing=None, columns=None):
    return {
        "county_code": county,
        "indicator_id": indicator,
        "rule": rule,
        "status": status,
        "missing": missing,
        "observed": observed,
        "expected": expected,
        "columns": columns or indicator,
    }


def score(county, indicator, outcome, value, note="", alternative=None, reference=None, carried_from=None):
    return {
        "county_code": county,
        "indicator_id": indicator,
        "outcome": outcome,
        "value": value,
        "reference": reference,
        "file": f"{NAME[county]}.xlsx",
        "cell": "J9",
        "note": note,
        "alternative": alternative,
        "carried_from": carried_from,
    }


def figure(county, item, cell):
    return {"county_code": county, "item_id": item, "file": f"{NAME[county]}.xlsx", "sheet": "填报表", "cell": cell}


# 砚山县 is listed first in the frames, 文山市 comes first in the catalog.
RULES = pd.DataFrame(
    [
        rule(YANSHAN, "6.3.2a", RuleStatus.NOT_MET, 33.7, "≥36"),
        rule(YANSHAN, "6.3.2a", RuleStatus.NOT_MET, 33.7, "＞35.2", "yoy", columns="6.3.2a 6.3.2a@prev"),
        rule(YANSHAN, "5.3.2c", RuleStatus.MISSING, None, "≥1", missing="value"),
        rule(YANSHAN, "1.3.7a", RuleStatus.MET, "是", "是"),
        rule(WENSHAN, "6.3.2a", RuleStatus.INVALID, 360.0, "≥36"),
        rule(WENSHAN, "6.3.2a", RuleStatus.MET, 360.0, "＞40", "yoy", columns="6.3.2a 6.3.2a@prev"),
        rule(WENSHAN, "1.3.7a", RuleStatus.MET, "是", "是"),
        rule(WENSHAN, "5.3.2c", RuleStatus.MET, 1.2, "≥1"),
    ]
)
SCORES = pd.DataFrame(
    [
        score(YANSHAN, "6.3.2a", Outcome.UNMET, 33.7),
        score(YANSHAN, "5.3.2c", Outcome.MISSING, None),
        score(YANSHAN, "1.3.7a", Outcome.MET, "是"),
        score(YANSHAN, "6.1.2b", Outcome.UNDECIDABLE, 27584.0, note="州文明办参照数据中缺少“本省同类城市…”，无法判定"),
        score(WENSHAN, "6.3.2a", Outcome.BAD_DATA, 360.0, note="数据质量校验未通过"),
        score(WENSHAN, "1.3.7a", Outcome.MET, "是"),
        score(WENSHAN, "5.3.2c", Outcome.MET_ALT, 1.2, alternative=None),
    ]
)
VALUES = pd.DataFrame(
    [figure(YANSHAN, "6.3.2a", "J82"), figure(YANSHAN, "5.3.2c", "J65"), figure(WENSHAN, "6.3.2a", "J82")]
)
QUALITY = pd.DataFrame(
    [
        {"county_code": WENSHAN, "item_id": "6.3.2a", "check": "range", "problem": "超出合理取值范围"},
        {"county_code": YANSHAN, "item_id": "1.3.7a", "check": "scale", "problem": "不在可选范围内"},
        {"county_code": "999999", "item_id": "county_code", "check": "county", "problem": "不是本州的县（市）"},
    ]
)


def ranking(scores: pd.DataFrame) -> pd.DataFrame:
    counted = outcome_counts(scores)
    rows = pd.DataFrame({"county_code": [c.code for c in CAT.counties]}).merge(counted, how="left")
    return rows.assign(not_ranked_reason=rows["met"].isna().map({True: "未报送", False: ""}))


def report(rules=RULES, quality=QUALITY, scores=SCORES):
    return build_validation_report(rules, quality, VALUES, CAT, "2022Q4", "2022年第四季度", 12, scores, ranking(scores))


def visible_text(page: str) -> str:
    """What a reader sees: no style, no tags (so no attributes), entities decoded."""
    page = re.sub(r"<style>.*?</style>|<title>.*?</title>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# The transform ------------------------------------------------------------------------------------------


def test_sections_follow_the_catalogs_county_order_and_hold_only_what_failed():
    r = report()
    assert [c.county for c in r.counties] == [NAME[WENSHAN], NAME[YANSHAN]]
    yanshan = r.counties[1]
    ids = [f.indicator_id for f in yanshan.findings]
    assert ids[:3] == [i.id for i in CAT.indicators if i.id in {"5.3.2c", "6.1.2b", "6.3.2a"}]  # catalog order
    assert "1.3.7a" not in ids[:3] and [p.indicator_id for p in yanshan.passed] == ["1.3.7a"]


def test_every_finding_names_its_indicator_in_chinese_with_figure_place_and_requirement():
    yanshan = report().counties[1]
    green = next(f for f in yanshan.findings if f.indicator_id == "6.3.2a")
    assert green.name == CAT.indicator_by_id["6.3.2a"].name
    assert (green.status, green.problem, green.observed, green.expected) == (FAILED, "未达标", "33.7%", "≥36%")
    assert green.source == "砚山县.xlsx 填报表 J82"
    assert green.note == "替代条件：“较上年提升”未满足"
    assert "yoy" in green.trace and "yoy" not in green.note  # the rule code only to trace it in rules.csv
    blank = next(f for f in yanshan.findings if f.indicator_id == "5.3.2c")
    assert (blank.status, blank.problem, blank.observed, blank.expected) == (FAILED, "未填报", "—", "≥1小时")


def test_counts_are_the_bulletins_and_undecidable_is_a_warning():
    r = report()
    counted = outcome_counts(SCORES).set_index("county_code")
    for code in (WENSHAN, YANSHAN):
        total = next(t for t in r.totals if t.county == NAME[code])
        section = next(c for c in r.counties if c.county == NAME[code])
        assert (total.passed, total.failed) == (counted.at[code, "met"], counted.at[code, "unmet"])
        assert total.failed == sum(f.status == FAILED for f in section.findings)
    yanshan = next(t for t in r.totals if t.county == NAME[YANSHAN])
    assert yanshan.failed == 2 and "未填报 1 项" in yanshan.remark  # 未达标 and 未填报 both fail
    assert yanshan.warnings == 2  # 6.1.2b undecidable, 1.3.7a's quality failure that decided nothing
    undecided = next(f for f in r.counties[1].findings if f.indicator_id == "6.1.2b")
    assert (undecided.status, undecided.problem) == (WARNING, "无法判定")


def test_a_bad_figure_says_which_quality_check_it_failed():
    wenshan = report().counties[0]
    (bad,) = wenshan.findings  # its quality failure explains the 数据异常: no second row for it
    assert (bad.status, bad.problem) == (FAILED, "数据异常")
    assert f"{CAT.indicator_by_id['6.3.2a'].name}超出合理取值范围" in bad.note
    assert [p.how for p in wenshan.passed] == ["达标", "替代达标"]


def test_a_quality_failure_that_decided_nothing_is_a_warning_and_unknown_units_are_listed_apart():
    r = report()
    extra = next(f for f in r.counties[1].findings if f.indicator_id == "1.3.7a")
    assert (extra.status, extra.problem, extra.name) == (WARNING, "数据质量", CAT.indicator_by_id["1.3.7a"].name)
    (other,) = r.other
    assert (other.unit, other.item, other.problem) == ("代码 999999", "县（市）代码", "不是本州的县（市）")


def test_a_county_without_figures_is_in_the_summary_only():
    r = report()
    funing = next(t for t in r.totals if t.county == NAME[FUNING])
    assert (funing.passed, funing.failed, funing.warnings, funing.remark, funing.anchor) == (
        None,
        None,
        None,
        "未报送",
        "",
    )
    assert [t.county for t in r.totals] == [c.name for c in CAT.counties]
    assert NAME[FUNING] not in {c.county for c in r.counties}


def test_an_alternative_that_passed_is_named_in_chinese():
    scores = SCORES.assign(
        outcome=SCORES["outcome"].mask(SCORES["indicator_id"].eq("6.1.2b"), Outcome.MET_ALT),
        alternative=SCORES["alternative"].mask(SCORES["indicator_id"].eq("6.1.2b"), "national_average"),
    )
    yanshan = report(scores=scores).counties[1]
    (how,) = [p.how for p in yanshan.passed if p.indicator_id == "6.1.2b"]
    assert how.startswith("替代达标（") and "national_average" not in how
    assert CAT.input_by_id["R6.1.2n"].name in how


# The page -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> str:
    return render_html("validation.html.j2", report())


def test_the_page_is_for_phones_and_offline(page):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert not re.search(r"(src|href)=\"(https?:)?//|@import|url\(", page)
    tables, boxed = page.count("<table"), len(re.findall(r'<div class="scroll">\s*<table', page))
    assert tables == boxed > 0  # every table scrolls in its own box, never the page
    assert ".scroll { overflow-x: auto;" in page


def test_no_rule_code_or_expectation_type_is_visible(page):
    text = visible_text(page)
    codes = {"main", *(a.code for i in CAT.indicators for a in i.alternatives), *(s.value for s in RuleStatus)}
    assert not re.search(r"expect_[a-z_]+", text)
    assert not [c for c in codes if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", text)]
    assert 'title="rules.csv main invalid' in page  # kept for tracing, in an attribute


def test_the_page_groups_by_county_and_uses_a_status_word_not_bold_rows(page):
    text = visible_text(page)
    assert text.index("文山市") < text.index("砚山县") and "建成区绿地率" in text and "未通过" in text
    assert page.count('<tr class="fail">') == 3 and page.count('<tr class="warn">') == 3
    assert "bold" not in page.split("</style>")[0]


def test_what_the_report_shows_is_escaped():
    scores = SCORES.assign(note=SCORES["note"].mask(SCORES["indicator_id"].eq("6.3.2a"), "<b>填报说明</b>"))
    page = render_html("validation.html.j2", report(scores=scores))
    assert "<b>填报说明</b>" not in page and "&lt;b&gt;填报说明&lt;/b&gt;" in page
