"""The generated Great Expectations suites judge each county's rules and data quality correctly."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from chuangwen.validation import validate_quarter
from expectations.catalog import load_catalog
from expectations.suites import KEY, wide_columns

CAT = load_catalog()
Q = "2022Q4"
A, B, C = "532601", "532622", "532623"


def wide(**columns):
    """Three counties; every due column present (NaN) unless given."""
    frame = pd.DataFrame({KEY: [A, B, C]})
    for col in wide_columns(CAT, Q):
        values = columns.get(col.replace(".", "_").replace("@", "__"), [math.nan] * 3)
        frame[col] = pd.Series(values, dtype="object" if any(isinstance(v, str) for v in values) else "float64")
    return frame


@pytest.fixture(scope="module")
def outcome():
    frame = wide(
        **{
            "10_2_1a": [96.0, 95.0, math.nan],  # >95 strict: 95 is not enough; a blank is not judged
            "8_2_1c": [5.0, 5.1, 0.0],  # ≤5
            "8_1_3b": ["Ⅰ类", "Ⅱ类", "Ⅲ类"],  # Ⅱ类 or better
            "6_1_1a": [110.0, 100.0, 90.0],
            "6_1_1a__prev": [100.0, 100.0, math.nan],  # up: strictly higher than last year
            "8_2_1b": [100.0, 101.0, 99.0],
            "R8_2_1b": [100.0, 100.0, 100.0],  # ≤ the reference
            "1_4_3b": [50.0, 140.0, 49.9],  # a share above 100 % is bad data
        }
    )
    return validate_quarter(frame, CAT, Q)


def met(outcome, ind):
    rows = outcome.rule_results[outcome.rule_results["indicator_id"] == ind].set_index(KEY)["rule_met"]
    return [rows[A], rows[B], rows[C]]


@pytest.mark.parametrize(
    ("ind", "expected"),
    [
        ("10.2.1a", [True, False, None]),
        ("8.2.1c", [True, False, True]),
        ("8.1.3b", [True, True, False]),
        ("6.1.1a", [True, False, None]),
        ("8.2.1b", [True, False, True]),
        ("1.4.3b", [True, True, False]),
    ],
)
def test_rules_are_judged_per_county(outcome, ind, expected):
    assert met(outcome, ind) == expected


def test_out_of_range_figures_fail_data_quality(outcome):
    bad = outcome.dq_failures
    assert ((bad[KEY] == B) & (bad["item_id"] == "1.4.3b") & (bad["check"] == "range")).any()
    assert not ((bad[KEY] == A) & (bad["item_id"] == "1.4.3b")).any()


def test_results_are_kept_as_json(outcome):
    docs = outcome.documents
    assert set(docs) == {"data_quality", "thresholds"}
    assert len(docs["thresholds"]["results"]) == len(CAT.indicators)


def test_a_missing_column_judges_nothing():
    frame = wide().drop(columns=["10.2.1a"])
    with pytest.raises(RuntimeError, match="failed to run"):
        validate_quarter(frame, CAT, Q)
