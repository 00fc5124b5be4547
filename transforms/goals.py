"""The 2022 goals of the seed's 一、总体目标, tracked each quarter against the office's lines."""

from __future__ import annotations

import pandas as pd

from expectations.catalog import Catalog
from expectations.settings import Lines

GOAL_COLUMNS = ["county_code", "county", "goal", "status", "on_course", "detail"]


def goal_status(
    ranking: pd.DataFrame, catalog: Catalog, lines: Lines, province_rank: tuple[int, int] | None
) -> pd.DataFrame:
    """One row per county: its goal, where it stands and whether it is on course.

    province_rank: (rank, of) of 文山市 among the province's nominees, from the optional input file;
    None before the provincial assessment is published.
    """
    by_code = ranking.set_index("county_code")
    totals = by_code["total"]
    reasons = by_code["not_ranked_reason"] if "not_ranked_reason" in by_code else pd.Series(dtype="object")
    rows = []
    for c in catalog.counties:
        total = totals.get(c.code)
        reason = reasons.get(c.code) or ""
        shown = "未报送" if total is None or pd.isna(total) else f"本季度总分 {total:.2f}"
        if c.goal == "national_nominee":
            g = catalog.goals[c.goal]
            goal = f"全省{g['of']}个提名城市中保{g['rank_target']}争{g['rank_stretch']}"
            if province_rank is None:
                status, on_course, detail = "待省级测评结果", None, shown
            else:
                rank, of = province_rank
                on_course = rank <= g["rank_target"]
                if rank <= g["rank_stretch"]:
                    status = f"全省第{rank}名，达成争{g['rank_stretch']}"
                elif on_course:
                    status = f"全省第{rank}名，保{g['rank_target']}"
                else:
                    status = f"全省第{rank}名，未进前{g['rank_target']}"
                detail = f"省级测评 {of} 个提名城市；{shown}"
        else:
            line = lines.reinspection if c.goal == "provincial_reinspection" else lines.creation
            goal = "通过省级文明城市届末复查" if c.goal == "provincial_reinspection" else "创成省级文明城市"
            if total is None or pd.isna(total):
                status, on_course, detail = "未报送，无法判断", False, f"达标线 {line:g} 分"
            elif reason:  # a total built on too few figures says nothing about the line
                status, on_course, detail = "不予排名，无法判断", False, f"{shown}（{reason}），达标线 {line:g} 分"
            else:
                on_course = bool(total >= line)
                status = "达到达标线" if on_course else f"低于达标线 {line - total:.2f} 分"
                detail = f"{shown}，达标线 {line:g} 分"
        rows.append(
            {
                "county_code": c.code,
                "county": c.name,
                "goal": goal,
                "status": status,
                "on_course": on_course,
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=GOAL_COLUMNS)


def creation_summary(goals: pd.DataFrame, catalog: Catalog) -> str:
    """The five candidates' collective goal: 1 to 2 of them 创成."""
    g = catalog.goals["provincial_creation"]
    names = [c.name for c in catalog.counties if c.goal == "provincial_creation"]
    on = goals[goals["county"].isin(names) & goals["on_course"].eq(True)]["county"].tolist()
    verdict = "达到目标" if len(on) >= g["min_created"] else "尚未达到目标"
    listed = "、".join(on) if on else "无"
    return (
        f"{g['of']}个创建县中 {len(on)} 个达到创成达标线（{listed}），目标为 {g['min_created']} 至 "
        f"{g['max_created']} 个，{verdict}。"
    )
