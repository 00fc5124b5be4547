"""Ranking the counties: ties share a rank; a county that did not report, or left more than a fifth
of its quantitative figures empty, is not ranked (不予排名) and the reason is kept."""

from __future__ import annotations

import pandas as pd

from core.vocab import Absence, Outcome
from expectations.catalog import Catalog
from transforms.score import outcome_counts

MAX_MISSING_SHARE = 0.20


def missing_shares(indicator_scores: pd.DataFrame) -> pd.Series:
    """Share of each county's quantitative figures due this quarter that it left empty. A blank figure
    whose alternative was met is not missing (it counts 替代达标); a bar the office did not supply is not
    the county's missing figure; an annual figure between its reports is not due."""
    if indicator_scores.empty:
        return pd.Series(dtype="float64")
    due = indicator_scores
    if "due_this_quarter" in due.columns:
        due = due[due["due_this_quarter"].astype(bool)]
    return due.assign(missing=due["outcome"].eq(Outcome.MISSING)).groupby("county_code")["missing"].mean()


def rank_counties(
    totals: pd.DataFrame,
    indicator_scores: pd.DataFrame,
    catalog: Catalog,
    previous: pd.DataFrame | None = None,
    absent: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per county of the catalog, in rank order, with total, rank, reason and change.

    previous: last quarter's result of this function (county_code, rank), or None.
    absent: county code → why a county without figures has none (未报送, or 报送的文件未能读取（…）).
    """
    shares = missing_shares(indicator_scores)
    base = pd.DataFrame(
        {"county_code": [c.code for c in catalog.counties], "county": [c.name for c in catalog.counties]}
    )
    out = base.merge(totals, on="county_code", how="left")
    counts = outcome_counts(indicator_scores).set_index("county_code")
    for column in ("met", "unmet", "undecidable", "carried"):
        out[column] = out["county_code"].map(counts[column]).astype("Int64")
    out["missing_share"] = out["county_code"].map(shares)
    reason = pd.Series("", index=out.index, dtype="object")
    no_total = out["total"].isna()
    reason[no_total] = [(absent or {}).get(code, Absence.NOT_REPORTED) for code in out.loc[no_total, "county_code"]]
    too_many = out["missing_share"].gt(MAX_MISSING_SHARE)
    reason[too_many] = [
        f"定量指标未填报 {s:.0%}，超过 {MAX_MISSING_SHARE:.0%}，不予排名" for s in out.loc[too_many, "missing_share"]
    ]
    out["not_ranked_reason"] = reason
    ranked = reason.eq("")
    out["rank"] = out["total"].where(ranked).rank(method="min", ascending=False).astype("Int64")
    if previous is not None and not previous.empty:
        prev = previous.set_index("county_code")["rank"]
        out["previous_rank"] = out["county_code"].map(prev).astype("Int64")
    else:
        out["previous_rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["rank_change"] = (out["previous_rank"] - out["rank"]).astype("Int64")
    out = out.sort_values(["rank", "total"], ascending=[True, False], na_position="last").reset_index(drop=True)
    first = ["rank", "county", "county_code", "total", "previous_rank", "rank_change", "not_ranked_reason"]
    return out[first + [c for c in out.columns if c not in first]]
