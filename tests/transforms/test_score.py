"""Scoring rules of PRODUCT.md §5 on tiny frames: one county, a handful of figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from expectations.catalog import load_catalog
from transforms.rank import rank_counties
from transforms.score import partial_credit, score_indicators, score_tasks, total_scores

CAT = load_catalog()
Q = "2022Q4"
C = "532622"


def values(*rows):
    """rows: (item_id, value-or-answer); task ids get a status instead."""
    out = []
    for n, (item, v) in enumerate(rows, start=4):
        kind = "task" if item in CAT.task_by_id else ("indicator" if item in CAT.indicator_by_id else "input")
        out.append({"county_code": C, "item_id": item, "kind": kind,
                    "value": v if isinstance(v, float | int) and kind != "task" else math.nan,
                    "answer": v if isinstance(v, str) and kind != "task" else None,
                    "status": v if kind == "task" else None,
                    "file": "砚山县.xlsx", "sheet": "填报表", "cell": f"I{n}", "raw": v,
                    "rejected": False, "issue": None})
    return pd.DataFrame(out)


def rules(**met):
    return pd.DataFrame([{"county_code": C, "indicator_id": k.replace("_", "."), "rule_met": v}
                         for k, v in met.items()], columns=["county_code", "indicator_id", "rule_met"])


NO_DQ = pd.DataFrame(columns=["county_code", "item_id", "check", "problem"])
NO_HISTORY = pd.DataFrame(columns=["county_code", "item_id", "years_back", "value"])


def history(*rows):
    return pd.DataFrame([{"county_code": C, "item_id": i, "years_back": k, "value": v} for i, k, v in rows])


def outcome(frame, ind):
    row = frame.set_index("indicator_id").loc[ind]
    return row["outcome"], row["achievement"]


def score(vals, rule_results, dq=NO_DQ, hist=NO_HISTORY):
    return score_indicators(vals, rule_results, dq, hist, CAT, Q, [C])


@pytest.mark.parametrize(
    ("ind", "value", "met", "expected"),
    [
        ("1.4.3b", 55.0, True, ("达标", 1.0)),
        ("1.4.3b", 40.0, False, ("未达标", 0.5)),  # floor 30, threshold 50
        ("1.4.3b", 20.0, False, ("未达标", 0.0)),  # below the floor
        ("10.2.1a", 95.0, False, ("未达标", 0.99)),  # >95% is strict: 95 misses, capped below full
        ("8.2.1c", 10.0, False, ("未达标", 0.5)),  # ≤5%, floor 15
        ("7.1.2b", "否", False, ("未达标", 0.0)),  # yes/no: no partial credit
        ("8.1.3b", "Ⅲ类", False, ("未达标", 0.0)),  # class rule: no partial credit
    ],
)
def test_rule_outcomes(ind, value, met, expected):
    got = outcome(score(values((ind, value)), rules(**{ind.replace(".", "_"): met})), ind)
    assert got[0] == expected[0]
    assert got[1] == pytest.approx(expected[1])


def test_missing_figure_is_flagged_and_scores_zero():
    assert outcome(score(values(), rules()), "1.4.3b") == ("未填报", 0.0)


def test_failed_data_quality_scores_zero_even_if_the_rule_holds():
    dq = pd.DataFrame([{"county_code": C, "item_id": "1.4.3b", "check": "range", "problem": "超出合理取值范围"}])
    got = score(values(("1.4.3b", 180.0)), rules(**{"1_4_3b": True}), dq)
    assert outcome(got, "1.4.3b") == ("数据异常", 0.0)


def test_a_value_rejected_at_ingest_is_bad_data_with_its_reason():
    vals = values(("1.4.3b", math.nan)).assign(raw="约五成", rejected=True, issue="“约五成”不是具体数值")
    row = score(vals, rules(**{"1_4_3b": None})).set_index("indicator_id").loc["1.4.3b"]
    assert (row["outcome"], row["achievement"]) == ("数据异常", 0.0)
    assert "约五成" in row["note"] and "不是具体数值" in row["note"]


def test_yoy_alternative_meets_an_unmet_threshold():
    got = score(values(("6.3.2a", 30.0)), rules(**{"6_3_2a": False}), hist=history(("6.3.2a", 1, 28.5)))
    assert outcome(got, "6.3.2a") == ("替代达标", 1.0)
    worse = score(values(("6.3.2a", 30.0)), rules(**{"6_3_2a": False}), hist=history(("6.3.2a", 1, 31.0)))
    assert outcome(worse, "6.3.2a")[0] == "未达标"


def test_three_year_decrease_needs_two_earlier_years():
    vals = values(("8.1.3d", 1.0))
    full = history(("8.1.3d", 1, 2.0), ("8.1.3d", 2, 3.0))
    assert outcome(score(vals, rules(**{"8_1_3d": False}), hist=full), "8.1.3d") == ("替代达标", 1.0)
    one_year = history(("8.1.3d", 1, 2.0))
    assert outcome(score(vals, rules(**{"8_1_3d": False}), hist=one_year), "8.1.3d") == ("未达标", 0.0)


def test_alternative_on_input_figures():
    vals = values(("8.1.1a", 80.0), ("X8.1.1a", 90.0), ("R8.1.1a", 85.0), ("X8.1.1b", "否"))
    got = score(vals, rules(**{"8_1_1a": False})).set_index("indicator_id").loc["8.1.1a"]
    assert (got["outcome"], got["alternative"]) == ("替代达标", "aqi_target")


def test_trend_without_history_is_undecidable_not_met():
    got = score(values(("6.1.1a", 95000.0)), rules(**{"6_1_1a": None}))
    out, ach = outcome(got, "6.1.1a")
    assert out == "无法判定" and math.isnan(ach)


def test_relative_rule_partial_credit_against_reference():
    got = score(values(("8.2.1b", 105.0), ("R8.2.1b", 100.0)), rules(**{"8_2_1b": False}))
    assert outcome(got, "8.2.1b") == ("未达标", pytest.approx(0.5))  # ≤ reference, floor ratio 1.1
    no_ref = score(values(("8.2.1b", 105.0)), rules(**{"8_2_1b": None}))
    assert outcome(no_ref, "8.2.1b")[0] == "未填报"


def test_partial_credit_is_linear_between_floor_and_threshold():
    ind = CAT.indicator_by_id["7.1.1a"]  # ≥98, floor 78
    assert [partial_credit(ind, v) for v in (78, 88, 60)] == [0.0, 0.5, 0.0]


def test_task_points_come_from_indicators_or_status():
    vals = values(("1.4.3a", 95.0), ("1.4.3b", 40.0), ("1.1.1", "基本完成"))
    ind = score(vals, rules(**{"1_4_3a": True, "1_4_3b": False}))
    tasks = score_tasks(ind, vals, CAT, Q, [C]).set_index("task_id")
    assert tasks.loc["1.4.3", "score"] == pytest.approx(2 * (1.0 + 0.5) / 2)
    assert tasks.loc["1.1.1", "score"] == pytest.approx(0.8)
    assert tasks.loc["1.1.2", ["status", "score"]].tolist() == ["未填报", 0.0]


def test_total_leaves_out_undecidable_tasks_and_rescales():
    tasks = pd.DataFrame([
        {"county_code": C, "task_id": "a", "area": 1, "points": 2.0, "achievement": 1.0, "score": 2.0},
        {"county_code": C, "task_id": "b", "area": 1, "points": 1.0, "achievement": 0.5, "score": 0.5},
        {"county_code": C, "task_id": "c", "area": 2, "points": 1.0, "achievement": math.nan, "score": math.nan},
    ])
    totals = total_scores(tasks, CAT).iloc[0]
    assert totals["judged_points"] == 3.0
    assert totals["total"] == pytest.approx(2.5 / 3 * 100, abs=0.01)


def test_ranking_shares_ties_and_leaves_out_non_reporters():
    codes = [c.code for c in CAT.counties]
    totals = pd.DataFrame({"county_code": codes[:7], "total": [90.0, 95.0, 90.0, 80.0, 70.0, 60.0, 99.0]})
    empty = {codes[0]: 1, codes[6]: 3}  # of 10 figures each: 10 % is tolerated, 30 % is not
    missing = pd.DataFrame([{"county_code": c, "outcome": "未填报" if n < empty.get(c, 0) else "达标"}
                            for c in codes[:7] for n in range(10)])
    ranking = rank_counties(totals, missing, CAT).set_index("county_code")
    assert ranking.loc[codes[1], "rank"] == 1
    assert ranking.loc[codes[0], "rank"] == ranking.loc[codes[2], "rank"] == 2
    assert ranking.loc[codes[3], "rank"] == 4
    assert pd.isna(ranking.loc[codes[6], "rank"]) and "不予排名" in ranking.loc[codes[6], "not_ranked_reason"]
    assert ranking.loc[codes[7], "not_ranked_reason"] == "未报送"
