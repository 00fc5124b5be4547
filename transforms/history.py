"""What a quarter's run knows of earlier quarters, as one typed value: read once from the history store
(adapters/history.py), assessed by transforms/assess.py and hashed into the run's cache key
(adapters/manifest.py), so that a change in an earlier quarter shows and nothing reads the store twice."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class QuarterHistory:
    """Everything a quarter's run reads of earlier quarters, read once: the assessment uses it and the
    run's cache key hashes it (adapters/manifest.py), so a change in an earlier quarter shows."""

    quarter: str
    same_quarter: pd.DataFrame  # county_code, item_id, value, years_back: the same quarter 1 to 3 years back
    previous_ranking: pd.DataFrame  # last quarter's ranking (empty when it was not run)
    rankings: pd.DataFrame  # every earlier quarter's ranking, for the trend chart
    previous_orders: pd.DataFrame  # the latest order ledger before this quarter
    lists: pd.DataFrame  # every earlier quarter's 大比武 lists, for escalation
    carried: pd.DataFrame  # last year's fourth-quarter indicator scores: annual figures between reports
    base_figures: pd.DataFrame  # county_code, item_id, value of the progress base year's fourth quarter

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "same_quarter": self.same_quarter,
            "previous_ranking": self.previous_ranking,
            "rankings": self.rankings,
            "previous_orders": self.previous_orders,
            "lists": self.lists,
            "carried": self.carried,
            "base_figures": self.base_figures,
        }
