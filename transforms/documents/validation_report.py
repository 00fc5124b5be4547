"""The context of our own Chinese validation report, for people: a summary per county (checks passed,
failed, warnings), then per county in catalog order only what did not pass, each indicator by its number
and its Chinese name, with the figure, where it came from and what was required. Pure: tables in,
context out.

A county's verdicts are the scoring's (the indicator outcomes), counted with the same outcome sets as
the bulletin (core.vocab: MET_OUTCOMES, UNMET_OUTCOMES), so that 未通过 here is the bulletin's 未达标
count; the rule table adds what else was tried, and the data-quality failures say why a figure is 数据异常.
Rule codes and column names stay out of the text: they go to a title attribute, to trace in rules.csv."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.vocab import MET_OUTCOMES, UNMET_OUTCOMES, MissingKind, Outcome, RuleStatus
from core.zh import figure_text
from expectations.catalog import Catalog, Indicator
from expectations.rules import alternative_text, main_rule_text
from expectations.suites import KEY, MAIN

FAILED, WARNING = "未通过", "警告"
LEVEL_CLASS = {FAILED: "fail", WARNING: "warn"}
QUALITY = "数据质量"
ALT_STATUS = {RuleStatus.NOT_MET: "未满足", RuleStatus.INVALID: "数据异常", RuleStatus.MET: "满足"}
MISSING_LABEL = {MissingKind.VALUE: "未填报", MissingKind.HISTORY: "无上年数据", MissingKind.REFERENCE: "缺少参照数据"}

Row = Any  # a row of a frame, from itertuples (pandas gives it no static type)
Rules = dict[tuple[str, str, str], Row]  # county, indicator, rule → the rule table's row
Scores = dict[tuple[str, str], Row]  # county, indicator → the scoring's row
Texts = dict[tuple[str, str], str]  # county, item → a text (where the figure is; what its quality lacks)


@dataclass(frozen=True)
class Finding:
    """One indicator a county did not pass or that could not be judged, or a figure that failed a
    data-quality check without deciding an indicator."""

    indicator_id: str
    name: str
    status: str  # 未通过 or 警告
    level: str  # fail or warn: a CSS class
    problem: str  # 未达标, 未填报, 数据异常, 无法判定, 数据质量
    observed: str
    expected: str
    note: str
    source: str  # file, sheet and cell
    trace: str  # rule codes and columns as rules.csv has them: a tooltip, never the visible text


@dataclass(frozen=True)
class Passed:
    indicator_id: str
    name: str
    observed: str
    how: str  # 达标, or 替代达标 and by which alternative; 沿用上年 where carried


@dataclass(frozen=True)
class CountySection:
    county: str
    anchor: str
    findings: tuple[Finding, ...]  # catalog order
    failed: int
    warnings: int
    passed: tuple[Passed, ...]


@dataclass(frozen=True)
class CountyTotal:
    county: str
    anchor: str  # empty for a county without a section
    passed: int | None  # None: the county has no figures this quarter
    failed: int | None  # the bulletin's 未达标 (未达标, 未填报 and 数据异常)
    warnings: int | None  # 无法判定, and data-quality failures that decided no indicator
    remark: str


@dataclass(frozen=True)
class QualityIssue:
    """A data-quality failure of no catalog county (an unknown county code, an unknown column)."""

    unit: str
    item: str
    problem: str


@dataclass(frozen=True)
class ValidationReport:
    title: str
    quarter: str
    totals: tuple[CountyTotal, ...]  # every county of the catalog, in catalog order
    counties: tuple[CountySection, ...]  # the counties with figures, in catalog order
    other: tuple[QualityIssue, ...]
    expectation_count: int


def _expected(ind: Indicator, catalog: Catalog, score: Row) -> str:
    text = main_rule_text(ind, catalog)
    if ind.op == "relative" and score.reference is not None and not pd.isna(score.reference):
        text += f"（{figure_text(float(score.reference), ind.unit)}）"
    return text


def _tried(ind: Indicator, catalog: Catalog, by_rule: Rules, county: str) -> str:
    """What the alternatives (或…) of a failed indicator found: 替代条件：“较上年提升”未满足."""
    said = []
    for alt in ind.alternatives:
        r = by_rule.get((county, ind.id, alt.code))
        if r is not None:
            word = MISSING_LABEL.get(r.missing, "") if r.status == RuleStatus.MISSING else ALT_STATUS[r.status]
            said.append(f"“{alternative_text(ind, alt.code, catalog)}”{word}")
    return f"替代条件：{'；'.join(said)}" if said else ""


def _trace(by_rule: Rules, county: str, ind: Indicator) -> str:
    rules = [by_rule.get((county, ind.id, code)) for code in (MAIN, *(a.code for a in ind.alternatives))]
    return "；".join(f"rules.csv {r.rule} {r.status}（{r.columns}）" for r in rules if r is not None)


def _finding(ind: Indicator, catalog: Catalog, score: Row, source: str, by_rule: Rules, quality: list[str]) -> Finding:
    outcome = Outcome(score.outcome)
    status = FAILED if outcome in UNMET_OUTCOMES else WARNING
    notes = [
        score.note if isinstance(score.note, str) else "",
        *quality,
        _tried(ind, catalog, by_rule, score.county_code),
    ]
    return Finding(
        ind.id,
        ind.name,
        status,
        LEVEL_CLASS[status],
        outcome,
        figure_text(score.value, ind.unit if isinstance(score.value, float) else "", missing="—"),
        _expected(ind, catalog, score),
        "；".join(n for n in notes if n),
        source,
        _trace(by_rule, score.county_code, ind),
    )


def _passed(ind: Indicator, catalog: Catalog, score: Row) -> Passed:
    how = str(score.outcome)
    if score.outcome == Outcome.MET_ALT and isinstance(score.alternative, str):
        how += f"（{alternative_text(ind, score.alternative, catalog)}）"
    if isinstance(score.carried_from, str):
        how += "，沿用上年判定"
    observed = figure_text(score.value, ind.unit if isinstance(score.value, float) else "", missing="—")
    return Passed(ind.id, ind.name, observed, how)


def _item_names(catalog: Catalog) -> dict[str, str]:
    inputs = {i.id: i.name for i in catalog.inputs}
    return {KEY: "县（市）代码", "": "表头", **inputs, **{i.id: i.name for i in catalog.indicators}}


def _section(
    code: str, catalog: Catalog, scores: Scores, by_rule: Rules, sources: Texts, quality: Texts
) -> CountySection:
    names = _item_names(catalog)
    findings, passed, explained = [], [], set()
    for ind in catalog.indicators:
        score = scores.get((code, ind.id))
        if score is None:
            continue
        if score.outcome in MET_OUTCOMES:
            passed.append(_passed(ind, catalog, score))
            continue
        main = by_rule.get((code, ind.id, MAIN))
        items = (
            list(dict.fromkeys(c.split("@")[0] for c in str(main.columns).split())) if main is not None else [ind.id]
        )
        bad = [i for i in items if (code, i) in quality] if score.outcome == Outcome.BAD_DATA else []
        explained |= set(bad)
        said = [f"{names.get(i, i)}{quality[(code, i)]}" for i in bad]
        findings.append(_finding(ind, catalog, score, sources.get((code, ind.id), _cell(score)), by_rule, said))
    for (county, item), problem in quality.items():
        if county == code and item not in explained:  # a figure the scoring did not fail for it
            shown = item if item in catalog.indicator_by_id or item in catalog.input_by_id else ""
            where = sources.get((code, item), "")
            findings.append(Finding(shown, names.get(item, item), WARNING, "warn", QUALITY, "", "", problem, where, ""))
    failed = sum(f.status == FAILED for f in findings)
    return CountySection(
        catalog.county_by_code[code].name, f"c{code}", tuple(findings), failed, len(findings) - failed, tuple(passed)
    )


def _cell(score: Row) -> str:
    return " ".join(str(x) for x in (score.file, score.cell) if isinstance(x, str))


def _total(code: str, catalog: Catalog, section: CountySection | None, reasons: dict[str, str]) -> CountyTotal:
    name, reason = catalog.county_by_code[code].name, reasons.get(code, "")
    if section is None:
        return CountyTotal(name, "", None, None, None, reason or "本季度无数据")
    kinds = [f.problem for f in section.findings if f.status == FAILED]
    split = "、".join(f"{k} {kinds.count(k)} 项" for k in (Outcome.MISSING, Outcome.BAD_DATA) if k in kinds)
    remark = "；".join(x for x in (f"未通过中含{split}" if split else "", reason) if x)
    return CountyTotal(name, section.anchor, len(section.passed), section.failed, section.warnings, remark)


def build_validation_report(
    rules: pd.DataFrame,
    dq_failures: pd.DataFrame,
    values: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    quarter_label: str,
    expectation_count: int,
    indicator_scores: pd.DataFrame,
    ranking: pd.DataFrame,
) -> ValidationReport:
    """Assemble the report from the rule table, the data-quality failures, the figures' cells, the
    scoring's outcomes per county and indicator, and the ranking's reasons for a county not ranked."""
    by_rule = {(r.county_code, r.indicator_id, r.rule): r for r in rules.itertuples(index=False)}
    scores = {(r.county_code, r.indicator_id): r for r in indicator_scores.itertuples(index=False)}
    sources = {
        (r.county_code, r.item_id): " ".join(
            x for x in (r.file, getattr(r, "sheet", None), r.cell) if isinstance(x, str)
        )
        for r in values.itertuples(index=False)
    }
    quality: Texts = {}
    for r in dq_failures.itertuples(index=False):
        key = (str(getattr(r, KEY)), str(r.item_id))
        quality[key] = "、".join(p for p in (quality.get(key), str(r.problem)) if p)
    present = set(indicator_scores[KEY]) if len(indicator_scores) else set()
    sections = {
        c.code: _section(c.code, catalog, scores, by_rule, sources, quality)
        for c in catalog.counties
        if c.code in present
    }
    reasons = {
        str(r.county_code): r.not_ranked_reason if isinstance(r.not_ranked_reason, str) else ""
        for r in ranking.itertuples(index=False)
    }
    names = _item_names(catalog)
    other = tuple(
        QualityIssue("全部报送" if county == "*" else f"代码 {county}", names.get(item, item), problem)
        for (county, item), problem in quality.items()
        if county not in catalog.county_by_code
    )
    return ValidationReport(
        f"{quarter_label}数据校验报告",
        quarter,
        tuple(_total(c.code, catalog, sections.get(c.code), reasons) for c in catalog.counties),
        tuple(sections.values()),
        other,
        expectation_count,
    )
