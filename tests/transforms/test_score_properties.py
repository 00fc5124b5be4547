"""Properties of the whole scoring chain (validation by Great Expectations, then scoring), on random
county figures: improving a figure never lowers its county's total; totals stay in [0, 100]; equal
figures give equal ranks; the order of the input rows changes nothing."""

from __future__ import annotations

import random

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.validation_runner import validate_quarter
from expectations.catalog import load_catalog
from expectations.template_rows import due_indicators, due_inputs, status_tasks
from transforms.reshape import to_wide
from transforms.scoring import score_quarter

CAT = load_catalog()
Q = "2022Q4"
CODES = [c.code for c in CAT.counties]
STATUSES = [s.name for s in CAT.completion_statuses]


def _draw_value(ind, rng: random.Random) -> float | str:
    if ind.scale:
        return rng.choice(CAT.scales[ind.scale])
    if ind.op in (">=", ">", "<=", "<"):
        lo, hi = sorted([ind.floor, float(ind.threshold)])
        low, high = CAT.physical_range(ind.unit)
        value = rng.uniform(max(low, lo - (hi - lo) * 0.3), hi + (hi - lo) * 0.3)
        return round(min(value, high) if high is not None else value, 2)
    if ind.op == "==":
        return float(rng.choice([0, 0, 1, 2, 3]))
    return round(rng.uniform(50, 150), 2)  # trend and relative figures around their references


def _improved(ind, value, rng: random.Random):
    if ind.scale:
        scale = CAT.scales[ind.scale]
        return scale[max(0, scale.index(value) - 1)] if ind.op == "grade" else ind.threshold
    step = rng.uniform(0.01, 20.0) if ind.op != "==" else 1.0
    better = value + step if ind.direction == "higher" else max(value - step, 0.0)
    _, high = CAT.physical_range(ind.unit)
    return round(min(better, high) if high is not None else better, 2)


def _county_rows(code: str, figures: dict, statuses: dict) -> list[dict]:
    rows = []
    for item, v in figures.items():
        kind = "indicator" if item in CAT.indicator_by_id else "input"
        rows.append(
            {
                "county_code": code,
                "item_id": item,
                "kind": kind,
                "value": v if isinstance(v, float) else None,
                "answer": v if isinstance(v, str) else None,
                "status": None,
            }
        )
    for task, s in statuses.items():
        rows.append({"county_code": code, "item_id": task, "kind": "task", "value": None, "answer": None, "status": s})
    return rows


def _frames(seed: int):
    """Four pairs of counties: the second of each pair has one figure improved (the last pair: none)."""
    rng = random.Random(seed)
    rows, history, improved, references = [], [], [], []
    for pair in range(4):
        figures = {i.id: _draw_value(i, rng) for i in due_indicators(CAT, Q)}
        figures |= {
            i.id: (rng.choice(CAT.scales[i.scale]) if i.scale else round(rng.uniform(50, 150), 2))
            for i in due_inputs(CAT, Q, "county")
        }
        bars = {i.id: round(rng.uniform(50, 150), 2) for i in due_inputs(CAT, Q, "office")}
        statuses = {t: rng.choice(STATUSES) for t in status_tasks(CAT, Q)}
        better = dict(figures)
        if pair < 3:
            ind = rng.choice(due_indicators(CAT, Q))
            better[ind.id] = _improved(ind, figures[ind.id], rng)
            improved.append(ind.id)
        a, b = CODES[2 * pair], CODES[2 * pair + 1]
        rows += _county_rows(a, figures, statuses) + _county_rows(b, better, statuses)
        references += [{"county_code": c, "item_id": k, "value": v} for c in (a, b) for k, v in bars.items()]
        for ind in due_indicators(CAT, Q):
            for years in (1, 2, 3):
                past = _draw_value(ind, rng)
                if isinstance(past, float):
                    history += [
                        {"county_code": c, "item_id": ind.id, "years_back": years, "value": past} for c in (a, b)
                    ]
    values = pd.DataFrame(rows).assign(raw=None, file="f.xlsx", sheet="填报表", cell="J4", rejected=False, issue=None)
    values = values.astype({"value": "float64", "answer": "object", "status": "object"})
    return values, pd.DataFrame(history), improved, pd.DataFrame(references)


def _wide(values, history, references):
    return to_wide(values, history, CAT, Q, [c for c in CODES if c in set(values["county_code"])], references)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6))
def test_scoring_properties(seed):
    values, history, improved, references = _frames(seed)
    rules = validate_quarter(_wide(values, history, references), CAT, Q).rules
    ranking = score_quarter(values, rules, CAT, Q, references=references).ranking.set_index("county_code")
    for pair in range(4):
        a, b = CODES[2 * pair], CODES[2 * pair + 1]
        assert ranking.loc[b, "total"] >= ranking.loc[a, "total"] - 1e-9, improved[pair] if pair < 3 else pair
    assert ranking["total"].between(0, 100).all()
    assert ranking.loc[CODES[6], "total"] == ranking.loc[CODES[7], "total"]  # equal figures
    assert ranking.loc[CODES[6], "rank"] == ranking.loc[CODES[7], "rank"]  # share a rank
    shuffled = values.sample(frac=1.0, random_state=seed % 1000).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        _wide(shuffled, history.sample(frac=1.0, random_state=1), references), _wide(values, history, references)
    )
    again = score_quarter(
        shuffled, rules.sample(frac=1.0, random_state=2), CAT, Q, references=references
    ).ranking.set_index("county_code")
    pd.testing.assert_frame_equal(again.sort_index(), ranking.sort_index())
