"""Great Expectations suites generated from the catalog: data quality, and one expectation per rule.

Wide frames (one row per county) are validated: a column per due figure named by its id, and
`<id>@prev` for the same quarter a year earlier where a trend rule needs it.
"""

from __future__ import annotations

from expectations.catalog import Catalog, Indicator
from expectations.template_rows import due_indicators, due_inputs

KEY = "county_code"
PREV = "@prev"


def prev_column(item_id: str) -> str:
    return f"{item_id}{PREV}"


def wide_columns(catalog: Catalog, quarter: str) -> list[str]:
    """Columns of the wide frame for a quarter, in catalog order."""
    cols = []
    for ind in due_indicators(catalog, quarter):
        cols.append(ind.id)
        if ind.op == "trend":
            cols.append(prev_column(ind.id))
    return cols + [i.id for i in due_inputs(catalog, quarter)]


def _gxe():
    import great_expectations.expectations as gxe  # imported lazily: about 3 s

    return gxe


def quality_expectations(catalog: Catalog, quarter: str) -> list:
    """Required figures present, answers on their scale, numbers within physical ranges."""
    gxe = _gxe()
    out = []
    figures = [*due_indicators(catalog, quarter), *due_inputs(catalog, quarter)]
    for fig in figures:
        meta = {"item_id": fig.id, "check": "required"}
        out.append(gxe.ExpectColumnValuesToNotBeNull(column=fig.id, meta=meta))
        if fig.scale:
            out.append(gxe.ExpectColumnValuesToBeInSet(
                column=fig.id, value_set=list(catalog.scales[fig.scale]),
                meta={"item_id": fig.id, "check": "scale"}))
        else:
            low, high = catalog.physical_range(fig.unit)
            out.append(gxe.ExpectColumnValuesToBeBetween(
                column=fig.id, min_value=low, max_value=high, meta={"item_id": fig.id, "check": "range"}))
    out.append(gxe.ExpectColumnValuesToBeUnique(column=KEY, meta={"item_id": KEY, "check": "unique"}))
    return out


def rule_expectation(ind: Indicator, catalog: Catalog):
    """The one expectation that says, per county, whether the indicator's main rule is met."""
    gxe = _gxe()
    meta = {"indicator_id": ind.id, "op": ind.op}
    op, thr = ind.op, ind.threshold
    if op in (">=", ">"):
        return gxe.ExpectColumnValuesToBeBetween(column=ind.id, min_value=thr, strict_min=op == ">", meta=meta)
    if op in ("<=", "<"):
        return gxe.ExpectColumnValuesToBeBetween(column=ind.id, max_value=thr, strict_max=op == "<", meta=meta)
    if op == "==":
        return gxe.ExpectColumnValuesToBeBetween(column=ind.id, min_value=thr, max_value=thr, meta=meta)
    if op == "grade":
        scale = catalog.scales[ind.scale]
        return gxe.ExpectColumnValuesToBeInSet(
            column=ind.id, value_set=list(scale[: scale.index(thr) + 1]), meta=meta)
    if op == "bool":
        return gxe.ExpectColumnValuesToBeInSet(column=ind.id, value_set=[thr], meta=meta)
    if op == "trend":
        a, b = (ind.id, prev_column(ind.id)) if thr == "up" else (prev_column(ind.id), ind.id)
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a, column_B=b, or_equal=False, ignore_row_if="either_value_is_missing", meta=meta)
    # relative: compare with the reference figure's column
    a, b = (ind.id, str(thr)) if ind.compare in (">=", ">") else (str(thr), ind.id)
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=a, column_B=b, or_equal=ind.compare in (">=", "<="),
        ignore_row_if="either_value_is_missing", meta=meta)


def threshold_expectations(catalog: Catalog, quarter: str) -> list:
    return [rule_expectation(ind, catalog) for ind in due_indicators(catalog, quarter)]
