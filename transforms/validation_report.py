"""The context of our own Chinese validation report: a county × indicator grid of the compliance rules
and the data-quality failures, every failed figure with what was expected. Pure: tables in, context out."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chuangwen.zh import figure_text
from expectations.catalog import Catalog
from expectations.rules import rule_text
from expectations.suites import KEY, MAIN
from expectations.template_rows import due_indicators

STATUS_LABEL = {"met": "达标", "alt": "替代达标", "not_met": "未达标", "missing": "缺数", "invalid": "数据异常"}
MISSING_LABEL = {"value": "未填报", "history": "无上年数据", "reference": "参照数据未填报"}
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
    totals: tuple[tuple[str, int, int, int], ...]  # county, met, not met, missing or invalid
    expectation_count: int


def _shown(value: object) -> str:
    return figure_text(value, missing="—")


def _rule_label(catalog: Catalog, indicator_id: str, rule: str) -> str:
    if rule in RULE_LABEL:
        return RULE_LABEL[rule]
    ind = catalog.indicator_by_id[indicator_id]
    alt = next(a for a in ind.alternatives if a.code == rule)
    return catalog.input_by_id[alt.figure].name if alt.figure else f"替代条件 {rule}"


def build_validation_report(rules: pd.DataFrame, dq_failures: pd.DataFrame, values: pd.DataFrame,
                            catalog: Catalog, quarter: str, quarter_label: str,
                            expectation_count: int) -> ValidationReport:
    """Assemble the report from the rule table, the data-quality failures and the figures' cells."""
    present = set(rules[KEY])
    counties = [c for c in catalog.counties if c.code in present]
    by_rule = {(r.county_code, r.indicator_id, r.rule): r for r in rules.itertuples(index=False)}
    cells_of = {(r.county_code, r.item_id): f"{r.file} {r.cell}" for r in values.itertuples(index=False)}
    grid, failures = [], []
    for ind in due_indicators(catalog, quarter):
        cells = []
        for county in counties:
            main = by_rule.get((county.code, ind.id, MAIN))
            alts = [by_rule.get((county.code, ind.id, a.code)) for a in ind.alternatives]
            status = main.status
            if status == "not_met" and any(a is not None and a.status == "met" for a in alts):
                status = "alt"
            label = MISSING_LABEL.get(main.missing, STATUS_LABEL[status]) if status == "missing" else \
                STATUS_LABEL[status]
            cells.append(Cell(status, label, _shown(main.observed), f"要求 {main.expected}"))
            for r in [main, *alts]:
                if r is not None and r.status in ("not_met", "invalid") and status != "alt":
                    failures.append(Failure(county.name, ind.id, ind.name, _rule_label(catalog, ind.id, r.rule),
                                            _shown(r.observed), r.expected, STATUS_LABEL[r.status],
                                            cells_of.get((county.code, ind.id), "")))
        grid.append(GridRow(ind.id, ind.name, rule_text(ind, catalog), tuple(cells)))
    names = {**{i.id: i.name for i in catalog.indicators}, **{i.id: i.name for i in catalog.inputs}}
    quality = tuple(
        QualityIssue(catalog.county_by_code.get(r.county_code).name if r.county_code in catalog.county_by_code
                     else r.county_code, r.item_id, names.get(r.item_id, r.item_id), r.problem)
        for r in dq_failures.itertuples(index=False)
    )
    main = rules[rules["rule"] == MAIN]
    tally = pd.crosstab(main[KEY], main["status"])  # county × status, counted once
    def count(code: str, *statuses: str) -> int:
        return int(sum(tally.at[code, s] for s in statuses if code in tally.index and s in tally.columns))
    totals = tuple((c.name, count(c.code, "met"), count(c.code, "not_met"), count(c.code, "missing", "invalid"))
                   for c in counties)
    return ValidationReport(f"{quarter_label}数据校验报告", quarter, tuple(c.name for c in counties),
                            tuple(grid), tuple(failures), quality, totals, expectation_count)
