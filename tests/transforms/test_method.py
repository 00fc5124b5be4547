"""A method that holds from quarter to quarter and is published: fixed weights in every quarter, totals
a county can recompute from the detail tables with the weights the 测评细则 prints, rank ranges that
perturb task weights too, and the office's own weights applied everywhere."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.validation_runner import validate_quarter
from expectations.catalog import load_catalog, with_office_choices
from expectations.settings import load_config, office_catalog
from expectations.template_rows import due_indicators, due_inputs, status_tasks
from transforms.documents.method import build_method
from transforms.reshape import to_wide
from transforms.robustness import rank_ranges
from transforms.scoring import score_quarter

CAT = load_catalog()
SETTINGS = load_config().for_quarter("2022Q4")
CODES = [c.code for c in CAT.counties]
STATUSES = [s.name for s in CAT.completion_statuses]
README = Path(__file__).resolve().parents[2] / "README.md"


def _random_values(quarter: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every county's figures and statuses drawn at random (some blank), and the office's references."""
    rng = random.Random(seed)
    rows, refs = [], []
    for code in CODES:
        for ind in due_indicators(CAT, quarter):
            if rng.random() < 0.1:
                continue  # left blank
            if ind.scale:
                v = rng.choice(CAT.scales[ind.scale])
            elif ind.op in (">=", ">", "<=", "<"):
                lo, hi = sorted([ind.floor, float(ind.threshold)])
                high = CAT.physical_range(ind.unit)[1]
                v = round(rng.uniform(lo, min(hi * 1.1, high) if high else hi * 1.1), 1)
            else:
                v = float(rng.choice([0, 1, 2])) if ind.op == "==" else round(rng.uniform(50, 150), 1)
            rows.append((code, ind.id, "indicator", v))
        for inp in due_inputs(CAT, quarter, "county"):
            rows.append(
                (code, inp.id, "input", rng.choice(CAT.scales[inp.scale]) if inp.scale else float(rng.randint(60, 100)))
            )
        for inp in due_inputs(CAT, quarter, "office"):
            refs.append({"county_code": code, "item_id": inp.id, "value": round(rng.uniform(50, 150), 1)})
        for task in status_tasks(CAT, quarter):
            rows.append((code, task, "task", rng.choice(STATUSES)))
    values = pd.DataFrame(
        [
            {
                "county_code": c,
                "item_id": i,
                "kind": k,
                "value": v if isinstance(v, float) and k != "task" else math.nan,
                "answer": v if isinstance(v, str) and k != "task" else None,
                "status": v if k == "task" else None,
                "raw": v,
                "file": "f.xlsx",
                "sheet": "填报表",
                "cell": "J4",
                "rejected": False,
                "issue": None,
            }
            for c, i, k, v in rows
        ]
    )
    return values.astype({"value": "float64", "answer": "object", "status": "object"}), pd.DataFrame(refs)


def _scores(quarter: str, seed: int, carried: pd.DataFrame | None = None, catalog=CAT):
    values, refs = _random_values(quarter, seed)
    no_history = pd.DataFrame(columns=["county_code", "item_id", "value", "years_back"])
    wide = to_wide(values, no_history, catalog, quarter, CODES, refs)
    rules = validate_quarter(wide, catalog, quarter).rules
    return score_quarter(values, rules, catalog, quarter, carried=carried, references=refs)


@pytest.fixture(scope="module")
def q4():
    return _scores("2022Q4", 7)


@pytest.fixture(scope="module")
def q1(q4):
    return _scores("2023Q1", 8, carried=q4.indicators.assign(quarter="2022Q4"))


def test_a_tasks_weight_and_its_parts_shares_are_the_same_in_every_quarter(q1, q4):
    """道路照明亮灯率 weighed 3 points in Q1–Q3 and 1 in Q4 before; now every part keeps its share."""
    for frame in ("tasks", "indicators"):
        keys = ["county_code", "task_id"] if frame == "tasks" else ["county_code", "indicator_id"]
        cols = ["points", "status_share"] if frame == "tasks" else ["points", "share"]
        first = getattr(q1, frame).set_index(keys)[cols].sort_index()
        fourth = getattr(q4, frame).set_index(keys)[cols].sort_index()
        pd.testing.assert_frame_equal(first, fourth)
    assert len(q1.indicators) == len(q4.indicators) == len(CODES) * len(CAT.indicators)
    lights = q1.indicators.set_index(["county_code", "indicator_id"]).loc[(CODES[0], "6.3.2c")]
    assert lights["points"] == 1.0 and lights["share"] == pytest.approx(1 / 4)  # 6.3.2: rest + 3 indicators


def test_annual_figures_between_reports_count_with_last_years_judgement(q1, q4):
    annual = [i.id for i in CAT.indicators if i.frequency == "annual"]
    now = q1.indicators.set_index(["county_code", "indicator_id"])
    before = q4.indicators.set_index(["county_code", "indicator_id"])
    carried = 0
    for key in [(c, i) for c in CODES for i in annual]:
        assert not now.loc[key, "due_this_quarter"] and "沿用上年" in now.loc[key, "note"]
        assert now.loc[key, "outcome"] == before.loc[key, "outcome"]
        if math.isnan(before.loc[key, "achievement"]):  # nothing judged last year: 无法判定 now too
            assert math.isnan(now.loc[key, "achievement"]) and pd.isna(now.loc[key, "carried_from"])
        else:
            assert now.loc[key, "achievement"] == before.loc[key, "achievement"]
            assert now.loc[key, "carried_from"] == "2022Q4"
            carried += 1
    assert carried > len(annual)


@pytest.mark.parametrize("quarter", ["q1", "q4"])
def test_totals_recompute_from_the_detail_tables_with_the_published_weights(quarter, request):
    """What a county head does with indicator_scores.csv, task_scores.csv and the 测评细则's points."""
    scores = request.getfixturevalue(quarter)
    method = build_method(CAT, SETTINGS, "2022Q4")
    printed = {part.part_id: part.points for area in method.areas for task in area.tasks for part in task.parts}
    task_points = {task.task_id: task.points for area in method.areas for task in area.tasks}
    assert sum(task_points.values()) == method.total_points
    ind = scores.indicators
    tasks = scores.tasks
    for code in CODES:
        mine = ind[(ind["county_code"] == code) & ind["achievement"].notna()]
        got, judged = 0.0, 0.0
        for t in tasks[tasks["county_code"] == code].itertuples(index=False):
            parts = [(printed[t.task_id], t.status_achievement)]
            parts += [(printed[r.indicator_id], r.achievement) for r in mine[mine["task_id"] == t.task_id].itertuples()]
            weight = sum(p for p, _ in parts)
            got += task_points[t.task_id] * sum(p * a for p, a in parts) / weight
            judged += task_points[t.task_id]
        deduction = scores.deductions.loc[scores.deductions["county_code"] == code, "points"].sum()
        total = scores.ranking.set_index("county_code").loc[code, "total"]
        assert total == pytest.approx(max(round(got / judged * 100, 2) - deduction, 0), abs=0.006), code


def test_the_method_lists_every_part_once_with_the_catalogs_points():
    method = build_method(office_catalog(CAT, SETTINGS), SETTINGS, "2022Q4")
    parts = [part for area in method.areas for task in area.tasks for part in task.parts]
    assert [p.part_id for p in parts if p.part_id in CAT.indicator_by_id] == [i.id for i in CAT.indicators]
    assert len(parts) == method.part_count == 124 and sum(p.points for p in parts) == method.total_points
    assert all(abs(sum(p.share for p in t.parts) - 1) < 1e-9 for a in method.areas for t in a.tasks)
    basis = {t.task_id: t.basis for a in method.areas for t in a.tasks}
    assert basis["1.4.3"] == "任务清单" and basis["6.3.2"] == "州文明办确定"


def test_the_offices_weights_move_through_the_catalog_into_the_method():
    changed = with_office_choices(CAT, {"1.4.1": 12.0}, {"1.4.1a": 7.0})
    assert changed.total_points == CAT.total_points + 6
    assert changed.part_points["1.4.1a"] == pytest.approx(12 * 7 / 12) and changed.part_points["1.4.1"] == 12 / 12
    method = build_method(changed, SETTINGS, "2022Q4")
    assert any("1.4.1" in line for line in method.office_changes)
    with pytest.raises(ValueError, match="9.9.9"):
        with_office_choices(CAT, {"9.9.9": 1.0})


def test_rank_ranges_also_perturb_task_weights():
    """Two counties with equal area scores but different strengths within an area: weighting areas alone
    cannot tell them apart, weighting tasks can."""
    tasks = ["1.1.1", "1.1.2"]  # one point each, both in area 一
    rows = []
    for code, rates in ((CODES[0], (1.0, 0.0)), (CODES[1], (0.0, 1.0))):
        for task, rate in zip(tasks, rates, strict=True):
            rows.append(
                {"county_code": code, "task_id": task, "area": 1, "points": 1.0, "achievement": rate, "score": rate}
            )
    frame = pd.DataFrame(rows)
    ranking = pd.DataFrame({"county_code": CODES[:2], "county": ["a", "b"], "rank": pd.array([1, 1], dtype="Int64")})
    out = rank_ranges(frame, ranking, CAT, 400, 0.2, 3)
    assert out["rank_low"].tolist() == [1, 1] and out["rank_high"].tolist() == [2, 2]
    assert (out["share_same_rank"] < 1).all()


def test_the_readme_summary_agrees_with_the_method():
    text = README.read_text(encoding="utf-8")
    start = text.index("## 评分方法")
    summary = text[start : text.index("\n---", start)]
    method = build_method(CAT, SETTINGS, "2022Q4")
    for number in (
        f"{method.total_points:g} 分",
        f"{method.part_count} 个计分部分",
        f"{method.missing_share:.0%}",
        "0.95",
        "0.6",
    ):
        assert number in summary, number
    assert re.search(r"测评细则", summary)
    assert np.isclose(method.spread, 0.2) and "±20%" in summary
