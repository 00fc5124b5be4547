"""Progress classes (the Open SDG method): direction × observed growth against the required growth,
from a base year towards a target year, with the cut-offs 0.95 / 0.6 / 0."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations.catalog import load_catalog
from transforms.sdg_progress import ACCELERATE, ACHIEVED, DETERIORATING, LIMITED, ON_TRACK, classify, progress_classes

CAT = load_catalog()


@pytest.mark.parametrize(
    ("base", "value", "target", "met", "direction", "label"),
    [
        (30.0, 36.0, 36.0, True, 1, ACHIEVED),
        (30.0, 35.8, 36.0, False, 1, ON_TRACK),  # 97 % of the needed growth
        (30.0, 34.0, 36.0, False, 1, ACCELERATE),  # about 67 % of the needed growth
        (30.0, 33.5, 36.0, False, 1, LIMITED),  # about 58 %: limited with Open SDG's 0.6 (需加快 under 0.5)
        (30.0, 31.0, 36.0, False, 1, LIMITED),
        (30.0, 29.0, 36.0, False, 1, DETERIORATING),
        (10.0, 5.2, 5.0, False, -1, ON_TRACK),  # a ≤ rule: falling towards the bound is progress
        (10.0, 8.0, 5.0, False, -1, LIMITED),
        (10.0, 11.0, 5.0, False, -1, DETERIORATING),
        (38.0, 35.0, 36.0, False, 1, DETERIORATING),  # met the target, then fell below it
        (4.0, 6.0, 5.0, False, -1, DETERIORATING),  # within the upper bound, then above it
        (0.0, 3.0, 5.0, False, 1, None),  # no growth rate from zero
    ],
)
def test_classes(base, value, target, met, direction, label):
    assert classify(base, value, target, 1, 1, met, direction)[3] == label


def test_growth_is_measured_from_the_base_year_towards_the_target_year():
    # 30 in 2021, 33 in 2023, target 36 by 2025: observed 4.9 %/yr against 4.7 %/yr needed: on track
    observed, required, ratio, label = classify(30.0, 33.0, 36.0, 2, 4, False, 1)
    assert observed == pytest.approx((33 / 30) ** 0.5 - 1) and required == pytest.approx((36 / 30) ** 0.25 - 1)
    assert ratio == pytest.approx(observed / required) and label == ON_TRACK
    assert classify(30.0, 33.0, 36.0, 2, 2, False, 1)[3] == LIMITED  # the same figures due by 2023


def scores(*rows):
    return pd.DataFrame(
        [
            {
                "county_code": "532622",
                "indicator_id": i,
                "value": v,
                "reference": r,
                "outcome": o,
                "due_this_quarter": True,
            }
            for i, v, r, o in rows
        ]
    )


def base(*rows):
    return pd.DataFrame([{"county_code": "532622", "item_id": i, "value": v} for i, v in rows])


def test_a_regression_against_a_met_target_is_a_step_back_not_on_track():
    """建成区绿地率 38 → 35 against ≥ 36 and 违法占地比例 4 → 6 against ≤ 5 were classed 进度正常."""
    out = progress_classes(
        scores(("6.3.2a", 35.0, None, "未达标"), ("8.2.1c", 6.0, None, "未达标")),
        base(("6.3.2a", 38.0), ("8.2.1c", 4.0)),
        CAT,
        "2022Q4",
        2021,
        2022,
    )
    assert out.set_index("indicator_id")["progress"].to_dict() == {"6.3.2a": DETERIORATING, "8.2.1c": DETERIORATING}
    assert (out["ratio"] < 0).all()


def test_progress_for_annual_figures_with_a_base_year_value():
    out = progress_classes(
        scores(("6.3.2a", 34.0, None, "未达标"), ("6.3.2c", 90.0, None, "未达标"), ("8.2.1a", 99.0, 100.0, "未达标")),
        base(("6.3.2a", 30.0), ("8.2.1a", 98.0)),
        CAT,
        "2022Q4",
        2021,
        2022,
    ).set_index("indicator_id")
    assert set(out.index) == {"6.3.2a", "8.2.1a"}  # 6.3.2c is quarterly
    assert out.loc["6.3.2a", "progress"] == ACCELERATE
    assert out.loc["8.2.1a", "target"] == 100.0 and out.loc["8.2.1a", "progress"] == LIMITED
    assert out.loc["6.3.2a", ["base_year", "target_year"]].tolist() == [2021, 2022]


def test_nothing_is_classed_in_the_base_year_itself():
    out = progress_classes(scores(("6.3.2a", 33.5, None, "未达标")), base(("6.3.2a", 30.0)), CAT, "2021Q4", 2021, 2022)
    assert out.empty
