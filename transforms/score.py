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
    indicator_scores: pd.DataFrame, values: pd.DataFrame, catalog: Catalog, quarter: str, counties: list[str]
) -> pd.DataFrame:
    """Points per county and task: points × mean achievement of its decidable indicators, or
    points × the credit of its completion status when no indicator is due this quarter."""
    credit = catalog.completion_credit()
    statuses = {(r.county_code, r.item_id): r for r in values[values["kind"] == "task"].itertuples(index=False)}
    by_status = set(status_tasks(catalog, quarter))
    mean_ach = (
        indicator_scores.groupby(["county_code", "task_id"])["achievement"].mean().to_dict()
        if len(indicator_scores) else {}
    )
    out = []
    for county in counties:
        for task in catalog.tasks:
            rec = {"county_code": county, "task_id": task.id, "area": task.area, "points": task.points,
                   "status": None, "file": None, "cell": None}
            if task.id in by_status:
                row = statuses.get((county, task.id))
                status = None if row is None else row.status
                rec.update(status=status or MISSING, file=None if row is None else row.file,
                           cell=None if row is None else row.cell, achievement=credit.get(status, 0.0))
            else:
                rec["achievement"] = mean_ach.get((county, task.id), np.nan)
            rec["score"] = rec["points"] * rec["achievement"]
            out.append(rec)
    return pd.DataFrame(out)


def total_scores(task_scores: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """County totals on 100 points and per-area scores. A task with no decidable figure is left out and
    the total rescaled over the points that could be judged, so no county gains or loses by it."""
    decided = task_scores.dropna(subset=["achievement"])
    judged = decided.groupby("county_code")["points"].sum()
    raw = decided.groupby("county_code")["score"].sum()
    totals = pd.DataFrame({"judged_points": judged, "raw_score": raw.round(4)})
    totals["total"] = (raw / judged * 100).round(2)
    areas = decided.pivot_table(index="county_code", columns="area", values="score", aggfunc="sum").round(4)
    areas = areas.reindex(columns=[a.num for a in catalog.areas])
    areas.columns = [f"area_{c}" for c in areas.columns]
    return totals.join(areas).reset_index()
