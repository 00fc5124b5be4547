"""大比武 lists: ties all listed, both rules, and escalation over consecutive contest quarters."""

from __future__ import annotations

import pandas as pd
import pytest

from chuangwen.config import ListRule
from expectations.catalog import load_catalog
from transforms.lists import BLACK, RED, escalate, focus_tasks, red_black_lists

CAT = load_catalog()
CODES = [c.code for c in CAT.counties]


def tasks_with_rates(rates: dict[str, float]) -> pd.DataFrame:
    """Task scores on the focus sub-area 1.4 (4 tasks, 1+? points each) giving each county `rate`."""
    rows = []
    for code, rate in rates.items():
        for t in focus_tasks(CAT, "1.4"):
            points = CAT.task_by_id[t].points
            rows.append({"county_code": code, "task_id": t, "area": 1, "points": points, "achievement": rate,
                         "score": points * rate})
    return pd.DataFrame(rows)


def ranking(codes, unranked=()):
    names = {c.code: c.name for c in CAT.counties}
    return pd.DataFrame({"county_code": codes, "county": [names[c] for c in codes],
                         "rank": pd.array([None if c in unranked else i + 1 for i, c in enumerate(codes)],
                                          dtype="Int64")})


def test_rank_rule_lists_ties_on_both_ends():
    rates = dict(zip(CODES[:6], [0.9, 0.9, 0.8, 0.7, 0.5, 0.5], strict=True))
    out = red_black_lists(tasks_with_rates(rates), ranking(CODES[:6]), CAT, "1.4",
                          ListRule(rule="rank", top=1, bottom=1)).set_index("county_code")
    assert out.loc[CODES[0], "list"] == out.loc[CODES[1], "list"] == RED  # tied for first: both red
    assert out.loc[CODES[4], "list"] == out.loc[CODES[5], "list"] == BLACK  # tied for last: both black
    assert out.loc[CODES[2], "list"] is None
    assert out.loc[CODES[1], "focus_rank"] == 1 and out.loc[CODES[2], "focus_rank"] == 3


def test_threshold_rule_and_unranked_counties():
    rates = dict(zip(CODES[:4], [0.95, 0.9, 0.86, 0.84], strict=True))
    out = red_black_lists(tasks_with_rates(rates), ranking(CODES[:4], unranked={CODES[3]}), CAT, "1.4",
                          ListRule(rule="threshold", red_at=0.9, black_below=0.85)).set_index("county_code")
    assert out["list"].to_dict() == {CODES[0]: RED, CODES[1]: RED, CODES[2]: None}  # 不予排名 is not listed


def test_unknown_focus_is_an_error():
    with pytest.raises(ValueError, match="9.9"):
        red_black_lists(tasks_with_rates({CODES[0]: 1.0}), ranking(CODES[:1]), CAT, "9.9",
                        ListRule(rule="rank", top=1, bottom=1))


def test_escalation_over_three_quarters():
    ladder = ("约谈", "通报批评", "问责")
    now = pd.DataFrame({"county_code": [CODES[0], CODES[1], CODES[2]], "county": ["a", "b", "c"],
                        "list": [BLACK, BLACK, BLACK]})
    earlier = pd.DataFrame({
        "quarter": ["2022Q2", "2022Q2", "2022Q3", "2022Q3", "2022Q3", "2022Q1"],
        "county_code": [CODES[0], CODES[1], CODES[0], CODES[1], CODES[2], CODES[0]],
        "list": [BLACK, BLACK, BLACK, RED, None, BLACK],
    })
    out = escalate(now, earlier, ladder).set_index("county_code")
    assert out.loc[CODES[0], ["streak", "action"]].tolist() == [4, "问责"]  # Q1, Q2, Q3 and now: capped at 问责
    assert out.loc[CODES[1], ["streak", "action"]].tolist() == [1, "约谈"]  # red last quarter breaks it
    assert out.loc[CODES[2], ["streak", "action"]].tolist() == [1, "约谈"]


def test_escalation_second_time_is_a_public_criticism():
    now = pd.DataFrame({"county_code": [CODES[0]], "county": ["a"], "list": [BLACK]})
    earlier = pd.DataFrame({"quarter": ["2022Q3"], "county_code": [CODES[0]], "list": [BLACK]})
    assert escalate(now, earlier, ("约谈", "通报批评", "问责"))["action"].tolist() == ["通报批评"]
