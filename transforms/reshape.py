"""Between the long table (one row per county and item) and the wide frame GE validates."""

from __future__ import annotations

import pandas as pd

from expectations.catalog import Catalog
from expectations.suites import CHECK_COLUMNS, HISTORY_YEARS, KEY, prev_column, wide_columns
from expectations.template_rows import due_figures


def figure_values(values: pd.DataFrame) -> pd.Series:
    """Each figure's typed value: the scale answer where there is one, else the number."""
    return values["answer"].where(values["answer"].notna(), values["value"])


def to_wide(
    values: pd.DataFrame,
    history: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    counties: list[str],
    references: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per reporting county; a column per due figure, `<id>@prev…` for rules on earlier years,
    and a column per input the office supplies (references: county_code, item_id, value).

    history: county_code, item_id, years_back, value (earlier years' same quarter).
    """
    columns = wide_columns(catalog, quarter)
    office = {i.id for i in catalog.inputs if i.source == "office"}
    figures = values[(values["kind"] != "task") & ~values["item_id"].isin(office)]
    figures = figures.assign(v=lambda d: figure_values(d))
    if references is not None and len(references):
        figures = pd.concat(
            [
                figures[["county_code", "item_id", "v"]],
                references[["county_code", "item_id", "value"]].rename(columns={"value": "v"}),
            ],
            ignore_index=True,
        )
    wide = figures.pivot(index="county_code", columns="item_id", values="v")
    out = pd.DataFrame(index=pd.Index(counties, name=KEY)).join(wide)
    for years in range(1, HISTORY_YEARS + 1):
        earlier = history[history["years_back"] == years]
        past = earlier.pivot(index="county_code", columns="item_id", values="value")
        past.columns = [prev_column(c, years) for c in past.columns]
        out = out.join(past)
    out = out.reindex(columns=columns)
    choice = {i.id for i in catalog.indicators if i.scale} | {i.id for i in catalog.inputs if i.scale}
    numeric = {c: "float64" for c in columns if c.split("@")[0] not in choice}
    return out.astype(numeric).astype({c: "object" for c in columns if c not in numeric}).reset_index()


def check_rows(wide: pd.DataFrame, catalog: Catalog, quarter: str) -> pd.DataFrame:
    """The wide frame's due figures as CHECK_COLUMNS, for the check suite: a row per county and figure,
    its number or its answer (left as the county wrote it, so that a number in a 是/否 cell fails the
    scale), and the bounds or the scale it is checked against (NaN: no bound)."""
    figures = due_figures(catalog, quarter)
    scale = {f.id: f.scale for f in figures if f.scale}
    bounds = {f.id: catalog.physical_range(f.unit) for f in figures if not f.scale}
    long = wide.melt(id_vars=[KEY], value_vars=[f.id for f in figures], var_name="item_id", value_name="v")
    is_scale = long["item_id"].isin(list(scale))
    value = long["v"].astype("object")
    low = long["item_id"].map(lambda i: bounds[i][0] if i in bounds else None)
    high = long["item_id"].map(lambda i: bounds[i][1] if i in bounds else None)
    return pd.DataFrame(
        {
            KEY: long[KEY].astype("object"),
            "item_id": long["item_id"].astype("object"),
            "number": pd.to_numeric(value.where(~is_scale, None), errors="raise").astype("float64"),
            "answer": value.where(is_scale & value.notna(), None),
            "scale": long["item_id"].map(scale).astype("object"),
            "low": low.astype("float64"),
            "high": high.astype("float64"),
        }
    )[CHECK_COLUMNS]
