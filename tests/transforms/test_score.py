"""Scoring rules of PRODUCT.md §5 on tiny frames: one county, a handful of figures, the small test catalog."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from small_catalog import small_catalog

from transforms.rank import rank_counties
from transforms.score import partial_credit, score_indicators, score_tasks, total_scores

CAT = small_catalog()
Q = "2022Q4"
C = "100001"


def values(*rows):
    """rows: (item_id, value-or-answer); task ids get a status instead."""
    out = []
    for n, (item, v) in enumerate(rows, start=4):
        kind = "task" if item in CAT.task_by_id else ("indicator" if item in CAT.indicator_by_id else "input")
        out.append(
            {
                "county_code": C,
                "item_id": item,
                "kind": kind,
                "value": v if isinstance(v, float | int) and kind != "task" else math.nan,
                "answer": v if isinstance(v, str) and kind != "task" else None,
                "status": v if kind == "task" else None,
                "file": "甲县.xlsx",
                "sheet": "填报表",
                "cell": f"I{n}",
                "raw": v,
                "rejected": False,
                "issue": None,
            }
        )
    return pd.DataFrame(out)


def rules(*rows):
    """The compliance rule table: (indicator, rule, status[, missing]) for the one county."""
    out = [
        {
            "county_code": C,
            "indicator_id": ind,
            "rule": rule,
            "status": status,
            "missing": more[0] if more else None,
            "observed": None,
            "expected": "",
            "columns": ind,
        }
        for ind, rule, status, *more in rows
    ]
    return pd.DataFrame(
        out, columns=["county_code", "indicator_id", "rule", "status", "missing", "observed", "expected", "columns"]
    )


def outcome(frame, ind):
    row = frame.set_index("indicator_id").loc[ind]
    return row["outcome"], row["achievement"]


def score(vals, rule_table, references=None):
    return score_indicators(vals, rule_table, CAT, Q, [C], references=references)


def bars(figures: dict[str, float]):
    """The office's reference figures for the one county."""
    return pd.DataFrame([{"county_code": C, "item_id": k, "value": v} for k, v in figures.items()])


@pytest.mark.parametrize(
    ("ind", "value", "status", "expected"),
    [
        ("1.1.1a", 95.0, "met", ("达标", 1.0)),
        ("1.1.1a", 80.0, "not_met", ("未达标", 0.5)),  # floor 70, threshold 90
        ("1.1.1a", 60.0, "not_met", ("未达标", 0.0)),  # below the floor
        ("1.1.2b", 95.0, "not_met", ("未达标", 0.99)),  # >95% is strict: 95 misses, capped below full
        ("2.1.1c", 10.0, "not_met", ("未达标", 0.5)),  # ≤5%, floor 15
        ("1.1.1b", "否", "not_met", ("未达标", 0.0)),  # yes/no: no partial credit
        ("2.1.2a", "三级", "not_met", ("未达标", 0.0)),  # class rule: no partial credit
        ("1.1.1a", 180.0, "invalid", ("数据异常", 0.0)),  # failed data quality, whatever the rule says
    ],
)
def test_rule_outcomes(ind, value, status, expected):
    got = outcome(score(values((ind, value)), rules((ind, "main", status))), ind)
    assert got[0] == expected[0]
    assert got[1] == pytest.approx(expected[1])


def test_missing_figure_is_flagged_and_scores_zero():
    assert outcome(score(values(), rules()), "1.1.1a") == ("未填报", 0.0)


def test_a_value_rejected_at_ingest_is_bad_data_with_its_reason():
    vals = values(("1.1.1a", math.nan)).assign(raw="约五成", rejected=True, issue="“约五成”不是具体数值")
    row = score(vals, rules(("1.1.1a", "main", "missing", "value"))).set_index("indicator_id").loc["1.1.1a"]
    assert (row["outcome"], row["achievement"]) == ("数据异常", 0.0)
    assert "约五成" in row["note"] and "不是具体数值" in row["note"]


@pytest.mark.parametrize(
    ("ind", "alternatives", "expected"),
    [
        ("2.1.1c", [("yoy", "met")], ("替代达标", "yoy")),
        ("2.1.1c", [("yoy", "not_met")], ("未达标", None)),
        ("2.1.1c", [("yoy", "not_met"), ("3y", "met")], ("替代达标", "3y")),
        ("2.1.1c", [("3y", "missing", "history")], ("未达标", None)),
        ("2.1.1a", [("aqi", "met"), ("3y", "missing", "history")], ("替代达标", "aqi")),
    ],
)
def test_an_alternative_that_holds_in_the_rule_table_meets_the_requirement(ind, alternatives, expected):
    table = rules((ind, "main", "not_met"), *[(ind, *alt) for alt in alternatives])
    row = score(values((ind, 1.0)), table).set_index("indicator_id").loc[ind]
    assert (row["outcome"], row["alternative"]) == expected


def test_trend_without_history_is_undecidable_not_met():
    got = score(values(("2.1.2c", 950.0)), rules(("2.1.2c", "main", "missing", "history")))
    out, ach = outcome(got, "2.1.2c")
    assert out == "无法判定" and math.isnan(ach)


def test_relative_rule_partial_credit_against_the_offices_reference():
    got = score(values(("2.1.2b", 105.0)), rules(("2.1.2b", "main", "not_met")), bars({"R2.1.2b": 100.0}))
    assert outcome(got, "2.1.2b") == ("未达标", pytest.approx(0.5))  # ≤ reference, floor ratio 1.1
    assert got.set_index("indicator_id").loc["2.1.2b", "reference"] == 100.0
    traced = score(
        values(("2.1.2b", 105.0)),
        rules(("2.1.2b", "main", "not_met")),
        bars({"R2.1.2b": 100.0}).assign(file="参照数据.xlsx", cell="F10"),
    )
    assert traced.set_index("indicator_id").loc["2.1.2b", "reference_source"] == "参照数据.xlsx F10"


def test_partial_credit_is_linear_between_floor_and_threshold():
    ind = CAT.indicator_by_id["1.1.1a"]  # ≥90, floor 70
    assert [partial_credit(ind, v) for v in (70, 80, 60)] == [0.0, 0.5, 0.0]


def test_task_points_are_shared_by_its_status_and_its_indicators():
    vals = values(("1.1.1a", 95.0), ("1.1.1b", "否"), ("1.1.1", "推进中"), ("1.1.3", "已完成"))
    ind = score(vals, rules(("1.1.1a", "main", "met"), ("1.1.1b", "main", "not_met")))
    tasks = score_tasks(ind, vals, CAT, Q, [C]).set_index("task_id")
    # 1.1.1: the rest of its content and two indicators, a point each
    assert tasks.loc["1.1.1", "points"] == 3 and tasks.loc["1.1.1", "status_share"] == pytest.approx(1 / 3)
    assert tasks.loc["1.1.1", "score"] == pytest.approx(0.5 + 1.0 + 0.0)
    assert tasks.loc["1.1.3", "score"] == pytest.approx(1.0)  # no indicators: its status is all of it
    assert tasks.loc["1.1.2", ["status", "score"]].tolist() == ["未填报", 0.0]
    row = ind.set_index("indicator_id").loc["1.1.1a"]
    assert (row["points"], row["share"], row["score"]) == (1.0, pytest.approx(1 / 3), pytest.approx(1.0))


def test_total_leaves_out_undecidable_tasks_and_rescales():
    tasks = pd.DataFrame(
        [
            {"county_code": C, "task_id": "a", "area": 1, "points": 2.0, "achievement": 1.0, "score": 2.0},
            {"county_code": C, "task_id": "b", "area": 1, "points": 1.0, "achievement": 0.5, "score": 0.5},
            {"county_code": C, "task_id": "c", "area": 2, "points": 1.0, "achievement": math.nan, "score": math.nan},
        ]
    )
    totals = total_scores(tasks, CAT).iloc[0]
    assert totals["judged_points"] == 3.0
    assert totals["total"] == pytest.approx(2.5 / 3 * 100, abs=0.01)


def test_ranking_shares_ties_and_leaves_out_non_reporters():
    cat = small_catalog(8)
    codes = [c.code for c in cat.counties]
    totals = pd.DataFrame({"county_code": codes[:7], "total": [90.0, 95.0, 90.0, 80.0, 70.0, 60.0, 99.0]})
    empty = {codes[0]: 1, codes[6]: 3}  # of 10 figures each: 10 % is tolerated, 30 % is not
    missing = pd.DataFrame(
        [
            {"county_code": c, "outcome": "未填报" if n < empty.get(c, 0) else "达标"}
            for c in codes[:7]
            for n in range(10)
        ]
    )
    ranking = rank_counties(totals, missing, cat).set_index("county_code")
    assert ranking.loc[codes[1], "rank"] == 1
    assert ranking.loc[codes[0], "rank"] == ranking.loc[codes[2], "rank"] == 2
    assert ranking.loc[codes[3], "rank"] == 4
    assert pd.isna(ranking.loc[codes[6], "rank"]) and "不予排名" in ranking.loc[codes[6], "not_ranked_reason"]
    assert ranking.loc[codes[7], "not_ranked_reason"] == "未报送"
