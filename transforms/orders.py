"""Rectification orders (派单督办): every unmet requirement and every unfinished task becomes an order;
it is followed up whenever its requirement is judged again, closed (已销号) when met, else overdue (逾期)
once its deadline has passed.

An order is raised on one part of a task (an indicator, or the rest of the task's content judged by its
completion status) and follows its task: the part that raised it judges it whenever it is judged, and an
order whose part is no longer in the catalog is judged by its task's completion status. Its deadline
follows the figure's frequency: a quarterly figure or a task's status is due within the office's
deadline (next quarter by default), an annual figure at its next report (the next fourth quarter).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from core.quarters import parse_quarter, shift_quarter
from core.vocab import MET_OUTCOMES, UNMET_OUTCOMES, OrderState, Outcome
from core.zh import figure_text
from expectations.catalog import Catalog, Task
from expectations.rules import rule_text

ORDER_COLUMNS = [
    "order_id",
    "county_code",
    "county",
    "item_id",
    "task_id",
    "frequency",
    "problem",
    "responsible",
    "responsible_basis",
    "issued_quarter",
    "issued_on",
    "deadline_quarter",
    "deadline",
    "status",
    "closed_quarter",
    "checked_quarter",
]
FIXED_OUTCOMES = MET_OUTCOMES


def quarter_end(quarter: str) -> dt.date:
    year, q = parse_quarter(quarter)
    return dt.date(year, q * 3, 31 if q in (1, 4) else 30)


def deadline_quarter(quarter: str, frequency: str, deadline_quarters: int) -> str:
    """When an order raised this quarter must be fixed: an annual figure at its next report (the next
    fourth quarter, since it cannot be reported before), anything else `deadline_quarters` later."""
    if frequency == "annual":
        year, q = parse_quarter(quarter)
        return f"{year + 1 if q == 4 else year}Q4"
    return shift_quarter(quarter, deadline_quarters)


def _problems(indicator_scores: pd.DataFrame, task_scores: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """This quarter's unmet items, judged this quarter (not carried from last year): county, part, task,
    frequency, the problem in words, the responsible units and on what basis they are named."""
    rows = []
    judged = indicator_scores
    if "carried_from" in judged.columns:
        judged = judged[judged["carried_from"].isna()]
    for r in judged[judged["outcome"].isin(UNMET_OUTCOMES)].itertuples(index=False):
        ind = catalog.indicator_by_id[r.indicator_id]
        task = catalog.task_by_id[ind.task]
        said = (
            Outcome.MISSING
            if r.outcome == Outcome.MISSING
            else f"填报 {figure_text(r.value, ind.unit)}"
            + (f"（{Outcome.BAD_DATA}）" if r.outcome == Outcome.BAD_DATA else "")
        )
        problem = f"{ind.name}：{said}，要求 {rule_text(ind, catalog)}"
        rows.append((r.county_code, ind.id, task.id, ind.frequency, problem, _units(task), task.responsible_basis))
    done = catalog.done_statuses()
    open_tasks = task_scores[task_scores["status"].notna() & ~task_scores["status"].isin(done)]
    for r in open_tasks.itertuples(index=False):
        task = catalog.task_by_id[r.task_id]
        what = "定量指标以外的其余工作" if catalog.indicators_of(task.id) else ""
        rows.append(
            (
                r.county_code,
                task.id,
                task.id,
                "quarterly",
                f"{task.title}{what and '（' + what + '）'}：完成情况为“{r.status}”，要求完成",
                _units(task),
                task.responsible_basis,
            )
        )
    return pd.DataFrame(
        rows, columns=["county_code", "item_id", "task_id", "frequency", "problem", "responsible", "responsible_basis"]
    )


def _units(task: Task) -> str:
    return "、".join(task.responsible) or task.responsible_basis  # 未指定 where nobody has named any


def _state_now(
    indicator_scores: pd.DataFrame, task_scores: pd.DataFrame, catalog: Catalog
) -> dict[tuple[str, str], bool]:
    """(county, part) → fixed? for every part judged this quarter: indicators reported and decidable
    (not carried from last year), and every task's completion status."""
    done = catalog.done_statuses()
    judged = indicator_scores
    if "carried_from" in judged.columns:
        judged = judged[judged["carried_from"].isna()]
    state = {
        (r.county_code, r.indicator_id): r.outcome in FIXED_OUTCOMES
        for r in judged.itertuples(index=False)
        if r.outcome != Outcome.UNDECIDABLE
    }
    state |= {
        (r.county_code, r.task_id): r.status in done
        for r in task_scores.itertuples(index=False)
        if r.status is not None and r.status == r.status
    }
    return state


def _judging_part(item_id: str, task_id: object, catalog: Catalog) -> str:
    """The part that judges an order: its own, or its task's status when its part left the catalog."""
    if item_id in catalog.task_by_id or item_id in catalog.indicator_by_id:
        return item_id
    if isinstance(task_id, str) and task_id in catalog.task_by_id:
        return task_id
    numbered = re.match(r"\d+\.\d+\.\d+", item_id)  # an indicator id starts with its task's id
    return numbered.group(0) if numbered else item_id


def order_ledger(
    previous: pd.DataFrame,
    indicator_scores: pd.DataFrame,
    task_scores: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    issued_on: dt.date,
    deadline_quarters: int,
) -> pd.DataFrame:
    """The ledger as of this quarter: earlier orders followed up, new orders for new problems.

    previous: last quarter's ledger (ORDER_COLUMNS), empty at the start. An order still open for the same
    county and part is followed up, never issued twice. A part not judged this quarter (an annual figure
    in Q1–Q3, a county that did not report) keeps its order open until its deadline has passed.
    """
    state = _state_now(indicator_scores, task_scores, catalog)
    names = {c.code: c.name for c in catalog.counties}
    ledger = previous.copy() if len(previous) else pd.DataFrame(columns=ORDER_COLUMNS)
    for column in ORDER_COLUMNS:
        if column not in ledger.columns:  # a ledger written before the column existed
            ledger[column] = None
    for i, order in ledger.iterrows():
        if order["status"] == OrderState.CLOSED:
            continue
        fixed = state.get((order["county_code"], _judging_part(order["item_id"], order["task_id"], catalog)))
        if fixed:
            ledger.loc[i, ["status", "closed_quarter", "checked_quarter"]] = [OrderState.CLOSED, quarter, quarter]
        elif order["deadline_quarter"] <= quarter:
            ledger.loc[i, ["status", "checked_quarter"]] = [OrderState.OVERDUE, quarter]
    still_open = {(r.county_code, r.item_id) for r in ledger.itertuples(index=False) if r.status != OrderState.CLOSED}
    new = []
    for p in _problems(indicator_scores, task_scores, catalog).itertuples(index=False):
        if (p.county_code, p.item_id) in still_open:
            continue
        due = deadline_quarter(quarter, p.frequency, deadline_quarters)
        new.append(
            {
                "order_id": f"{quarter}-{p.county_code}-{p.item_id}",
                "county_code": p.county_code,
                "county": names[p.county_code],
                "item_id": p.item_id,
                "task_id": p.task_id,
                "frequency": p.frequency,
                "problem": p.problem,
                "responsible": p.responsible,
                "responsible_basis": p.responsible_basis,
                "issued_quarter": quarter,
                "issued_on": issued_on.isoformat(),
                "deadline_quarter": due,
                "deadline": quarter_end(due).isoformat(),
                "status": OrderState.OPEN,
                "closed_quarter": None,
                "checked_quarter": quarter,
            }
        )
    out = pd.concat([ledger, pd.DataFrame(new, columns=ORDER_COLUMNS)], ignore_index=True) if new else ledger
    return out[ORDER_COLUMNS].astype({"closed_quarter": "object"}).reset_index(drop=True)


def rectification_rates(ledger: pd.DataFrame, quarter: str, catalog: Catalog) -> pd.DataFrame:
    """整改率 per county: of the orders due by this quarter, the share closed."""
    due = ledger[(ledger["deadline_quarter"] <= quarter)]
    rows = []
    for c in catalog.counties:
        mine = due[due["county_code"] == c.code]
        closed = int((mine["status"] == OrderState.CLOSED).sum())
        rows.append(
            {
                "county_code": c.code,
                "county": c.name,
                "due": len(mine),
                "closed": closed,
                "overdue": int((mine["status"] == OrderState.OVERDUE).sum()),
                "rate": closed / len(mine) if len(mine) else None,
            }
        )
    return pd.DataFrame(rows)
