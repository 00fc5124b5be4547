"""Great Expectations suites generated from the catalog: 数据质量 (data quality) and 达标 (compliance).

Both validate one wide frame per quarter: a row per county, a column per due figure named by its id
(ASCII), `<id>@prev`, `<id>@prev2`, `<id>@prev3` for the same quarter one to three years earlier where a
trend or an alternative (或逐年提升, 连续三年) needs it, and a column per input figure (the county's own, and
the planning targets and averages the office supplies).

Compliance has one expectation per comparison of every indicator's rules (its main rule, then each
alternative). A rule is one or more parts, all of which must hold; a part is one or more options, any
of which makes it hold. 连续三年 is three parts (this year better than last, last better than the year
before, that better than the one before it); a comparison of a figure with its own earlier value has a
second option, the figure standing at its unit's bound (0 for a count that must fall: 0 → 0 accidents
meets 逐年下降; 100 % for a rate that must rise). Each expectation's meta names its indicator, rule, part
and option, so that results map back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.runtime import configure
from expectations.catalog import Catalog, Indicator
from expectations.template_rows import due_figures, due_indicators, due_inputs

KEY = "county_code"
MAIN = "main"
NUMBER_TYPES = ["float64", "float", "int64", "int"]
_DIRECTION_OP = {"higher": ">", "lower": "<"}


THREE_YEARS = 3  # 连续三年: three yearly improvements, so the figure and the three years before it
HISTORY_YEARS = THREE_YEARS  # the most years back any rule compares with


def prev_column(item_id: str, years: int = 1) -> str:
    return f"{item_id}@prev" if years == 1 else f"{item_id}@prev{years}"


def history_years(ind: Indicator) -> int:
    """How many earlier years of this indicator its rules compare with (0, 1 or 3)."""
    codes = {a.code for a in ind.alternatives}
    if "3y" in codes:
        return THREE_YEARS
    return 1 if ind.op == "trend" or "yoy" in codes else 0


def wide_columns(catalog: Catalog, quarter: str) -> list[str]:
    """Columns of the wide frame for a quarter (besides the key), in catalog order."""
    cols = []
    for ind in due_indicators(catalog, quarter):
        cols.append(ind.id)
        cols += [prev_column(ind.id, k) for k in range(1, history_years(ind) + 1)]
    return cols + [i.id for i in due_inputs(catalog, quarter)]


@dataclass(frozen=True)
class Comparison:
    """One atomic check of a rule: `column` op `other` (a column) or op `value`, or `column` in `allowed`.
    A rule holds when every part holds; a part holds when any of its options does."""

    indicator_id: str
    rule: str  # "main" or the alternative's code
    part: int  # 1; 1 to 3 for a three-year rule
    column: str
    op: str  # >= > <= < == in
    other: str | None = None
    value: float | None = None
    allowed: tuple[str, ...] = ()
    option: int = 1  # 2: the figure at its unit's bound, for a comparison with its own earlier value

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, self.other) if self.other else (self.column,)


def _against_earlier(ind: Indicator, catalog: Catalog, rule: str, part: int, years: int) -> list[Comparison]:
    """The figure `years - 1` years back better than the one `years` back, or at its unit's bound: a
    count that must fall and stands at 0 cannot fall further, a rate that must rise and stands at 100 %
    cannot rise further; either meets the rule (so 0 → 0 accidents meets 逐年下降)."""
    column = ind.id if years == 1 else prev_column(ind.id, years - 1)
    out = [Comparison(ind.id, rule, part, column, _DIRECTION_OP[ind.direction], other=prev_column(ind.id, years))]
    low, high = catalog.physical_range(ind.unit)
    if ind.direction == "lower":
        out.append(Comparison(ind.id, rule, part, column, "<=", value=float(low), option=2))
    elif high is not None:
        out.append(Comparison(ind.id, rule, part, column, ">=", value=float(high), option=2))
    return out


def rule_comparisons(ind: Indicator, catalog: Catalog) -> list[Comparison]:
    """Every rule of an indicator as atomic comparisons: the main rule, then each alternative."""
    out = _main(ind, catalog)
    for alt in ind.alternatives:
        if alt.code == "yoy":
            out += _against_earlier(ind, catalog, "yoy", 1, 1)
        elif alt.code == "3y":
            for years in range(1, THREE_YEARS + 1):
                out += _against_earlier(ind, catalog, "3y", years, years)
        elif alt.reference is not None:
            assert alt.op is not None  # the catalog requires op for every alternative but yoy and 3y
            out.append(Comparison(ind.id, alt.code, 1, alt.figure or ind.id, alt.op, other=alt.reference))
        else:
            assert alt.value is not None  # the catalog requires a reference or a value for these
            out.append(Comparison(ind.id, alt.code, 1, alt.figure or ind.id, "in", allowed=(alt.value,)))
    return out


def _main(ind: Indicator, catalog: Catalog) -> list[Comparison]:
    op, thr = ind.op, ind.threshold
    if op in (">=", ">", "<=", "<", "=="):
        return [Comparison(ind.id, MAIN, 1, ind.id, op, value=float(thr))]
    if op == "grade":
        assert ind.scale is not None  # the catalog requires a scale for op grade
        scale = catalog.scales[ind.scale]
        return [Comparison(ind.id, MAIN, 1, ind.id, "in", allowed=scale[: scale.index(thr) + 1])]
    if op == "bool":
        assert isinstance(thr, str)  # the catalog requires a textual threshold for op bool
        return [Comparison(ind.id, MAIN, 1, ind.id, "in", allowed=(thr,))]
    if op == "trend":
        return _against_earlier(ind, catalog, MAIN, 1, 1)
    assert ind.compare is not None  # what is left is op relative, which the catalog requires to have compare
    return [Comparison(ind.id, MAIN, 1, ind.id, ind.compare, other=str(thr))]


def comparisons(catalog: Catalog, quarter: str) -> list[Comparison]:
    return [c for ind in due_indicators(catalog, quarter) for c in rule_comparisons(ind, catalog)]


def _gxe():
    configure()  # telemetry off before Great Expectations is imported
    import great_expectations.expectations as gxe  # imported lazily: about 3 s

    return gxe


def to_expectation(c: Comparison):
    """The Great Expectations expectation that checks one comparison, per county row."""
    gxe = _gxe()
    meta = {"indicator_id": c.indicator_id, "rule": c.rule, "part": c.part, "option": c.option}
    if c.op == "in":
        return gxe.ExpectColumnValuesToBeInSet(column=c.column, value_set=list(c.allowed), meta=meta)
    if c.other is None:
        bounds = {
            ">=": {"min_value": c.value},
            ">": {"min_value": c.value, "strict_min": True},
            "<=": {"max_value": c.value},
            "<": {"max_value": c.value, "strict_max": True},
            "==": {"min_value": c.value, "max_value": c.value},
        }[c.op]
        return gxe.ExpectColumnValuesToBeBetween(column=c.column, meta=meta, **bounds)
    a, b = (c.column, c.other) if c.op in (">=", ">") else (c.other, c.column)
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=a, column_B=b, or_equal=c.op in (">=", "<="), ignore_row_if="either_value_is_missing", meta=meta
    )


def compliance_expectations(catalog: Catalog, quarter: str) -> list:
    """达标: one expectation per comparison of every due indicator's rules."""
    return [to_expectation(c) for c in comparisons(catalog, quarter)]


def quality_expectations(catalog: Catalog, quarter: str) -> list:
    """数据质量: known counties, once each, only known columns; every required figure present; numbers
    typed as numbers within their physical range; answers on their scale."""
    gxe = _gxe()
    codes = [c.code for c in catalog.counties]
    out = [
        gxe.ExpectColumnValuesToBeInSet(column=KEY, value_set=codes, meta={"item_id": KEY, "check": "county"}),
        gxe.ExpectColumnValuesToBeUnique(column=KEY, meta={"item_id": KEY, "check": "unique"}),
        gxe.ExpectTableColumnsToMatchSet(
            column_set=[KEY, *wide_columns(catalog, quarter)],
            exact_match=True,
            meta={"item_id": "", "check": "columns"},
        ),
    ]
    figures = due_figures(catalog, quarter)
    for fig in figures:
        out.append(gxe.ExpectColumnValuesToNotBeNull(column=fig.id, meta={"item_id": fig.id, "check": "required"}))
        if fig.scale:
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=fig.id, value_set=list(catalog.scales[fig.scale]), meta={"item_id": fig.id, "check": "scale"}
                )
            )
        else:
            low, high = catalog.physical_range(fig.unit)
            out.append(
                gxe.ExpectColumnValuesToBeInTypeList(
                    column=fig.id, type_list=NUMBER_TYPES, meta={"item_id": fig.id, "check": "type"}
                )
            )
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=fig.id, min_value=low, max_value=high, meta={"item_id": fig.id, "check": "range"}
                )
            )
    return out


# 数据质量 for one county's return, as the portal and `chuangwen check` run it. GX's cost is per
# expectation, not per row: the wide suite's three or four expectations per figure (170 at Q4) take
# seconds for one row. Laid out long (a row per county and figure, its bounds and scale beside it:
# transforms.reshape.check_rows), the same checks are eight expectations. The quality suite stays the
# one the quarter's run and its Data Docs use; a test holds the two to the same verdicts.
CHECK_COLUMNS = [KEY, "item_id", "number", "answer", "scale", "low", "high"]


def check_expectations(catalog: Catalog, quarter: str) -> list:
    """数据质量 over check_rows: the quality suite's checks but `required` (a missing figure is scored as
    未填报, not reported as bad data), each check's bound or scale read from its row. A check whose meta
    names no item_id is about the item of each row it fails."""
    gxe = _gxe()
    figures = [f.id for f in due_figures(catalog, quarter)]
    pairs = [[scale, answer] for scale, answers in catalog.scales.items() for answer in answers]
    either = "either_value_is_missing"
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column=KEY, value_set=[c.code for c in catalog.counties], meta={"item_id": KEY, "check": "county"}
        ),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=[KEY, "item_id"], meta={"item_id": KEY, "check": "unique"}),
        gxe.ExpectTableColumnsToMatchSet(
            column_set=CHECK_COLUMNS, exact_match=True, meta={"item_id": "", "check": "columns"}
        ),
        gxe.ExpectColumnValuesToBeInSet(column="item_id", value_set=figures, meta={"item_id": "", "check": "columns"}),
        gxe.ExpectColumnPairValuesToBeInSet(
            column_A="scale",
            column_B="answer",
            value_pairs_set=pairs,
            ignore_row_if=either,
            meta={"check": "scale"},
        ),
        gxe.ExpectColumnValuesToBeInTypeList(column="number", type_list=NUMBER_TYPES, meta={"check": "type"}),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="number",
            column_B="low",
            or_equal=True,
            ignore_row_if=either,
            meta={"check": "range"},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="high",
            column_B="number",
            or_equal=True,
            ignore_row_if=either,
            meta={"check": "range"},
        ),
    ]


# The reviewable copies: every change of a rule shows in review as a change of these files.
SUITES_DIR = Path(__file__).with_name("suites")
SUITE_BUILDERS = {
    "quality": quality_expectations,
    "compliance": compliance_expectations,
    "check": check_expectations,
}
QUARTER_KINDS = {"q1-q3": "2022Q1", "q4": "2022Q4"}  # annual figures are due in Q4 only


def suite_json(suite) -> dict:
    """A suite as reviewable JSON: stable (no generated ids), in generation order."""
    data = suite.to_json_dict()
    data.pop("id", None)
    for exp in data["expectations"]:
        exp.pop("id", None)
    return data


def suite_documents(catalog: Catalog) -> dict[str, dict]:
    """file name → suite JSON, for every suite and kind of quarter."""
    configure()
    import great_expectations as gx

    return {
        f"{key}_{kind}.json": suite_json(gx.ExpectationSuite(name=f"{key}_{kind}", expectations=build(catalog, q)))
        for key, build in SUITE_BUILDERS.items()
        for kind, q in QUARTER_KINDS.items()
    }


def main() -> None:
    """python -m expectations.suites: rewrite the committed copies from the catalog."""
    import json

    from expectations.catalog import load_catalog

    SUITES_DIR.mkdir(exist_ok=True)
    for name, doc in suite_documents(load_catalog()).items():
        (SUITES_DIR / name).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {SUITES_DIR / name}")


if __name__ == "__main__":
    main()
