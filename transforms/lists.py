"""大比武 and 红黑榜: the quarter's focus item ranks the counties; red list the best, black list the worst
(ties all listed); a county black-listed in consecutive contest quarters is escalated."""

from __future__ import annotations

import pandas as pd

from expectations.catalog import Catalog

RED, BLACK = "红榜", "黑榜"
LIST_COLUMNS = ["county_code", "county", "focus", "focus_rate", "focus_rank", "list"]


def focus_tasks(catalog: Catalog, focus: str) -> list[str]:
    """The tasks of a focus item: a task id (1.4.1) or every task of a sub-area (1.4) or area (1)."""
    return [t.id for t in catalog.tasks if t.id == focus or t.id.startswith(f"{focus}.")]


def focus_name(catalog: Catalog, focus: str) -> str:
    parts = [int(p) for p in focus.split(".")]
    if len(parts) == 3:
        return catalog.task_by_id[focus].title
    area = catalog.area(parts[0])
    return area.name if len(parts) == 1 else next(s.name for s in area.subareas if s.num == parts[1])


def red_black_lists(task_scores: pd.DataFrame, ranking: pd.DataFrame, catalog: Catalog, focus: str,
                    rule) -> pd.DataFrame:
    """One row per ranked county: its rate on the focus item (score ÷ points), rank on it, and list."""
    tasks = set(focus_tasks(catalog, focus))
    if not tasks:
        raise ValueError(f"大比武重点 {focus} 不是指标目录中的领域、子领域或任务编号")
    ranked = ranking[ranking["rank"].notna()]
    mine = task_scores[task_scores["task_id"].isin(tasks) & task_scores["county_code"].isin(ranked["county_code"])]
    decided = mine.dropna(subset=["achievement"])
    sums = decided.groupby("county_code")[["score", "points"]].sum()
    rate = (sums["score"] / sums["points"]).round(6).rename("focus_rate")  # 0.9 stays 0.9 for the threshold
    out = ranked[["county_code", "county"]].merge(rate, left_on="county_code", right_index=True, how="left")
    out["focus"] = focus
    out["focus_rank"] = out["focus_rate"].rank(method="min", ascending=False).astype("Int64")
    listed = pd.Series(None, index=out.index, dtype="object")
    if rule.rule == "rank":
        from_bottom = out["focus_rate"].rank(method="min", ascending=True)
        listed[from_bottom <= rule.bottom] = BLACK
        listed[out["focus_rank"] <= rule.top] = RED  # with very few counties, the better list wins
    else:
        listed[out["focus_rate"] < rule.black_below] = BLACK
        listed[out["focus_rate"] >= rule.red_at] = RED
    out["list"] = listed
    out = out[LIST_COLUMNS].sort_values(["focus_rank", "county_code"]).reset_index(drop=True)
    return out.assign(list=out["list"].astype("object").where(out["list"].notna(), None))


def escalate(lists: pd.DataFrame, earlier: pd.DataFrame, ladder: tuple[str, ...]) -> pd.DataFrame:
    """Consecutive black listings: the streak of each black-listed county over the contest quarters
    (quarters without a 大比武 neither count nor break it), and the ladder's action for that streak.

    earlier: quarter, county_code, list for earlier quarters' lists (from the history store).
    """
    black = lists[lists["list"] == BLACK]
    quarters = sorted(earlier["quarter"].unique(), reverse=True) if len(earlier) else []
    rows = []
    for r in black.itertuples(index=False):
        streak = 1
        for q in quarters:
            that = earlier[(earlier["quarter"] == q) & (earlier["county_code"] == r.county_code)]
            if that.empty or that["list"].iloc[0] != BLACK:
                break
            streak += 1
        rows.append({"county_code": r.county_code, "county": r.county, "streak": streak,
                     "action": ladder[min(streak, len(ladder)) - 1]})
    return pd.DataFrame(rows, columns=["county_code", "county", "streak", "action"])
