"""Rectification orders (派单督办): every unmet requirement and every unfinished task becomes an order;
next quarter an open order is closed (已销号) when its requirement is met, else it is overdue (逾期)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chuangwen.quarters import parse_quarter, shift_quarter
from chuangwen.zh import figure_text
from expectations.catalog import Catalog
from expectations.rules import rule_text
from transforms.score import BAD_DATA, MET, MET_ALT, MISSING, UNDECIDABLE, UNMET

OPEN, OVERDUE, CLOSED = "整改中", "逾期", "已销号"
ORDER_COLUMNS = ["order_id", "county_code", "county", "item_id", "problem", "responsible", "issued_quarter",
                 "issued_on", "deadline_quarter", "deadline", "status", "closed_quarter", "checked_quarter"]
UNMET_OUTCOMES = (UNMET, MISSING, BAD_DATA)
FIXED_OUTCOMES = (MET, MET_ALT)


def quarter_end(quarter: str) -> dt.date:
    year, q = parse_quarter(quarter)
    return dt.date(year, q * 3, 31 if q in (1, 4) else 30)


def _problems(indicator_scores: pd.DataFrame, task_scores: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """This quarter's unmet items: county, item, the problem in words, the responsible units."""
    rows = []
    for r in indicator_scores[indicator_scores["outcome"].isin(UNMET_OUTCOMES)].itertuples(index=False):
        ind = catalog.indicator_by_id[r.indicator_id]
        said = MISSING if r.outcome == MISSING else f"填报 {figure_text(r.value, ind.unit)}" + (
            f"（{BAD_DATA}）" if r.outcome == BAD_DATA else "")
        rows.append((r.county_code, ind.id, f"{ind.name}：{said}，要求 {rule_text(ind, catalog)}",
                     "、".join(catalog.task_by_id[ind.task].responsible)))
    done = catalog.done_statuses()
    for r in task_scores[task_scores["status"].notna() & ~task_scores["status"].isin(done)].itertuples(index=False):
        task = catalog.task_by_id[r.task_id]
        rows.append((r.county_code, task.id, f"{task.title}：完成情况为“{r.status}”，要求完成",
                     "、".join(task.responsible)))
    return pd.DataFrame(rows, columns=["county_code", "item_id", "problem", "responsible"])


def _state_now(indicator_scores: pd.DataFrame, task_scores: pd.DataFrame,
               catalog: Catalog) -> dict[tuple[str, str], bool]:
    """(county, item) → fixed? for every item judged this quarter."""
    done = catalog.done_statuses()
    state = {(r.county_code, r.indicator_id): r.outcome in FIXED_OUTCOMES
             for r in indicator_scores.itertuples(index=False) if r.outcome != UNDECIDABLE}
    state |= {(r.county_code, r.task_id): r.status in done
              for r in task_scores.itertuples(index=False) if r.status is not None and r.status == r.status}
    return state


def order_ledger(previous: pd.DataFrame, indicator_scores: pd.DataFrame, task_scores: pd.DataFrame,
                 catalog: Catalog, quarter: str, issued_on: dt.date, deadline_quarters: int) -> pd.DataFrame:
    """The ledger as of this quarter: earlier orders followed up, new orders for new problems.

    previous: last quarter's ledger (ORDER_COLUMNS), empty at the start. An order still open for the same
    county and item is followed up, never issued twice. An item not judged this quarter (an annual
    figure in Q1–Q3, a county that did not report) keeps its order open until its deadline has passed.
    """
    state = _state_now(indicator_scores, task_scores, catalog)
    names = {c.code: c.name for c in catalog.counties}
    ledger = previous.copy() if len(previous) else pd.DataFrame(columns=ORDER_COLUMNS)
    for i, order in ledger.iterrows():
        if order["status"] == CLOSED:
            continue
        fixed = state.get((order["county_code"], order["item_id"]))
        if fixed:
            ledger.loc[i, ["status", "closed_quarter", "checked_quarter"]] = [CLOSED, quarter, quarter]
        elif order["deadline_quarter"] <= quarter:
            ledger.loc[i, ["status", "checked_quarter"]] = [OVERDUE, quarter]
    still_open = {(r.county_code, r.item_id) for r in ledger.itertuples(index=False) if r.status != CLOSED}
    deadline_quarter = shift_quarter(quarter, deadline_quarters)
    new = [
        {"order_id": f"{quarter}-{p.county_code}-{p.item_id}", "county_code": p.county_code,
         "county": names[p.county_code], "item_id": p.item_id, "problem": p.problem, "responsible": p.responsible,
         "issued_quarter": quarter, "issued_on": issued_on.isoformat(), "deadline_quarter": deadline_quarter,
         "deadline": quarter_end(deadline_quarter).isoformat(), "status": OPEN, "closed_quarter": None,
         "checked_quarter": quarter}
        for p in _problems(indicator_scores, task_scores, catalog).itertuples(index=False)
        if (p.county_code, p.item_id) not in still_open
    ]
    out = pd.concat([ledger, pd.DataFrame(new, columns=ORDER_COLUMNS)], ignore_index=True) if new else ledger
    return out[ORDER_COLUMNS].astype({"closed_quarter": "object"}).reset_index(drop=True)


def rectification_rates(ledger: pd.DataFrame, quarter: str, catalog: Catalog) -> pd.DataFrame:
    """整改率 per county: of the orders due by this quarter, the share closed."""
    due = ledger[(ledger["deadline_quarter"] <= quarter)]
    rows = []
    for c in catalog.counties:
        mine = due[due["county_code"] == c.code]
        closed = int((mine["status"] == CLOSED).sum())
        rows.append({"county_code": c.code, "county": c.name, "due": len(mine), "closed": closed,
                     "overdue": int((mine["status"] == OVERDUE).sum()),
                     "rate": closed / len(mine) if len(mine) else None})
    return pd.DataFrame(rows)
