"""Achievement per indicator, points per task, totals per county (PRODUCT.md §5).

Inputs are the quarter's normalised long table and the rule table of the compliance validation
(adapters/validation_runner.py: county × indicator × rule → met / not_met / missing / invalid). Whether a
rule holds is read from that table, never computed here; only partial credit is. Every part of a task
(its indicators and the rest of its content) has fixed points from the catalog (Catalog.part_points).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from core.vocab import CARRIED, MET_OUTCOMES, UNMET_OUTCOMES, MissingKind, Outcome, RuleStatus
from core.zh import quarter_label
from expectations.catalog import Catalog, Indicator
from expectations.rules import alternative_text
from expectations.suites import MAIN
from expectations.template_rows import due_indicators
from transforms.normalise import quoted

UNMET_CAP = 0.99  # partial credit never reaches a met rule's full credit


Row = Any  # a row of a frame, from itertuples (pandas gives it no static type)


def _lookup(values: pd.DataFrame) -> dict[tuple[str, str], Row]:
    return {(r.county_code, r.item_id): r for r in values.itertuples(index=False)}


def _figure(row: Row | None) -> float | str | None:
    if row is None:
        return None
    if row.answer is not None and row.answer == row.answer:
        return cast(str, row.answer)
    return None if pd.isna(row.value) else float(row.value)


def partial_credit(ind: Indicator, value: float, reference: float | None = None) -> float:
    """Linear credit from the floor (0) to the threshold (1) for an unmet numeric or relative rule."""
    if ind.op not in ("relative", ">=", ">", "<=", "<"):
        return 0.0
    floor = ind.floor
    if floor is None:  # the catalog refuses a numeric or relative rule without one (Indicator's validator)
        raise ValueError(f"{ind.id}: no floor for partial credit")
    if ind.op == "relative":
        if reference is None or reference == 0:
            return 0.0
        ratio = value / reference
        lo, hi = (floor, 1.0) if ind.direction == "higher" else (1.0, floor)
        x = (ratio - lo) / (hi - lo) if ind.direction == "higher" else (hi - ratio) / (hi - lo)
    elif ind.op in (">=", ">"):
        x = (value - floor) / (float(ind.threshold) - floor)
    elif ind.op in ("<=", "<"):
        x = (floor - value) / (floor - float(ind.threshold))
    else:
        return 0.0
    return float(min(max(x, 0.0), UNMET_CAP))


INDICATOR_COLUMNS = [
    "county_code",
    "indicator_id",
    "task_id",
    "frequency",
    "due_this_quarter",
    "carried_from",
    "value",
    "reference",
    "reference_source",
    "file",
    "cell",
    "outcome",
    "achievement",
    "alternative",
    "note",
    "points",
    "share",
    "score",
]


def _carried_rows(carried: pd.DataFrame | None) -> dict[tuple[str, str], object]:
    if carried is None or carried.empty:
        return {}
    return {(r.county_code, r.indicator_id): r for r in carried.itertuples(index=False)}


def score_indicators(
    values: pd.DataFrame,
    rules: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    counties: list[str],
    carried: pd.DataFrame | None = None,
    references: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per reporting county and indicator of the catalog: outcome, achievement in [0, 1] (NaN
    when undecidable), the alternative that made it pass, the file and cell the figure came from, and
    the indicator's fixed points and share of its task.

    An indicator due this quarter is judged from the rule table (rules: county_code, indicator_id, rule,
    status, missing (value/history/reference), observed, expected). An annual figure in the first three
    quarters is not reported: it counts with last year's fourth-quarter judgement (carried: that
    quarter's rows of this function), marked 沿用上年; where there is none it is 无法判定.
    references: county_code, item_id, value: the bars the office supplies (for partial credit).
    """
    rows = _lookup(values)
    bars = (
        {}
        if references is None or references.empty
        else {
            (r.county_code, r.item_id): (
                float(r.value),
                " ".join(str(x) for x in (getattr(r, "file", None), getattr(r, "cell", None)) if x),
            )
            for r in references.itertuples(index=False)
        }
    )
    by_rule = {(r.county_code, r.indicator_id, r.rule): r for r in rules.itertuples(index=False)}
    last_year = _carried_rows(carried)
    due_now = {i.id for i in due_indicators(catalog, quarter)}
    out = []
    for county in counties:
        for ind in catalog.indicators:
            points = catalog.part_points[ind.id]
            rec: dict[str, Any] = {
                "county_code": county,
                "indicator_id": ind.id,
                "task_id": ind.task,
                "frequency": ind.frequency,
                "due_this_quarter": ind.id in due_now,
                "carried_from": None,
                "points": points,
                "share": points / catalog.task_by_id[ind.task].points,
            }
            if ind.id in due_now:
                rec |= _judged(ind, county, rows, bars, by_rule, catalog)
            else:
                rec |= _carried(ind, last_year.get((county, ind.id)))
            rec["score"] = points * rec["achievement"]
            out.append(rec)
    return pd.DataFrame(out, columns=INDICATOR_COLUMNS)


def _judged(
    ind: Indicator,
    county: str,
    rows: dict[tuple[str, str], Row],
    bars: dict[tuple[str, str], tuple[float, str]],
    by_rule: dict[tuple[str, str, str], Row],
    catalog: Catalog,
) -> dict[str, Any]:
    """The outcome of a figure reported this quarter. Each 或… is its own way to comply: an alternative
    that holds meets the requirement even where the main figure is blank or was not accepted."""
    row: Row = rows.get((county, ind.id))
    value = _figure(row)
    reference, where = bars.get((county, str(ind.threshold)), (None, None)) if ind.op == "relative" else (None, None)
    rec = {
        "value": value,
        "reference": reference,
        "reference_source": where or None,
        "cell": None if row is None else row.cell,
        "file": None if row is None else row.file,
        "alternative": None,
        "note": "",
    }
    main = by_rule.get((county, ind.id, MAIN))
    passed = next(
        (
            a.code
            for a in ind.alternatives
            if getattr(by_rule.get((county, ind.id, a.code)), "status", None) == RuleStatus.MET
        ),
        None,
    )
    rejected = row is not None and bool(row.rejected)
    if main is not None and main.status == RuleStatus.MET and not rejected:
        return rec | {"outcome": Outcome.MET, "achievement": 1.0}
    if passed is not None:
        how = alternative_text(ind, passed, catalog)
        note = f"按替代条件“{how}”判定"
        if rejected:
            note = f"填报值“{quoted(row.raw)}”未被采用（{row.issue}），{note}"
        elif value is None:
            note = f"本项未填报，{note}"
        return rec | {"outcome": Outcome.MET_ALT, "achievement": 1.0, "alternative": passed, "note": note}
    if rejected:
        return rec | {
            "outcome": Outcome.BAD_DATA,
            "achievement": 0.0,
            "note": f"填报值“{quoted(row.raw)}”未被采用：{row.issue}",
        }
    if value is None or main is None:
        return rec | {"outcome": Outcome.MISSING, "achievement": 0.0}
    if main.status == RuleStatus.INVALID:
        return rec | {"outcome": Outcome.BAD_DATA, "achievement": 0.0, "note": "数据质量校验未通过"}
    if main.status == RuleStatus.MISSING and main.missing == MissingKind.REFERENCE:
        name = catalog.input_by_id[str(ind.threshold)].name if str(ind.threshold) in catalog.input_by_id else ""
        return rec | {
            "outcome": Outcome.UNDECIDABLE,
            "achievement": np.nan,
            "note": f"州文明办参照数据中缺少“{name}”，无法判定",
        }
    if main.status == RuleStatus.MISSING:
        return rec | {"outcome": Outcome.UNDECIDABLE, "achievement": np.nan, "note": "无上年同期数据，无法判定"}
    credit = partial_credit(ind, cast(float, value), reference) if not ind.is_choice else 0.0  # a number: not a choice
    return rec | {"outcome": Outcome.UNMET, "achievement": credit}


def _carried(ind: Indicator, last: Row | None) -> dict[str, Any]:
    """An annual figure between its reports: last year's fourth-quarter judgement, marked 沿用上年."""
    if last is None or pd.isna(last.achievement):
        return {
            "value": None,
            "reference": None,
            "reference_source": None,
            "cell": None,
            "file": None,
            "alternative": None,
            "outcome": Outcome.UNDECIDABLE,
            "achievement": np.nan,
            "note": f"年度指标，{CARRIED}第四季度的判定，但上年没有判定结果，无法判定",
        }
    value = None if last.value is None or (not isinstance(last.value, str) and pd.isna(last.value)) else last.value
    if value is not None and not ind.is_choice:
        value = float(value)  # the store keeps a column of numbers and answers as text
    reference = None if last.reference is None or pd.isna(last.reference) else float(last.reference)
    return {
        "value": value,
        "reference": reference,
        "reference_source": getattr(last, "reference_source", None),
        "cell": last.cell,
        "file": last.file,
        "alternative": last.alternative,
        "outcome": last.outcome,
        "achievement": float(last.achievement),
        "carried_from": last.quarter,
        "note": f"{CARRIED}：{quarter_label(last.quarter)}判定",
    }


def outcome_counts(indicator_scores: pd.DataFrame) -> pd.DataFrame:
    """The one count of every output (bulletin, feedback sheets, validation report, scores.csv): per
    county, indicators met (达标 or 替代达标), not met (未达标, 未填报, 数据异常) and undecidable, and how many
    of them count with last year's judgement (沿用上年)."""
    columns = ["county_code", "met", "unmet", "undecidable", "carried"]
    if indicator_scores.empty:
        return pd.DataFrame(columns=columns)
    outcome = indicator_scores["outcome"]
    carried = (
        indicator_scores["carried_from"].notna()
        if "carried_from" in indicator_scores
        else pd.Series(False, index=indicator_scores.index)
    )
    counted = indicator_scores.assign(
        met=outcome.isin(MET_OUTCOMES),
        unmet=outcome.isin(UNMET_OUTCOMES),
        undecidable=outcome.eq(Outcome.UNDECIDABLE),
        carried=carried,
    )
    return counted.groupby("county_code")[columns[1:]].sum().astype(int).reset_index()


TASK_COLUMNS = [
    "county_code",
    "task_id",
    "area",
    "points",
    "status",
    "status_source",
    "file",
    "cell",
    "status_share",
    "status_achievement",
    "judged_share",
    "rescaled",
    "achievement",
    "score",
]


def score_tasks(
    indicator_scores: pd.DataFrame,
    values: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    counties: list[str],
    ratings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Points per county and task. A task's parts (the rest of its content, judged by its completion
    status, and each of its indicators) keep their fixed shares of its points in every quarter:

        task score = points × Σ share × achievement ÷ Σ share, over the parts that could be judged.

    The office's inspection rating (ratings: county_code, task_id, status, file, cell) overrides the
    county's own status. A part that cannot be judged is left out and the task rescaled (`rescaled`)."""
    credit = catalog.completion_credit()
    statuses = {(r.county_code, r.item_id): r for r in values[values["kind"] == "task"].itertuples(index=False)}
    rated = {} if ratings is None else {(r.county_code, r.task_id): r for r in ratings.itertuples(index=False)}
    judged = indicator_scores.dropna(subset=["achievement"])
    sums = (
        judged.assign(weighted=judged["share"] * judged["achievement"])
        .groupby(["county_code", "task_id"])[["share", "weighted"]]
        .sum()
        if len(judged)
        else pd.DataFrame(columns=["share", "weighted"])
    )
    share_of = sums["share"].to_dict()
    weighted_of = sums["weighted"].to_dict()
    out = []
    for county in counties:
        for task in catalog.tasks:
            row = rated.get((county, task.id)) or statuses.get((county, task.id))
            status = None if row is None else row.status
            source = "督导评分" if (county, task.id) in rated else ("自评" if status else None)
            status_share = catalog.part_share(task.id, task.id)
            status_achievement = credit.get(status, 0.0) if status is not None else 0.0
            judged_share = status_share + share_of.get((county, task.id), 0.0)
            weighted = status_share * status_achievement + weighted_of.get((county, task.id), 0.0)
            achievement = weighted / judged_share
            out.append(
                {
                    "county_code": county,
                    "task_id": task.id,
                    "area": task.area,
                    "points": task.points,
                    "status": status or Outcome.MISSING,
                    "status_source": source,
                    "file": None if row is None else row.file,
                    "cell": None if row is None else row.cell,
                    "status_share": status_share,
                    "status_achievement": status_achievement,
                    "judged_share": round(judged_share, 12),
                    "rescaled": bool(judged_share < 1 - 1e-9),
                    "achievement": achievement,
                    "score": task.points * achievement,
                }
            )
    return pd.DataFrame(out, columns=TASK_COLUMNS)


def deductions(
    values: pd.DataFrame, counts: pd.DataFrame | None, catalog: Catalog, counties: list[str]
) -> pd.DataFrame:
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
                assert item.indicator is not None  # Deduction's validator: one trigger, an indicator or the inspection
                figure = _figure(rows.get((county, item.indicator)))
                if item.when is not None:
                    n = 1 if figure == item.when else 0
                else:
                    assert item.per is not None  # Deduction's validator: `when` or `per`
                    n = int(figure // item.per) if isinstance(figure, float) and figure > 0 else 0
            if n:
                out.append(
                    {
                        "county_code": county,
                        "item_id": item.id,
                        "name": item.name,
                        "count": n,
                        "points": min(n * item.points, item.cap),
                    }
                )
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
    cut = (
        pd.Series(0.0, index=totals.index)
        if deducted is None or deducted.empty
        else deducted.groupby("county_code")["points"].sum().reindex(totals.index, fill_value=0.0)
    )
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
