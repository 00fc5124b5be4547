"""Human wording of catalog rules (要求), used by templates, validation messages and the bulletin."""

from __future__ import annotations

from core.vocab import COMPARISON_SYMBOL
from expectations.catalog import Catalog, Indicator


def _num(value: float) -> str:
    return f"{value:g}"


def _with_unit(value: float, unit: str) -> str:
    return f"{_num(value)}{unit}"


def main_rule_text(ind: Indicator, catalog: Catalog) -> str:
    """The rule itself, e.g. ≥90%, ＞95%, Ⅱ类及以上, 是, 较上年下降, ≥上级下达的耕地保有量规划指标."""
    op = ind.op
    if op in COMPARISON_SYMBOL:
        return f"{COMPARISON_SYMBOL[op]}{_with_unit(float(ind.threshold), ind.unit)}"
    if op == "grade":
        assert ind.scale is not None  # the catalog requires a scale for op grade
        return f"{ind.threshold}及以上" if ind.threshold != catalog.scales[ind.scale][0] else str(ind.threshold)
    if op == "bool":
        return str(ind.threshold)
    if op == "trend":
        return "较上年提升" if ind.threshold == "up" else "较上年下降"
    ref = catalog.input_by_id[str(ind.threshold)]
    assert ind.compare is not None  # what is left is op relative, which the catalog requires to have compare
    return f"{COMPARISON_SYMBOL[ind.compare]}{ref.name}"


def alternative_texts(ind: Indicator, catalog: Catalog) -> list[str]:
    """The seed's 或… alternatives in words."""
    return [alternative_text(ind, alt.code, catalog) for alt in ind.alternatives]


def alternative_text(ind: Indicator, code: str, catalog: Catalog) -> str:
    """One alternative in words: 较上年提升, 连续三年改善, AQI不超过100的天数≥国务院下达的目标…"""
    alt = next(a for a in ind.alternatives if a.code == code)
    if alt.code == "yoy":
        return "较上年提升" if ind.direction == "higher" else "较上年下降"
    if alt.code == "3y":
        return "连续三年改善" if ind.direction == "higher" else "连续三年减少"
    assert alt.op is not None  # the catalog requires op for every alternative but yoy and 3y
    target = catalog.input_by_id[alt.reference].name if alt.reference else alt.value
    if alt.figure is None:  # the indicator's own figure against another reference
        return f"{COMPARISON_SYMBOL[alt.op]}{target}"
    figure = catalog.input_by_id[alt.figure].name
    return f"{figure}{COMPARISON_SYMBOL[alt.op]}{target}" if alt.op != "==" else f"{figure}：{target}"


def rule_text(ind: Indicator, catalog: Catalog) -> str:
    """Full rule with alternatives: ≥36%，或较上年提升."""
    return "，或".join([main_rule_text(ind, catalog), *alternative_texts(ind, catalog)])
