"""The quarter's summary for the Prefect UI: a Markdown artifact (ranking, lists, counts) and a table."""

from __future__ import annotations

import pandas as pd

from core.vocab import ListKind


def summary_markdown(
    quarter: str, ranking: pd.DataFrame, lists: pd.DataFrame | None = None, problems: int = 0, orders: int = 0
) -> str:
    """The quarter's summary as Markdown, for the Prefect artifact: ranking, lists, counts."""
    lines = [f"# {quarter} 综合排名", "", "| 排名 | 县（市） | 总分 | 备注 |", "|---|---|---|---|"]
    for r in ranking.itertuples(index=False):
        rank = "—" if pd.isna(r.rank) else str(r.rank)
        total = "—" if pd.isna(r.total) else f"{r.total:.2f}"
        lines.append(f"| {rank} | {r.county} | {total} | {r.not_ranked_reason} |")
    if lists is not None and len(lists):
        for kind in (ListKind.RED, ListKind.BLACK):
            names = "、".join(lists.loc[lists["list"] == kind, "county"]) or "无"
            lines.append(f"\n**{kind}**：{names}")
    lines.append(f"\n报送问题 {problems} 条；派单台账 {orders} 条。")
    return "\n".join(lines)


def score_table(ranking: pd.DataFrame) -> list[dict]:
    """The ranking as rows for the Prefect table artifact."""
    return [
        {
            "排名": None if pd.isna(r.rank) else int(r.rank),
            "县（市）": r.county,
            "总分": None if pd.isna(r.total) else float(r.total),
            "备注": r.not_ranked_reason,
        }
        for r in ranking.itertuples(index=False)
    ]
