"""Between the long table (one row per county and item) and the wide frame GE validates."""

from __future__ import annotations

import pandas as pd

from expectations.catalog import Catalog
from expectations.suites import KEY, prev_column, wide_columns


def figure_values(values: pd.DataFrame) -> pd.Series:
    """Each figure's typed value: the scale answer where there is one, else the number."""
    return values["answer"].where(values["answer"].notna(), values["value"])


def to_wide(values: pd.DataFrame, history: pd.DataFrame, catalog: Catalog, quarter: str,
            counties: list[str]) -> pd.DataFrame:
    """One row per reporting county; a column per due figure and `<id>@prev` for trend rules.

    history: county_code, item_id, years_back, value (earlier years' same quarter).
    """
    columns = wide_columns(catalog, quarter)
    figures = values[values["kind"] != "task"].assign(v=lambda d: figure_values(d))
    wide = figures.pivot(index="county_code", columns="item_id", values="v")
    out = pd.DataFrame(index=pd.Index(counties, name=KEY)).join(wide)
    for years in (1, 2):
        earlier = history[history["years_back"] == years]
        past = earlier.pivot(index="county_code", columns="item_id", values="value")
        past.columns = [prev_column(c, years) for c in past.columns]
        out = out.join(past)
    out = out.reindex(columns=columns)
    choice = {f.id for f in (*catalog.indicators, *catalog.inputs) if f.scale}
    numeric = {c: "float64" for c in columns if c.split("@")[0] not in choice}
    return out.astype(numeric).astype({c: "object" for c in columns if c not in numeric}).reset_index()
