"""normalise: raw cell values to numbers, scale answers and task statuses."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from expectations.catalog import load_catalog
from transforms.ingest import RECORD_COLUMNS
from transforms.normalise import normalise_values, parse_choice, parse_number


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("92.5", "", 92.5),
        (92.5, "", 92.5),
        (7, "天", 7.0),
        ("９２．５", "", 92.5),
        ("92.5%", "%", 92.5),
        ("９２．５％", "%", 92.5),
        ("12平方米", "平方米", 12.0),
        ("1,234", "", 1234.0),
        (" 1 234 ", "", 1234.0),
        ("-3", "", -3.0),
        ("abc", "", None),
        ("92.5%", "", None),  # a percent sign on a figure that is not a percentage is not a number
        ("", "", None),
        ("1.2.3", "", None),
        (True, "", None),
        (False, "", None),
    ],
)
def test_parse_number(raw, unit, expected):
    got = parse_number(raw, unit)
    assert got == expected and (expected is None or isinstance(got, float))


@pytest.mark.parametrize(
    ("raw", "scale", "expected"),
    [
        ("Ⅱ类", "water_class", "Ⅱ类"),
        ("II类", "water_class", "Ⅱ类"),
        ("2类", "water_class", "Ⅱ类"),
        ("ii类", "water_class", "Ⅱ类"),
        ("Ⅱ", "water_class", "Ⅱ类"),
        ("ＩＩ类", "water_class", "Ⅱ类"),
        ("IV类", "water_class", "Ⅳ类"),
        ("劣V类", "water_class", "劣Ⅴ类"),
        ("VI类", "water_class", None),
        ("二类", "water_class", None),
        ("三", "venue_grade", "三级"),
        ("三级", "venue_grade", "三级"),
        ("未定级", "venue_grade", "未定级"),
        ("四级", "venue_grade", None),
        ("是", "yes_no", "是"),
        (" 否 ", "yes_no", "否"),
        ("对", "yes_no", None),
    ],
)
def test_parse_choice(catalog, raw, scale, expected):
    assert parse_choice(raw, catalog.scales[scale]) == expected


def _records(*rows):
    """Records as ingest makes them: (item_id, kind, raw, cell) for 砚山县 2022Q4."""
    data = [
        {
            "quarter": "2022Q4",
            "county_code": "532622",
            "county": "砚山县",
            "item_id": item,
            "kind": kind,
            "raw": raw,
            "file": "砚山县.xlsx",
            "sheet": "填报表",
            "cell": cell,
        }
        for item, kind, raw, cell in rows
    ]
    frame = pd.DataFrame(data, columns=RECORD_COLUMNS)
    # an explicit object column, so that a blank stays None (pandas would infer str and turn it into NaN)
    return frame.assign(raw=pd.Series([r[2] for r in rows], index=frame.index, dtype="object"))


def test_normalise_values_types_each_kind_of_row(catalog):
    records = _records(
        ("6.3.2c", "indicator", "96.5%", "I4"),
        ("8.1.3b", "indicator", "2类", "I5"),
        ("1.1.1", "task", "已完成", "J6"),
    )
    out, problems = normalise_values(records, catalog)
    assert problems == []
    assert out["value"].dtype == "float64"
    assert out.loc[0, "value"] == 96.5 and out.loc[1:, "value"].isna().all()
    assert out["answer"].tolist() == [None, "Ⅱ类", None]
    assert out["status"].tolist() == [None, None, "已完成"]
    assert out["raw"].tolist() == ["96.5%", "2类", "已完成"]


def test_normalise_values_reports_unreadable_value_at_its_cell(catalog):
    records = _records(
        ("6.3.2c", "indicator", "约九成", "I4"),
        ("8.1.3b", "indicator", None, "I5"),  # blank: nothing to read, nothing to report
        ("1.1.1", "task", "差不多", "J6"),
    )
    before = records.copy(deep=True)
    out, problems = normalise_values(records, catalog)
    assert [(p.file, p.sheet, p.cell) for p in problems] == [
        ("砚山县.xlsx", "填报表", "I4"),
        ("砚山县.xlsx", "填报表", "J6"),
    ]
    assert "约九成" in problems[0].message and "%" in problems[0].message
    assert "已完成" in problems[1].message
    assert math.isnan(out.loc[0, "value"]) and out.loc[0, "raw"] == "约九成"
    assert out["status"].tolist() == [None, None, None]
    # the input frame is left as it was
    pd.testing.assert_frame_equal(records, before)
    assert list(records.columns) == RECORD_COLUMNS
