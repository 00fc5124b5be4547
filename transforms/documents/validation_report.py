"""The context of our own Chinese validation report: a county × indicator grid of the compliance rules
and the data-quality failures, every failed figure with what was expected. Pure: tables in, context out.

A cell's verdict and the totals are the scoring's (indicator outcomes and the ranking's one count,
transforms.score.outcome_counts), so that the report and the bulletin never count differently; the
rule table adds what was compared with what."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.vocab import Outcome, RuleStatus
from core.zh import figure_text
from expectations.catalog import Catalog
from expectations.rules import rule_text
from expectations.suites import KEY, MAIN
from expectations.template_rows import due_indicators

STATUS_LABEL = {"met": "达标", "alt": "替代达标", "not_met": "未达标", "missing": "缺数", "invalid": "数据异常"}
OUTCOME_CLASS = {
    Outcome.MET: "met",
    Outcome.MET_ALT: "alt",
    Outcome.UNMET: "not_met",
    Outcome.MISSING: "missing",
    Outcome.BAD_DATA: "invalid",
    Outcome.UNDECIDABLE: "missing",
}
MISSING_LABEL = {"value": "未填报", "history": "无上年数据", "reference": "缺少参照数据"}
RULE_LABEL = {MAIN: "本项要求", "yoy": "较上年改善", "3y": "连续三年改善"}


@dataclass(frozen=True)
class Cell:
    status: str  # met, alt, not_met, missing, invalid: a CSS class and a label
    label: str
    shown: str  # the observed value
    title: str  # what was expected, for the tooltip


@dataclass(frozen=True)
class GridRow:
    indicator_id: str
    name: str
    rule: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Failure:
    county: str
    indicator_id: str
    name: str
    rule: str
    observed: str
    expected: str
    status: str
    source: str


@dataclass(frozen=True)
class QualityIssue:
    county: str
    item_id: str
    name: str
    problem: str


@dataclass(frozen=True)
class ValidationReport:
    title: str
    quarter: str
    counties: tuple[str, ...]
    grid: tuple[GridRow, ...]
    failures: tuple[Failure, ...]
    quality: tuple[QualityIssue, ...]
    totals: tuple[tuple[str, int, int, int], ...]  # county, met, not met, undecidable: the bulletin's count
    expectation_count: int


def _shown(value: object) -> str:
    return figure_text(value, missing="—")


def _rule_label(catalog: Catalog, indicator_id: str, rule: str) -> str:
    if rule in RULE_LABEL:
        return RULE_LABEL[rule]
    ind = catalog.indicator_by_id[indicator_id]
    alt = next(a for a in ind.alternatives if a.code == rule)
    return catalog.input_by_id[alt.figure].name if alt.figure else f"替代条件 {rule}"


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
    """Assemble the report from the rule table, the data-quality failures, the figures' cells, and the
    scoring's outcomes and counts."""
    present = set(rules[KEY])
    counties = [c for c in catalog.counties if c.code in present]
    by_rule = {(r.county_code, r.indicator_id, r.rule): r for r in rules.itertuples(index=False)}
    outcome_of = {(r.county_code, r.indicator_id): r.outcome for r in indicator_scores.itertuples(index=False)}
    cells_of = {(r.county_code, r.item_id): f"{r.file} {r.cell}" for r in values.itertuples(index=False)}
    grid, failures = [], []
    for ind in due_indicators(catalog, quarter):
        cells = []
        for county in counties:
            main = by_rule.get((county.code, ind.id, MAIN))
            alts = [by_rule.get((county.code, ind.id, a.code)) for a in ind.alternatives]
            outcome = outcome_of.get((county.code, ind.id), Outcome.MISSING)
            status = OUTCOME_CLASS[outcome]
            label = (
                MISSING_LABEL.get(main.missing, outcome)
                if main is not None
                and main.status == RuleStatus.MISSING
                and outcome in (Outcome.MISSING, Outcome.UNDECIDABLE)
                else outcome
            )
            expected = f"要求 {main.expected}" if main is not None else ""
            cells.append(Cell(status, label, _shown(None if main is None else main.observed), expected))
            if outcome in (Outcome.UNMET, Outcome.BAD_DATA):
                for r in [main, *alts]:
                    if r is not None and r.status in (RuleStatus.NOT_MET, RuleStatus.INVALID):
                        failures.append(
                            Failure(
                                county.name,
                                ind.id,
                                ind.name,
                                _rule_label(catalog, ind.id, r.rule),
                                _shown(r.observed),
                                r.expected,
                                STATUS_LABEL[r.status],
                                cells_of.get((county.code, ind.id), ""),
                            )
                        )
        grid.append(GridRow(ind.id, ind.name, rule_text(ind, catalog), tuple(cells)))
    names = {**{i.id: i.name for i in catalog.indicators}, **{i.id: i.name for i in catalog.inputs}}
    quality = tuple(
        QualityIssue(
            catalog.county_by_code[r.county_code].name if r.county_code in catalog.county_by_code else r.county_code,
            r.item_id,
            names.get(r.item_id, r.item_id),
            r.problem,
        )
        for r in dq_failures.itertuples(index=False)
    )
    counted = ranking.set_index("county_code")[["met", "unmet", "undecidable"]].fillna(0).astype(int)
    totals = tuple(
        (
            c.name,
            int(counted.at[c.code, "met"]),
            int(counted.at[c.code, "unmet"]),
            int(counted.at[c.code, "undecidable"]),
        )
        for c in counties
        if c.code in counted.index
    )
    return ValidationReport(
        f"{quarter_label}数据校验报告",
        quarter,
        tuple(c.name for c in counties),
        tuple(grid),
        tuple(failures),
        quality,
        totals,
        expectation_count,
    )
