"""大比武 lists: ties all listed, both rules, non-reporters on the black list, and escalation over
consecutive contest quarters (the first listing is the listing itself)."""

from __future__ import annotations

import pandas as pd
import pytest
from small_catalog import small_catalog

from core.vocab import ListKind
from expectations.catalog import focus_tasks
from expectations.settings import ListRule
from transforms.lists import escalate, red_black_lists

CAT = small_catalog(8)
CODES = [c.code for c in CAT.counties]


def tasks_with_rates(rates: dict[str, float]) -> pd.DataFrame:
    """Task scores on the focus sub-area 1.4 (4 tasks, 1+? points each) giving each county `rate`."""
    rows = []
    for code, rate in rates.items():
        for t in focus_tasks(CAT, "1.1"):
            points = CAT.task_by_id[t].points
            rows.append(
                {
                    "county_code": code,
                    "task_id": t,
                    "area": 1,
                    "points": points,
                    "achievement": rate,
                    "score": points * rate,
                }
            )
    return pd.DataFrame(rows)


def ranking(codes, unranked=()):
    names = {c.code: c.name for c in CAT.counties}
    return pd.DataFrame(
        {
            "county_code": codes,
            "county": [names[c] for c in codes],
            "rank": pd.array([None if c in unranked else i + 1 for i, c in enumerate(codes)], dtype="Int64"),
            "not_ranked_reason": ["定量指标未填报 30%，超过 20%，不予排名" if c in unranked else "" for c in codes],
        }
    )


def test_rank_rule_lists_ties_on_both_ends():
    rates = dict(zip(CODES[:6], [0.9, 0.9, 0.8, 0.7, 0.5, 0.5], strict=True))
    out = red_black_lists(
        tasks_with_rates(rates), ranking(CODES[:6]), CAT, "1.1", ListRule(rule="rank", top=1, bottom=1)
    ).set_index("county_code")
    assert out.loc[CODES[0], "list"] == out.loc[CODES[1], "list"] == ListKind.RED  # tied for first: both red
    assert out.loc[CODES[4], "list"] == out.loc[CODES[5], "list"] == ListKind.BLACK  # tied for last: both black
    assert out.loc[CODES[2], "list"] is None
    assert out.loc[CODES[1], "focus_rank"] == 1 and out.loc[CODES[2], "focus_rank"] == 3


def test_threshold_rule_and_unranked_counties():
    rates = dict(zip(CODES[:4], [0.95, 0.9, 0.86, 0.84], strict=True))
    out = red_black_lists(
        tasks_with_rates(rates),
        ranking(CODES[:4], unranked={CODES[3]}),
        CAT,
        "1.1",
        ListRule(rule="threshold", red_at=0.9, black_below=0.85),
    ).set_index("county_code")
    assert out["list"].to_dict() == {
        CODES[0]: ListKind.RED,
        CODES[1]: ListKind.RED,
        CODES[2]: None,
        CODES[3]: ListKind.BLACK,
    }
    assert "不予排名" in out.loc[CODES[3], "reason"] and pd.isna(out.loc[CODES[3], "focus_rank"])


def test_not_reporting_is_no_way_off_the_black_list():
    """A county that sent nothing has no task scores: it is on the black list, saying why, and it is not
    counted among the bottom N of the ranked ones."""
    rates = dict(zip(CODES[:3], [0.9, 0.8, 0.7], strict=True))
    ranks = ranking(CODES[:4], unranked={CODES[3]}).assign(not_ranked_reason=["", "", "", "未报送"])
    out = red_black_lists(tasks_with_rates(rates), ranks, CAT, "1.1", ListRule(rule="rank", top=1, bottom=1)).set_index(
        "county_code"
    )
    assert out["list"].to_dict() == {
        CODES[0]: ListKind.RED,
        CODES[1]: None,
        CODES[2]: ListKind.BLACK,
        CODES[3]: ListKind.BLACK,
    }
    assert out.loc[CODES[3], "reason"] == "未报送" and pd.isna(out.loc[CODES[3], "focus_rate"])


def test_a_red_line_below_the_black_line_is_refused():
    with pytest.raises(ValueError, match="红榜线"):
        ListRule(rule="threshold", red_at=0.6, black_below=0.85)


def test_unknown_focus_is_an_error():
    with pytest.raises(ValueError, match="9.9"):
        red_black_lists(
            tasks_with_rates({CODES[0]: 1.0}), ranking(CODES[:1]), CAT, "9.9", ListRule(rule="rank", top=1, bottom=1)
        )


LADDER = ("约谈", "通报批评", "问责")


def test_escalation_over_consecutive_quarters():
    now = pd.DataFrame(
        {
            "county_code": [CODES[0], CODES[1], CODES[2], CODES[3]],
            "county": ["a", "b", "c", "d"],
            "list": [ListKind.BLACK, ListKind.BLACK, ListKind.BLACK, ListKind.BLACK],
        }
    )
    earlier = pd.DataFrame(
        {
            "quarter": ["2022Q2", "2022Q2", "2022Q3", "2022Q3", "2022Q3", "2022Q1", "2022Q3", "2022Q2"],
            "county_code": [CODES[0], CODES[1], CODES[0], CODES[1], CODES[2], CODES[0], CODES[3], CODES[3]],
            "list": [
                ListKind.BLACK,
                ListKind.BLACK,
                ListKind.BLACK,
                ListKind.RED,
                None,
                ListKind.BLACK,
                ListKind.BLACK,
                ListKind.BLACK,
            ],
        }
    )
    out = escalate(now, earlier, LADDER).set_index("county_code")
    assert out.loc[CODES[0], ["streak", "action"]].tolist() == [4, "问责"]  # Q1, Q2, Q3 and now: the last step
    assert out.loc[CODES[3], ["streak", "action"]].tolist() == [3, "通报批评"]  # Q2, Q3 and now
    assert out.loc[CODES[1], ["streak", "action"]].tolist() == [1, ""]  # red last quarter breaks it
    assert out.loc[CODES[2], ["streak", "action"]].tolist() == [1, ""]


@pytest.mark.parametrize(("streak", "action"), [(1, ""), (2, "约谈"), (3, "通报批评"), (4, "问责"), (9, "问责")])
def test_the_ladder_applies_to_repeats_not_to_the_first_listing(streak, action):
    """连续第1次上黑榜 is the listing itself; the second consecutive brings 约谈, then 通报批评, then 问责."""
    now = pd.DataFrame({"county_code": [CODES[0]], "county": ["a"], "list": [ListKind.BLACK]})
    earlier = pd.DataFrame(
        {
            "quarter": [f"2021Q{q}" if q <= 4 else f"2022Q{q - 4}" for q in range(1, streak)],
            "county_code": [CODES[0]] * (streak - 1),
            "list": [ListKind.BLACK] * (streak - 1),
        }
    )
    assert escalate(now, earlier, LADDER)[["streak", "action"]].values.tolist() == [[streak, action]]
