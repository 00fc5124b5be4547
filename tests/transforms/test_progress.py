"""Progress classes (Open SDG method): observed against required compound growth."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations.catalog import load_catalog
from transforms.progress import ACCELERATE, ACHIEVED, DETERIORATING, LIMITED, ON_TRACK, classify, progress_classes

CAT = load_catalog()


@pytest.mark.parametrize(
    ("base", "value", "target", "met", "label"),
    [
        (30.0, 36.0, 36.0, True, ACHIEVED),
        (30.0, 35.8, 36.0, False, ON_TRACK),  # 97 % of the needed growth
        (30.0, 33.5, 36.0, False, ACCELERATE),  # about 58 %
        (30.0, 31.0, 36.0, False, LIMITED),
        (30.0, 29.0, 36.0, False, DETERIORATING),
        (10.0, 5.2, 5.0, False, ON_TRACK),  # a ≤ rule: falling towards the bound is progress
        (10.0, 8.0, 5.0, False, LIMITED),
        (10.0, 11.0, 5.0, False, DETERIORATING),
        (0.0, 3.0, 5.0, False, None),  # no growth rate from zero
    ],
)
def test_classes(base, value, target, met, label):
    assert classify(base, value, target, 1, 1, met)[3] == label


def test_progress_for_annual_figures_with_last_years_value():
    scores = pd.DataFrame([
        {"county_code": "532622", "indicator_id": "6.3.2a", "value": 33.5, "reference": None, "outcome": "未达标"},
        {"county_code": "532622", "indicator_id": "6.3.2c", "value": 90.0, "reference": None, "outcome": "未达标"},
        {"county_code": "532622", "indicator_id": "8.2.1a", "value": 99.0, "reference": 100.0, "outcome": "未达标"},
    ])
    history = pd.DataFrame([
        {"county_code": "532622", "item_id": "6.3.2a", "years_back": 1, "value": 30.0},
        {"county_code": "532622", "item_id": "8.2.1a", "years_back": 1, "value": 98.0},
    ])
    out = progress_classes(scores, history, CAT, "2022Q4").set_index("indicator_id")
    assert set(out.index) == {"6.3.2a", "8.2.1a"}  # 6.3.2c is quarterly
    assert out.loc["6.3.2a", "progress"] == ACCELERATE
    assert out.loc["8.2.1a", "target"] == 100.0 and out.loc["8.2.1a", "progress"] == LIMITED
