"""How much a rank depends on the weights: ranks under random perturbation of the area and task weights."""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.catalog import Catalog


def rank_ranges(
    task_scores: pd.DataFrame, ranking: pd.DataFrame, catalog: Catalog, draws: int, spread: float, seed: int
) -> pd.DataFrame:
    """For each ranked county: its rank, the 5th–95th percentile range of its rank when every area's
    weight and every task's weight is multiplied by an independent factor in [1 − spread, 1 + spread]
    (a task's weight is the product of its area's and its own factor), and the share of draws that give
    it exactly its rank. Deductions are kept as they are."""
    ranked = ranking[ranking["rank"].notna()].reset_index(drop=True)
    columns = ["county_code", "county", "rank", "rank_low", "rank_high", "share_same_rank"]
    if ranked.empty:
        return pd.DataFrame(columns=columns)
    areas = [a.num for a in catalog.areas]
    tasks = [t.id for t in catalog.tasks]
    area_of = np.array([areas.index(t.area) for t in catalog.tasks])
    decided = task_scores.dropna(subset=["achievement"])
    mine = decided[decided["county_code"].isin(ranked["county_code"])]
    scores = mine.pivot_table(index="county_code", columns="task_id", values="score", aggfunc="sum")
    points = mine.pivot_table(index="county_code", columns="task_id", values="points", aggfunc="sum")
    order = ranked["county_code"]
    s = scores.reindex(index=order, columns=tasks).fillna(0).to_numpy()
    p = points.reindex(index=order, columns=tasks).fillna(0).to_numpy()
    deduction = ranked.get("deduction", pd.Series(0.0, index=ranked.index)).fillna(0).to_numpy()
    rng = np.random.default_rng(seed)
    area_factors = rng.uniform(1 - spread, 1 + spread, size=(draws, len(areas)))
    task_factors = rng.uniform(1 - spread, 1 + spread, size=(draws, len(tasks)))
    weights = area_factors[:, area_of] * task_factors  # draws × tasks
    totals = 100 * (s @ weights.T) / (p @ weights.T) - deduction[:, None]  # counties × draws
    ranks = competition_ranks(totals)
    low = np.percentile(ranks, 5, axis=1, method="lower").astype(int)
    high = np.percentile(ranks, 95, axis=1, method="higher").astype(int)
    same = (ranks == ranked["rank"].to_numpy()[:, None]).mean(axis=1)
    return pd.DataFrame(
        {
            "county_code": order,
            "county": ranked["county"],
            "rank": ranked["rank"],
            "rank_low": low,
            "rank_high": high,
            "share_same_rank": same.round(3),
        }
    )[columns]


def competition_ranks(totals: np.ndarray) -> np.ndarray:
    """Rank of each row within each column (counties × draws): 1 + how many rows are strictly higher, so
    ties share the best rank, as published. Sorting each column: O(n log n) per draw, not n² pairs."""
    ordered = np.sort(totals, axis=0)
    n = totals.shape[0]
    ranks = np.empty(totals.shape, dtype=np.int64)
    for d in range(totals.shape[1]):
        ranks[:, d] = 1 + n - np.searchsorted(ordered[:, d], totals[:, d], side="right")
    return ranks
