"""Achievement per indicator, points per task, totals per county (PRODUCT.md §5).

Inputs are the quarter's normalised long table and the rule table of the compliance validation
(chuangwen/validation.py: county × indicator × rule → met / not_met / missing / invalid). Whether a
rule holds is read from that table, never computed here; only partial credit is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from expectations.catalog import Catalog, Indicator
from expectations.suites import MAIN
from expectations.template_rows import due_indicators, status_tasks

MET, MET_ALT, UNMET = "达标", "替代达标", "未达标"
MISSING, BAD_DATA, UNDECIDABLE = "未填报", "数据异常", "无法判定"
UNMET_CAP = 0.99  # partial credit never reaches a met rule's full credit


def _lookup(values: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r.county_code, r.item_id): r for r in values.itertuples(index=False)}


def _figure(row) -> object:
    if row is None:
        return None
    if row.answer is not None and row.answer == row.answer:
        return row.answer
    return None if pd.isna(row.value) else float(row.value)


def partial_credit(ind: Indicator, value: float, reference: float | None = None) -> float:
    """Linear credit from the floor (0) to the threshold (1) for an unmet numeric or relative rule."""
    if ind.op == "relative":
        if reference is None or reference == 0:
            return 0.0
        ratio = value / reference
        lo, hi = (ind.floor, 1.0) if ind.direction == "higher" else (1.0, ind.floor)
        x = (ratio - lo) / (hi - lo) if ind.direction == "higher" else (hi - ratio) / (hi - lo)
    elif ind.op in (">=", ">"):
        x = (value - ind.floor) / (float(ind.threshold) - ind.floor)
    elif ind.op in ("<=", "<"):
        x = (ind.floor - value) / (ind.floor - float(ind.threshold))
    else:
        return 0.0
    return float(min(max(x, 0.0), UNMET_CAP))


def score_indicators(
    values: pd.DataFrame,
    rules: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    counties: list[str],
) -> pd.DataFrame:
    """One row per reporting county and due indicator: outcome, achievement in [0, 1] (NaN when
    undecidable), the alternative that made it pass, and the file and cell the figure came from.

    rules: county_code, indicator_id, rule, status, missing (value/history/reference), observed, expected.
    """
    rows = _lookup(values)
    by_rule = {(r.county_code, r.indicator_id, r.rule): r for r in rules.itertuples(index=False)}
    out = []
    for county in counties:
        for ind in due_indicators(catalog, quarter):
            row = rows.get((county, ind.id))
            value = _figure(row)
            reference = _figure(rows.get((county, ind.threshold))) if ind.op == "relative" else None
            rec = {"county_code": county, "indicator_id": ind.id, "task_id": ind.task,
                   "value": value, "reference": reference, "cell": None if row is None else row.cell,
                   "file": None if row is None else row.file, "alternative": None, "note": ""}
            main = by_rule.get((county, ind.id, MAIN))
            passed = next((a.code for a in ind.alternatives
                           if getattr(by_rule.get((county, ind.id, a.code)), "status", None) == "met"), None)
            if row is not None and row.rejected:
                rec.update(outcome=BAD_DATA, achievement=0.0, note=f"填报值“{row.raw}”未被采用：{row.issue}")
            elif value is None or main is None:
                rec.update(outcome=MISSING, achievement=0.0)
            elif main.status == "invalid":
                rec.update(outcome=BAD_DATA, achievement=0.0, note="数据质量校验未通过")
            elif main.status == "met":
                rec.update(outcome=MET, achievement=1.0)
            elif passed is not None:
                rec.update(outcome=MET_ALT, achievement=1.0, alternative=passed)
            elif main.status == "missing" and main.missing == "reference":
                rec.update(outcome=MISSING, achievement=0.0, note=f"参照数据 {ind.threshold} 未填报")
            elif main.status == "missing":
                rec.update(outcome=UNDECIDABLE, achievement=np.nan, note="无上年同期数据，无法判定")
            else:
                credit = partial_credit(ind, value, reference) if not ind.is_choice else 0.0
                rec.update(outcome=UNMET, achievement=credit)
            out.append(rec)
    return pd.DataFrame(out)


def score_tasks(
    indicator_scores: pd.DataFrame,
    values: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    counties: list[str],
    ratings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Points per county and task: points × mean achievement of its decidable indicators, or
    points × the credit of its completion status when no indicator is due this quarter. The office's
    inspection rating (ratings: county_code, task_id, status, file, cell) overrides the county's own."""
    credit = catalog.completion_credit()
    statuses = {(r.county_code, r.item_id): r for r in values[values["kind"] == "task"].itertuples(index=False)}
    rated = {} if ratings is None else {(r.county_code, r.task_id): r for r in ratings.itertuples(index=False)}
    by_status = set(status_tasks(catalog, quarter))
    mean_ach = (
        indicator_scores.groupby(["county_code", "task_id"])["achievement"].mean().to_dict()
        if len(indicator_scores) else {}
    )
    out = []
    for county in counties:
        for task in catalog.tasks:
            rec = {"county_code": county, "task_id": task.id, "area": task.area, "points": task.points,
                   "status": None, "status_source": None, "file": None, "cell": None}
            if task.id in by_status:
                row = rated.get((county, task.id)) or statuses.get((county, task.id))
                status = None if row is None else row.status
                source = "督导评分" if (county, task.id) in rated else ("自评" if status else None)
                rec.update(status=status or MISSING, status_source=source, file=None if row is None else row.file,
                           cell=None if row is None else row.cell, achievement=credit.get(status, 0.0))
            else:
                rec["achievement"] = mean_ach.get((county, task.id), np.nan)
            rec["score"] = rec["points"] * rec["achievement"]
            out.append(rec)
    return pd.DataFrame(out)


def deductions(values: pd.DataFrame, counts: pd.DataFrame | None, catalog: Catalog,
               counties: list[str]) -> pd.DataFrame:
    """Negative-list deductions per county and item: occurrences × points, at most the item's cap.

    counts: county_code, item_id, count from the office's inspection sheet (inspection items)."""
    rows = _lookup(values)
    counted = {} if counts is None else {(r.county_code, r.item_id): r.count for r in counts.itertuples(index=False)}
    out = []
    for county in counties:
        for item in catalog.negative_list:
            if item.inspection:
                n = counted.get((county, item.id), 0) or 0
            else:
                figure = _figure(rows.get((county, item.indicator)))
                if item.when is not None:
                    n = 1 if figure == item.when else 0
                else:
                    n = int(figure // item.per) if isinstance(figure, float) and figure > 0 else 0
            if n:
                out.append({"county_code": county, "item_id": item.id, "name": item.name, "count": n,
                            "points": min(n * item.points, item.cap)})
    return pd.DataFrame(out, columns=["county_code", "item_id", "name", "count", "points"])


def total_scores(task_scores: pd.DataFrame, catalog: Catalog, deducted: pd.DataFrame | None = None) -> pd.DataFrame:
    """County totals on 100 points, less negative-list deductions (never below 0), and per-area scores
    and 得分率. A task with no decidable figure is left out and the total rescaled over the points that
    could be judged, so no county gains or loses by it."""
    decided = task_scores.dropna(subset=["achievement"])
    judged = decided.groupby("county_code")["points"].sum()
    raw = decided.groupby("county_code")["score"].sum()
    totals = pd.DataFrame({"judged_points": judged, "raw_score": raw.round(4)})
    totals["before_deduction"] = (raw / judged * 100).round(2)
    cut = (pd.Series(0.0, index=totals.index) if deducted is None or deducted.empty
           else deducted.groupby("county_code")["points"].sum().reindex(totals.index, fill_value=0.0))
    totals["deduction"] = cut
    totals["total"] = (totals["before_deduction"] - cut).clip(lower=0).round(2)
    nums = [a.num for a in catalog.areas]
    areas = decided.pivot_table(index="county_code", columns="area", values="score", aggfunc="sum").round(4)
    areas = areas.reindex(columns=nums)
    area_points = decided.pivot_table(index="county_code", columns="area", values="points", aggfunc="sum")
    rates = (areas / area_points.reindex(columns=nums)).round(4)
    areas.columns = [f"area_{c}" for c in nums]
    rates.columns = [f"area_{c}_rate" for c in nums]
    return totals.join(areas).join(rates).reset_index()
