"""The ten wrong results of issue 14, one table test each, through the real chain where it matters
(Great Expectations validation of a wide frame, then scoring, orders, lists): each failed on the code
before the change (see the issue's note for how) and holds now."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from adapters.validation_runner import validate_quarter
from core.vocab import ListKind, OrderState
from expectations.catalog import load_catalog
from expectations.settings import ConfigError, Lines, ListRule, check_quarter_settings, load_config, office_catalog
from transforms.documents.validation_report import build_validation_report
from transforms.goals import goal_status
from transforms.lists import escalate, red_black_lists
from transforms.normalise import normalise_values
from transforms.orders import order_ledger, rectification_rates
from transforms.rank import missing_shares
from transforms.reshape import to_wide
from transforms.scoring import score_quarter
from transforms.sdg_progress import DETERIORATING, progress_classes

CAT = load_catalog()
A, B = "532622", "532623"  # 砚山县, 西畴县


def values(quarter: str, figures: dict[str, dict[str, object]]) -> pd.DataFrame:
    """The long table of accepted figures: county → (item id → value, answer or status)."""
    rows = []
    for county, items in figures.items():
        for n, (item, v) in enumerate(items.items(), start=4):
            kind = "task" if item in CAT.task_by_id else ("indicator" if item in CAT.indicator_by_id else "input")
            rows.append(
                {
                    "quarter": quarter,
                    "county_code": county,
                    "county": CAT.county_by_code[county].name,
                    "item_id": item,
                    "kind": kind,
                    "raw": v,
                    "file": f"{county}.xlsx",
                    "sheet": "填报表",
                    "cell": f"J{n}",
                    "note": None,
                    "rejected": False,
                    "issue": None,
                    "value": float(v) if isinstance(v, int | float) and v is not None and kind != "task" else math.nan,
                    "answer": v if isinstance(v, str) and kind != "task" else None,
                    "status": v if kind == "task" else None,
                }
            )
    return pd.DataFrame(rows).astype({"value": "float64", "answer": "object", "status": "object"})


def history(rows: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    """(county, item) → values one, two, three years back."""
    return pd.DataFrame(
        [
            {"county_code": c, "item_id": i, "years_back": k, "value": v}
            for (c, i), past in rows.items()
            for k, v in enumerate(past, start=1)
            if v is not None
        ],
        columns=["county_code", "item_id", "years_back", "value"],
    )


def bars(figures: dict[str, float], counties=(A, B)) -> pd.DataFrame:
    return pd.DataFrame([{"county_code": c, "item_id": k, "value": v} for c in counties for k, v in figures.items()])


def scored(quarter, figures, past=None, references=None, carried=None):
    vals = values(quarter, figures)
    counties = [c.code for c in CAT.counties if c.code in figures]
    wide = to_wide(vals, history(past or {}), CAT, quarter, counties, references)
    outcome = validate_quarter(wide, CAT, quarter)
    return vals, outcome, score_quarter(vals, outcome.rules, CAT, quarter, carried=carried, references=references)


def outcome_of(scores, county, indicator):
    row = scores.indicators.set_index(["county_code", "indicator_id"]).loc[(county, indicator)]
    return row["outcome"], row["achievement"]


# 1. Progress classes ignore direction -----------------------------------------------------------------


def test_1_a_regression_against_a_met_target_is_a_step_back():
    _, _, scores = scored("2022Q4", {A: {"6.3.2a": 35.0, "8.2.1c": 6.0}})
    base = pd.DataFrame(
        [{"county_code": A, "item_id": "6.3.2a", "value": 38.0}, {"county_code": A, "item_id": "8.2.1c", "value": 4.0}]
    )
    out = progress_classes(scores.indicators, base, CAT, "2022Q4", 2021, 2022).set_index("indicator_id")
    assert out.loc[["6.3.2a", "8.2.1c"], "progress"].tolist() == [DETERIORATING, DETERIORATING]


# 2. An order follows its task, whichever part judges it -------------------------------------------------


def test_2_an_order_on_a_tasks_status_is_closed_when_the_task_is_done_in_the_fourth_quarter():
    q3 = order_ledger(
        pd.DataFrame(), *_parts(scored("2022Q3", {A: {"1.5.2": "推进中"}})[2]), CAT, "2022Q3", dt.date(2022, 10, 10), 1
    )
    assert q3.set_index("item_id").loc["1.5.2", "status"] == OrderState.OPEN
    _, _, q4_scores = scored("2022Q4", {A: {"1.5.2": "已完成", "1.5.2a": 65.0}})
    q4 = order_ledger(q3, *_parts(q4_scores), CAT, "2022Q4", dt.date(2023, 1, 10), 1).set_index("item_id")
    assert q4.loc["1.5.2", ["status", "closed_quarter"]].tolist() == [OrderState.CLOSED, "2022Q4"]
    mine = q4.reset_index()
    rates = rectification_rates(mine[mine["task_id"] == "1.5.2"], "2022Q4", CAT).set_index("county_code")
    assert rates.loc[A, "rate"] == 1.0  # 整改率 0 % before: the order was never judged again


def _parts(scores):
    return scores.indicators, scores.tasks


# 3. Orders on annual figures are not overdue by construction ----------------------------------------------


def test_3_an_order_on_an_annual_figure_is_due_at_its_next_report():
    _, _, q4 = scored("2021Q4", {A: {"1.5.2a": 55.0}})
    ledger = order_ledger(pd.DataFrame(), *_parts(q4), CAT, "2021Q4", dt.date(2022, 1, 10), 1)
    assert ledger.set_index("item_id").loc["1.5.2a", "deadline_quarter"] == "2022Q4"
    _, _, q1 = scored("2022Q1", {A: {"1.5.2": "已完成"}}, carried=q4.indicators.assign(quarter="2021Q4"))
    q1_ledger = order_ledger(ledger, *_parts(q1), CAT, "2022Q1", dt.date(2022, 4, 10), 1).set_index("item_id")
    assert q1_ledger.loc["1.5.2a", "status"] == OrderState.OPEN  # not overdue: it cannot be reported before 2022Q4


# 4. "逐年下降" at zero ------------------------------------------------------------------------------------


def test_4_zero_accidents_two_years_running_meets_a_falling_trend():
    _, _, scores = scored(
        "2022Q4", {A: {"7.1.1b": 0.0}, B: {"7.1.1b": 1.0}}, past={(A, "7.1.1b"): [0.0], (B, "7.1.1b"): [2.0]}
    )
    assert outcome_of(scores, A, "7.1.1b") == ("达标", 1.0)
    assert outcome_of(scores, B, "7.1.1b") == ("达标", 1.0)


# 5. An alternative counts when the main figure is blank ---------------------------------------------------


def test_5_a_blank_main_figure_with_its_alternative_met_is_met_and_not_missing():
    _, _, scores = scored(
        "2022Q4",
        {A: {"8.1.1a": None, "X8.1.1a": 92.0}, B: {"8.1.1a": None, "X8.1.1a": 80.0}},
        references=bars({"R8.1.1a": 85.0}),
    )
    assert outcome_of(scores, A, "8.1.1a") == ("替代达标", 1.0)
    assert outcome_of(scores, B, "8.1.1a") == ("未填报", 0.0)
    due = scores.indicators[scores.indicators["due_this_quarter"]]
    shares = missing_shares(scores.indicators)
    assert shares[A] == pytest.approx((due[due["county_code"] == A]["outcome"] == "未填报").mean())
    assert shares[A] < shares[B]  # A's blank main figure is not counted as missing


# 6. 连续三年: three consecutive yearly improvements ---------------------------------------------------------


@pytest.mark.parametrize(
    ("past", "outcome"),
    [
        ([2.0, 3.0, 4.0], "替代达标"),  # 4 → 3 → 2 → 1: three decreases
        ([2.0, 3.0, None], "未达标"),  # only two decreases known: the alternative cannot be judged, never met
        ([2.0, 1.0, 4.0], "未达标"),  # one rise breaks it
    ],
)
def test_6_three_years_means_three_improvements(past, outcome):
    vals, validation, scores = scored("2022Q4", {A: {"8.1.3d": 1.0}}, past={(A, "8.1.3d"): past})
    assert outcome_of(scores, A, "8.1.3d")[0] == outcome
    rule = validation.rules.set_index(["indicator_id", "rule"]).loc[("8.1.3d", "3y")]
    assert rule["status"] == {"替代达标": "met", "未达标": "missing" if None in past else "not_met"}[outcome]


# 7. Escalation starts at the first repeat ------------------------------------------------------------------


def test_7_the_first_black_listing_is_the_listing_itself():
    now = pd.DataFrame(
        {"county_code": [A, B], "county": ["砚山县", "西畴县"], "list": [ListKind.BLACK, ListKind.BLACK]}
    )
    earlier = pd.DataFrame({"quarter": ["2022Q3"], "county_code": [B], "list": [ListKind.BLACK]})
    out = escalate(now, earlier, ("约谈", "通报批评", "问责")).set_index("county_code")
    assert out.loc[A, ["streak", "action"]].tolist() == [1, ""]
    assert out.loc[B, ["streak", "action"]].tolist() == [2, "约谈"]


# 8. Not reporting is no way off the black list ---------------------------------------------------------------


def test_8_a_county_that_did_not_report_is_black_listed_and_its_streak_continues():
    _, _, scores = scored("2022Q4", {A: {"1.4.1": "已完成"}})
    lists = red_black_lists(scores.tasks, scores.ranking, CAT, "1.4", ListRule(rule="rank", top=1, bottom=1))
    by_county = lists.set_index("county_code")
    assert (by_county.drop(index=A)["list"] == ListKind.BLACK).all()  # the seven that sent nothing
    assert set(by_county.drop(index=A)["reason"]) == {"未报送"}
    earlier = pd.DataFrame(
        {"quarter": ["2022Q2", "2022Q3"], "county_code": [B, B], "list": [ListKind.BLACK, ListKind.BLACK]}
    )
    streak = escalate(lists, earlier, ("约谈", "通报批评", "问责")).set_index("county_code")
    assert streak.loc[B, ["streak", "action"]].tolist() == [3, "通报批评"]


# 9. One count in every output ------------------------------------------------------------------------------


def test_9_the_validation_report_counts_as_the_bulletin_does():
    from transforms.documents.bulletin import build_bulletin

    vals, validation, scores = scored(
        "2022Q4",
        {A: {"6.3.2a": 30.0, "8.1.1a": None, "X8.1.1a": 92.0}},
        past={(A, "6.3.2a"): [28.0]},
        references=bars({"R8.1.1a": 85.0}, [A]),
    )
    report = build_validation_report(
        validation.rules,
        validation.dq_failures,
        vals,
        CAT,
        "2022Q4",
        "2022年第四季度",
        0,
        scores.indicators,
        scores.ranking,
    )
    bulletin = build_bulletin(
        "2022Q4",
        "2022年第四季度",
        scores.ranking,
        scores.indicators,
        scores.tasks,
        CAT,
        "文文明办〔2023〕1号",
        dt.date(2023, 1, 10),
    )
    row = next(r for r in bulletin.ranking if r.county == "砚山县")
    total = next(t for t in report.totals if t.county == "砚山县")
    (section,) = report.counties
    assert (total.passed, total.failed) == (row.met, row.unmet)
    assert section.failed == row.unmet == sum(f.status == "未通过" for f in section.findings)
    assert total.passed >= 2  # 6.3.2a by its yoy alternative and 8.1.1a by its AQI alternative both count as met
    how = {p.indicator_id: p.how for p in section.passed}
    assert how["6.3.2a"].startswith("替代达标") and how["8.1.1a"].startswith("替代达标")


# 10. The smaller ones ------------------------------------------------------------------------------------


def test_10a_a_quarter_without_a_contest_stops_before_any_work():
    settings = load_config().for_quarter("2023Q1")  # not in config/office.yaml, and no default focus
    with pytest.raises(ConfigError, match="2023Q1.*大比武"):
        check_quarter_settings(settings, CAT, "2023Q1")
    check_quarter_settings(settings.model_copy(update={"focus": "8.1"}), office_catalog(CAT, settings), "2023Q1")


def test_10b_a_red_line_below_the_black_line_is_refused():
    with pytest.raises(ValueError, match="red_at"):
        ListRule(rule="threshold", red_at=0.8, black_below=0.85)


def test_10c_counts_of_problems_are_whole_numbers():
    records = values("2022Q4", {A: {"8.1.2a": 1.5, "8.1.3d": 2.0}}).drop(
        columns=["value", "answer", "status", "rejected", "issue"]
    )
    records = records.assign(number_format=None, cell_note=None)
    typed, problems = normalise_values(records, CAT)
    by_item = typed.set_index("item_id")
    assert by_item.loc["8.1.2a", "rejected"] and not by_item.loc["8.1.3d", "rejected"]
    assert any(p.item_id == "8.1.2a" and "整数" in p.message and p.cell == "J4" for p in problems)


def test_10d_a_county_not_ranked_is_not_reported_as_reaching_its_line():
    ranking = pd.DataFrame(
        {
            "county_code": [c.code for c in CAT.counties],
            "county": [c.name for c in CAT.counties],
            "total": [95.0] * 8,
            "not_ranked_reason": [""] * 8,
        }
    )
    ranking.loc[ranking["county_code"] == "532625", "not_ranked_reason"] = "定量指标未填报 40%，超过 20%，不予排名"
    goals = goal_status(ranking, CAT, Lines(reinspection=85, creation=90), None).set_index("county")
    assert goals.loc["马关县", "status"] == "不予排名，无法判断" and not goals.loc["马关县", "on_course"]
    assert goals.loc["富宁县", "status"] == "达到达标线"


def test_10e_a_missing_reference_is_not_the_countys_missing_figure():
    _, _, scores = scored("2022Q4", {A: {"6.4.1a": 5.0}})  # the office supplied no 区域卫生规划 figure
    outcome, achievement = outcome_of(scores, A, "6.4.1a")
    assert outcome == "无法判定" and math.isnan(achievement)
    note = scores.indicators.set_index("indicator_id").loc["6.4.1a", "note"]
    assert "州文明办参照数据" in note
    tasks = scores.tasks.set_index("task_id")
    assert tasks.loc["6.4.1", "rescaled"]  # the task is scored on its other part
    _, _, with_bar = scored("2022Q4", {A: {"6.4.1a": 5.0}}, references=bars({"R6.4.1a": 4.8}, [A]))
    assert outcome_of(with_bar, A, "6.4.1a") == ("达标", 1.0)
