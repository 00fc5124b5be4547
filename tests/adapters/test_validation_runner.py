"""The generated suites judge every kind of rule per county, and name the right county."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from adapters.validation_runner import validate_quarter
from expectations.catalog import load_catalog
from expectations.suites import KEY, wide_columns

CAT = load_catalog()
Q = "2022Q4"
A, B, C = "532601", "532622", "532623"
NA = math.nan


def wide(columns: dict[str, list]) -> pd.DataFrame:
    """Three counties; every due column present (NaN) unless given."""
    frame = pd.DataFrame({KEY: [A, B, C]})
    for col in wide_columns(CAT, Q):
        values = columns.get(col, [NA] * 3)
        frame[col] = pd.Series(values, dtype="object" if any(isinstance(v, str) for v in values) else "float64")
    return frame


FIGURES = {
    "7.1.1a": [98.0, 97.9, NA],  # ≥98
    "10.2.1a": [96.0, 95.0, NA],  # >95: 95 is not enough
    "8.2.1c": [5.0, 5.1, 0.0],  # ≤5
    "8.1.3b": ["Ⅰ类", "Ⅱ类", "Ⅲ类"],  # Ⅱ类 or better
    "7.1.2b": ["是", "否", NA],  # yes/no
    "8.2.1a": [100.0, 99.0, 100.0],
    "R8.2.1a": [100.0, 100.0, NA],  # ≥ its planning target
    "6.1.2b": [27000.0, 25000.0, 26000.0],
    "R6.1.2p": [26000.0] * 3,
    "R6.1.2n": [35000.0] * 3,  # > average
    "6.3.2a": [30.0, 30.0, 40.0],
    "6.3.2a@prev": [28.0, 31.0, NA],  # ≥36 or better than last year
    # 0, or fewer in each of three years: four yearly figures (B has only three: two decreases)
    "8.1.3d": [1.0, 1.0, 0.0],
    "8.1.3d@prev": [2.0, 2.0, 1.0],
    "8.1.3d@prev2": [3.0, 3.0, NA],
    "8.1.3d@prev3": [4.0, NA, NA],
    "7.1.1b": [0.0, 2.0, 0.0],
    "7.1.1b@prev": [0.0, 1.0, NA],  # down on last year; zero cannot fall further
    "6.1.1a": [110.0, 100.0, 90.0],
    "6.1.1a@prev": [100.0, 100.0, NA],  # up on last year
    "1.4.3b": [50.0, 140.0, 49.9],  # a share above 100 % is invalid
    "8.1.1a": [80.0, 80.0, 90.0],
    "X8.1.1a": [90.0, 80.0, NA],
    "R8.1.1a": [85.0] * 3,
}


@pytest.fixture(scope="module")
def outcome():
    return validate_quarter(wide(FIGURES), CAT, Q)


def statuses(outcome, ind, rule="main"):
    table = outcome.rules
    rows = table[(table["indicator_id"] == ind) & (table["rule"] == rule)].set_index(KEY)
    return [(rows.loc[c, "status"], rows.loc[c, "missing"]) for c in (A, B, C)]


def st(*names):
    return [
        (n, kind) if n == "missing" else (n, None)
        for n, kind in ((n.split(":")[0], n.split(":")[1] if ":" in n else None) for n in names)
    ]


@pytest.mark.parametrize(
    ("ind", "rule", "expected"),
    [
        ("7.1.1a", "main", st("met", "not_met", "missing:value")),
        ("10.2.1a", "main", st("met", "not_met", "missing:value")),
        ("8.2.1c", "main", st("met", "not_met", "met")),
        ("8.1.3b", "main", st("met", "met", "not_met")),
        ("7.1.2b", "main", st("met", "not_met", "missing:value")),
        ("8.2.1a", "main", st("met", "not_met", "missing:reference")),
        ("6.1.2b", "main", st("met", "not_met", "not_met")),  # equal to the average is not above it
        ("6.1.2b", "national_average", st("not_met", "not_met", "not_met")),
        ("6.3.2a", "main", st("not_met", "not_met", "met")),
        ("6.3.2a", "yoy", st("met", "not_met", "missing:history")),
        ("8.1.3d", "main", st("not_met", "not_met", "met")),
        ("8.1.3d", "3y", st("met", "missing:history", "missing:history")),
        ("7.1.1b", "main", st("met", "not_met", "met")),
        ("6.1.1a", "main", st("met", "not_met", "missing:history")),
        ("1.4.3b", "main", st("met", "invalid", "not_met")),
        ("8.1.1a", "aqi_target", st("met", "not_met", "missing:value")),  # the county's own AQI days
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_rule_kind_passes_and_fails_the_right_county(outcome, ind, rule, expected):
    assert statuses(outcome, ind, rule) == expected


def test_rule_table_carries_observed_and_expected_values(outcome):
    t = outcome.rules.set_index([KEY, "indicator_id", "rule"])
    assert t.loc[(B, "10.2.1a", "main"), "observed"] == 95.0
    assert t.loc[(B, "10.2.1a", "main"), "expected"] == "＞95"
    assert t.loc[(B, "6.3.2a", "yoy"), "expected"] == "＞31或≥100"
    assert t.loc[(A, "8.1.3d", "3y"), "expected"] == "＜2或≤0；＜3或≤0；＜4或≤0"
    assert t.loc[(C, "8.1.3b", "main"), "expected"] == "Ⅰ类、Ⅱ类"


def test_out_of_range_figures_fail_data_quality(outcome):
    bad = outcome.dq_failures
    assert ((bad[KEY] == B) & (bad["item_id"] == "1.4.3b") & (bad["check"] == "range")).any()
    assert not ((bad[KEY] == A) & (bad["item_id"] == "1.4.3b")).any()


def test_results_and_suites_are_kept_as_json(outcome):
    assert set(outcome.documents) == set(outcome.suites) == {"quality", "compliance"}
    assert len(outcome.documents["compliance"]["results"]) == len(outcome.suites["compliance"]["expectations"])


def test_a_missing_column_stops_the_validation():
    frame = wide({}).drop(columns=["10.2.1a"])
    with pytest.raises(RuntimeError, match="failed to run"):
        validate_quarter(frame, CAT, Q)


def test_data_docs_build_into_a_relative_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    validate_quarter(wide(FIGURES), CAT, Q, docs_dir=Path("out") / "validation" / "data_docs")
    assert (tmp_path / "out" / "validation" / "data_docs" / "index.html").exists()
