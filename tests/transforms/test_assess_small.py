"""Rank robustness, goals and negative-list deductions on small tables."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations.catalog import load_catalog
from expectations.settings import Lines
from transforms.goals import creation_summary, goal_status
from transforms.robustness import rank_ranges
from transforms.score import deductions, total_scores

CAT = load_catalog()
CODES = [c.code for c in CAT.counties]
NAMES = [c.name for c in CAT.counties]


def task_scores(per_area: dict[str, list[float]]) -> pd.DataFrame:
    """One task per area per county, worth 10 points, with the given achievement per area."""
    rows = []
    for code, rates in per_area.items():
        for area, rate in enumerate(rates, start=1):
            rows.append(
                {
                    "county_code": code,
                    "task_id": f"{area}.1.1",
                    "area": area,
                    "points": 10.0,
                    "achievement": rate,
                    "score": 10.0 * rate,
                }
            )
    return pd.DataFrame(rows)


def ranked(codes, totals):
    frame = pd.DataFrame({"county_code": codes, "county": [NAMES[CODES.index(c)] for c in codes], "total": totals})
    frame["rank"] = frame["total"].rank(method="min", ascending=False).astype("Int64")
    return frame


def test_close_counties_have_overlapping_rank_ranges_and_distant_ones_do_not():
    areas = {
        CODES[0]: [1.0] * 5 + [0.5] * 5,  # strong where the other is weak: order depends on the weights
        CODES[1]: [0.5] * 5 + [1.0] * 5,
        CODES[2]: [0.2] * 10,
    }
    tasks = task_scores(areas)
    totals = total_scores(tasks, CAT).set_index("county_code")["total"]
    out = rank_ranges(tasks, ranked(list(areas), [totals[c] for c in areas]), CAT, 500, 0.2, 7).set_index("county_code")
    assert out.loc[CODES[0], ["rank_low", "rank_high"]].tolist() == [1, 2]
    assert out.loc[CODES[1], ["rank_low", "rank_high"]].tolist() == [1, 2]
    assert out.loc[CODES[2], ["rank_low", "rank_high"]].tolist() == [3, 3]
    again = rank_ranges(tasks, ranked(list(areas), [totals[c] for c in areas]), CAT, 500, 0.2, 7)
    assert again.equals(out.reset_index())  # seeded: the same every run


def test_equal_inputs_give_equal_ranks_in_every_draw():
    areas = {CODES[0]: [0.7] * 10, CODES[1]: [0.7] * 10}
    out = rank_ranges(task_scores(areas), ranked(list(areas), [70.0, 70.0]), CAT, 200, 0.2, 1)
    assert out["rank"].tolist() == [1, 1] and out["share_same_rank"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("province_rank", "status"),
    [
        (None, "待省级测评结果"),
        ((2, 13), "全省第2名，达成争3"),
        ((4, 13), "全省第4名，保5"),
        ((7, 13), "全省第7名，未进前5"),
    ],
)
def test_the_nominees_goal(province_rank, status):
    goals = goal_status(ranked(CODES, [90.0] * 8), CAT, Lines(reinspection=85, creation=90), province_rank)
    assert goals.set_index("county").loc["文山市", "status"] == status


def test_reinspection_and_creation_lines():
    totals = [95.0, 91.0, 89.0, 70.0, 84.9, 90.0, 60.0, 85.0]  # catalog order: 文山市, 砚山县, 西畴县, ...
    goals = goal_status(ranked(CODES, totals), CAT, Lines(reinspection=85, creation=90), None).set_index("county")
    assert goals.loc["马关县", "status"] == "低于达标线 0.10 分" and goals.loc["富宁县", "on_course"]
    assert goals.loc["砚山县", "on_course"] and not goals.loc["西畴县", "on_course"]
    assert "2 个达到创成达标线（砚山县、丘北县）" in creation_summary(goals.reset_index(), CAT)


def test_negative_list_deducts_by_occurrence_up_to_the_cap():
    values = pd.DataFrame(
        [
            {"county_code": CODES[0], "item_id": "7.1.2b", "value": float("nan"), "answer": "否"},
            {"county_code": CODES[0], "item_id": "8.1.2a", "value": 5.0, "answer": None},
            {"county_code": CODES[1], "item_id": "8.1.2a", "value": 1.0, "answer": None},
        ]
    )
    counts = pd.DataFrame([{"county_code": CODES[1], "item_id": "N3", "count": 1}])
    cut = deductions(values, counts, CAT, CODES[:2]).set_index(["county_code", "item_id"])["points"].to_dict()
    assert cut == {(CODES[0], "N1"): 2.0, (CODES[0], "N2"): 3.0, (CODES[1], "N2"): 1.0, (CODES[1], "N3"): 2.0}


def test_total_never_goes_below_zero():
    tasks = task_scores({CODES[0]: [0.01] * 10})
    cut = pd.DataFrame([{"county_code": CODES[0], "item_id": "N3", "name": "x", "count": 3, "points": 6.0}])
    assert total_scores(tasks, CAT, cut)["total"].tolist() == [0.0]


def test_competition_ranks_match_pairwise_counting_with_ties():
    import numpy as np

    from transforms.robustness import competition_ranks

    rng = np.random.default_rng(7)
    for shape in [(1, 3), (8, 50), (129, 20)]:
        totals = rng.integers(0, 6, size=shape).astype(float) / 3  # few distinct values: many ties
        pairwise = 1 + (totals[None, :, :] > totals[:, None, :]).sum(axis=1)
        assert (competition_ranks(totals) == pairwise).all()
