"""Orders: issued for unmet items, followed up next quarter: closed, overdue, or waiting for the figure."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.vocab import OrderState
from expectations.catalog import load_catalog
from expectations.settings import load_config, office_catalog
from transforms.orders import order_ledger, quarter_end, rectification_rates

CAT = load_catalog()
OFFICE = office_catalog(CAT, load_config().defaults)  # with the office's assignment of responsible units
C = "532622"


def indicators(*rows):
    return pd.DataFrame(
        [{"county_code": C, "indicator_id": i, "outcome": o, "value": v} for i, o, v in rows],
        columns=["county_code", "indicator_id", "outcome", "value"],
    )


def tasks(*rows):
    return pd.DataFrame(
        [{"county_code": C, "task_id": t, "status": s} for t, s in rows], columns=["county_code", "task_id", "status"]
    )


def ledger(previous, quarter, ind, tsk):
    return order_ledger(previous, ind, tsk, CAT, quarter, dt.date(2022, 7, 10), 1).set_index("item_id")


EMPTY = pd.DataFrame()


def test_unmet_items_and_unfinished_tasks_become_orders():
    first = ledger(
        EMPTY,
        "2022Q2",
        indicators(("6.3.2c", "未达标", 90.0), ("7.1.1a", "达标", 99.0)),
        tasks(("1.1.1", "推进中"), ("1.1.2", "已完成")),
    )
    assert set(first.index) == {"6.3.2c", "1.1.1"}
    row = first.loc["6.3.2c"]
    assert row["order_id"] == "2022Q2-532622-6.3.2c" and row["status"] == OrderState.OPEN
    assert "道路照明亮灯率" in row["problem"] and "90%" in row["problem"] and "≥95%" in row["problem"]
    assert row["deadline_quarter"] == "2022Q3" and row["deadline"] == "2022-09-30"
    assert row["responsible"] == row["responsible_basis"] == "未指定"  # the catalog alone names none for 6.3.2
    with_units = order_ledger(
        EMPTY, indicators(("1.4.3b", "未达标", 40.0)), tasks(), OFFICE, "2022Q2", dt.date(2022, 7, 10), 1
    ).iloc[0]
    assert (with_units["responsible"], with_units["responsible_basis"]) == ("党委宣传部、文明办", "任务清单")
    assigned = order_ledger(
        EMPTY, indicators(("6.3.2c", "未达标", 90.0)), tasks(), OFFICE, "2022Q2", dt.date(2022, 7, 10), 1
    ).iloc[0]
    assert "住房和城乡建设局" in assigned["responsible"] and assigned["responsible_basis"] == "州文明办确定"


def test_next_quarter_closes_fixed_orders_and_marks_the_rest_overdue():
    first = ledger(
        EMPTY, "2022Q2", indicators(("6.3.2c", "未达标", 90.0), ("7.1.1a", "未达标", 90.0)), tasks(("1.1.1", "推进中"))
    ).reset_index()
    second = ledger(
        first, "2022Q3", indicators(("6.3.2c", "达标", 96.0), ("7.1.1a", "未达标", 91.0)), tasks(("1.1.1", "已完成"))
    )
    assert second.loc["6.3.2c", ["status", "closed_quarter"]].tolist() == [OrderState.CLOSED, "2022Q3"]
    assert second.loc["1.1.1", "status"] == OrderState.CLOSED
    assert second.loc["7.1.1a", "status"] == OrderState.OVERDUE
    assert len(second) == 3  # the still-unmet 7.1.1a is followed up, not ordered twice
    rates = rectification_rates(second.reset_index(), "2022Q3", CAT).set_index("county_code")
    assert rates.loc[C, ["due", "closed", "overdue"]].tolist() == [3, 2, 1]
    assert rates.loc[C, "rate"] == 2 / 3


def test_an_order_on_an_annual_figure_is_due_at_its_next_report():
    """An annual figure is reported in the fourth quarter only: its order is due then, not next quarter
    (when it could not be reported and would be overdue by construction)."""
    q4 = ledger(EMPTY, "2021Q4", indicators(("6.3.2a", "未达标", 30.0)), tasks()).reset_index()
    assert q4.set_index("item_id").loc["6.3.2a", ["deadline_quarter", "deadline"]].tolist() == ["2022Q4", "2022-12-31"]
    later = q4
    for quarter in ("2022Q1", "2022Q2", "2022Q3"):  # not judged: still open, not overdue
        later = ledger(later, quarter, indicators(), tasks())
        assert later.loc["6.3.2a", "status"] == OrderState.OPEN, quarter
        later = later.reset_index()
    fixed = ledger(later, "2022Q4", indicators(("6.3.2a", "达标", 37.0)), tasks())
    assert fixed.loc["6.3.2a", ["status", "closed_quarter"]].tolist() == [OrderState.CLOSED, "2022Q4"]
    still = ledger(later, "2022Q4", indicators(("6.3.2a", "未达标", 31.0)), tasks())
    assert still.loc["6.3.2a", "status"] == OrderState.OVERDUE
    q2 = ledger(EMPTY, "2022Q2", indicators(("6.3.2c", "未达标", 90.0)), tasks())  # a quarterly figure
    assert q2.loc["6.3.2c", "deadline_quarter"] == "2022Q3"


def test_quarter_ends():
    assert [quarter_end(q) for q in ("2022Q1", "2022Q2", "2022Q3", "2022Q4")] == [
        dt.date(2022, 3, 31),
        dt.date(2022, 6, 30),
        dt.date(2022, 9, 30),
        dt.date(2022, 12, 31),
    ]
