"""The check suite (a county's return laid out long: eight expectations) and the quality suite the
quarter's run uses (three or four expectations per figure) give the same verdicts, fault for fault, on
the sample returns with every kind of fault the quality checks know put into them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adapters.returns import check_file
from adapters.validation_runner import check_quality, validate_quarter
from expectations.catalog import load_catalog
from expectations.suites import KEY, check_expectations, quality_expectations
from expectations.template_rows import due_figures
from transforms.reshape import check_rows, to_wide
from transforms.scoring import history_frame

CAT = load_catalog()
RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


def sample_wide(quarter: str) -> pd.DataFrame:
    results = [check_file(RAW / quarter / f"{c.name}.xlsx", CAT, c.name, quarter) for c in CAT.counties]
    values = pd.concat([r.values for r in results if r.accepted], ignore_index=True)
    codes = [CAT.county_by_name[r.county].code for r in results if r.accepted]
    return to_wide(values, history_frame({}), CAT, quarter, codes)


def faulty(quarter: str) -> pd.DataFrame:
    """The sample quarter with a fault of every kind in some county, and a clean county left as it is."""
    wide = sample_wide(quarter)
    figures = due_figures(CAT, quarter)
    scaled = [f.id for f in figures if f.scale]
    bounded = [f.id for f in figures if not f.scale and CAT.physical_range(f.unit)[1] is not None]
    unbounded = [f.id for f in figures if not f.scale and CAT.physical_range(f.unit)[1] is None]
    wide.loc[0, scaled[0]] = "也许"  # not on its scale
    wide.loc[1, scaled[-1]] = 1.0  # a number in a 是/否 cell
    wide.loc[1, scaled[1]] = "是 "  # a stray space is not the answer
    wide.loc[2, bounded[0]] = 100.5  # above its unit's bound
    wide.loc[2, bounded[1]] = -0.1  # below zero
    wide.loc[3, unbounded[0]] = -3.0  # a count below zero
    wide.loc[3, bounded[2]] = np.nan  # missing: no quality fault (scored as 未填报)
    wide.loc[4, bounded[3]] = 0.0  # on the bounds: no fault
    wide.loc[4, bounded[4]] = 100.0
    stranger = wide.iloc[[5]].assign(**{KEY: "999999"})  # not one of ours
    twice = wide.iloc[[6]]  # the same county twice
    return pd.concat([wide, stranger, twice], ignore_index=True)


@pytest.mark.parametrize("quarter", ["2022Q4", "2022Q3"])
def test_the_check_suite_gives_the_quarter_suites_verdicts(quarter):
    frame = faulty(quarter)
    run = validate_quarter(frame, CAT, quarter).dq_failures
    check = check_quality(frame, CAT, quarter)
    pd.testing.assert_frame_equal(check, run)
    assert set(check["check"]) == {"scale", "range", "county", "unique"}  # every fault planted was found
    assert len(check) == 3 + 3 + 1 + 1  # three scale faults, three range faults, one stranger, one twice


def test_a_clean_sample_return_has_no_quality_fault():
    assert check_quality(sample_wide("2022Q4").iloc[[0]], CAT, "2022Q4").empty


def test_check_rows_carry_each_figures_bounds_and_scale():
    rows = check_rows(sample_wide("2022Q4"), CAT, "2022Q4").set_index([KEY, "item_id"])
    first = CAT.counties[0].code
    for f in due_figures(CAT, "2022Q4"):
        row = rows.loc[(first, f.id)]
        if f.scale:
            assert row["scale"] == f.scale and np.isnan(row["number"]) and np.isnan(row["low"])
        else:
            low, high = CAT.physical_range(f.unit)
            assert row["low"] == low and (np.isnan(row["high"]) if high is None else row["high"] == high)
            assert pd.isna(row["answer"]) and pd.isna(row["scale"])


def test_the_check_suite_is_a_few_expectations_whatever_the_catalog():
    assert len(check_expectations(CAT, "2022Q4")) < 10 < len(quality_expectations(CAT, "2022Q4"))
