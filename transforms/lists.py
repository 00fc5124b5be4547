"""大比武 and 红黑榜: the quarter's focus item ranks the counties; red list the best, black list the worst
(ties all listed). A county that did not report, or is not ranked, is on the black list with the reason:
not reporting is no way off it. A county black-listed in consecutive contest quarters is escalated: the
first listing is the listing itself, the ladder applies to the repeats."""

from __future__ import annotations

import pandas as pd

from core.vocab import ListKind
from expectations.catalog import Catalog, focus_tasks
from expectations.settings import ListRule

LIST_COLUMNS = ["county_code", "county", "focus", "focus_rate", "focus_rank", "list", "reason"]
ESCALATION_COLUMNS = ["county_code", "county", "streak", "action"]


def red_black_lists(
    task_scores: pd.DataFrame, ranking: pd.DataFrame, catalog: Catalog, focus: str, rule: ListRule
) -> pd.DataFrame:
    """One row per county of the catalog: its rate on the focus item (score ÷ points), its rank on it
    among the ranked counties, and its list. A county that did not report or is not ranked (不予排名) has
    no focus rank and is on the black list, `reason` saying why."""
    tasks = set(focus_tasks(catalog, focus))
    if not tasks:
        raise ValueError(f"大比武重点 {focus} 不是指标目录中的领域、子领域或任务编号")
    mine = task_scores[task_scores["task_id"].isin(tasks)]
    decided = mine.dropna(subset=["achievement"])
    sums = decided.groupby("county_code")[["score", "points"]].sum()
    rate = (sums["score"] / sums["points"]).round(6).rename("focus_rate")  # 0.9 stays 0.9 for the threshold
    out = ranking[["county_code", "county", "rank", "not_ranked_reason"]].merge(
        rate, left_on="county_code", right_index=True, how="left"
    )
    ranked = out["rank"].notna() & out["focus_rate"].notna()
    out["focus"] = focus
    out["focus_rank"] = out["focus_rate"].where(ranked).rank(method="min", ascending=False).astype("Int64")
    listed = pd.Series(None, index=out.index, dtype="object")
    if rule.rule == "rank":
        from_bottom = out["focus_rate"].where(ranked).rank(method="min", ascending=True)
        listed[from_bottom <= rule.bottom] = ListKind.BLACK
        listed[out["focus_rank"] <= rule.top] = ListKind.RED  # with very few counties, the better list wins
    else:
        listed[ranked & (out["focus_rate"] < rule.black_below)] = ListKind.BLACK
        listed[ranked & (out["focus_rate"] >= rule.red_at)] = ListKind.RED
    listed[~ranked] = ListKind.BLACK
    out["list"] = listed
    reason = pd.Series("", index=out.index, dtype="object")
    unranked = ~ranked
    reason[unranked] = [why or "未参加排名" for why in out.loc[unranked, "not_ranked_reason"]]
    out["reason"] = reason
    order = out.assign(_unranked=unranked).sort_values(["_unranked", "focus_rank", "county_code"])
    out = order[LIST_COLUMNS].reset_index(drop=True)
    return out.assign(list=out["list"].astype("object").where(out["list"].notna(), None))


def escalate(lists: pd.DataFrame, earlier: pd.DataFrame, ladder: tuple[str, ...]) -> pd.DataFrame:
    """Consecutive black listings: the streak of each black-listed county over the contest quarters
    (quarters without a 大比武 neither count nor break it), and what it brings. The first listing is the
    listing itself (no action); the ladder applies from the second consecutive one: ladder[0] (约谈),
    then ladder[1] (通报批评), and its last step for every repeat after.

    earlier: quarter, county_code, list for earlier quarters' lists (from the history store).
    """
    black = lists[lists["list"] == ListKind.BLACK]
    quarters = sorted(earlier["quarter"].unique(), reverse=True) if len(earlier) else []
    by_quarter = (
        {q: dict(zip(frame["county_code"], frame["list"], strict=True)) for q, frame in earlier.groupby("quarter")}
        if len(earlier)
        else {}
    )
    rows = []
    for r in black.itertuples(index=False):
        streak = 1
        for q in quarters:
            if by_quarter[q].get(r.county_code) != ListKind.BLACK:
                break
            streak += 1
        rows.append(
            {
                "county_code": r.county_code,
                "county": r.county,
                "streak": streak,
                "action": escalation_action(streak, ladder),
            }
        )
    return pd.DataFrame(rows, columns=ESCALATION_COLUMNS)


def escalation_action(streak: int, ladder: tuple[str, ...]) -> str:
    """What the streak-th consecutive black listing brings: nothing beyond the listing the first time."""
    return "" if streak <= 1 else ladder[min(streak - 1, len(ladder)) - 1]
