"""normalise: every way counties type a value, read or refused, with the conversion stated.

Table-driven: each row is raw input → (value, conversion note fragment, warning?, error fragment).
Property-based: the number parser never raises and never accepts what is not a number.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from expectations.catalog import load_catalog
from transforms.ingest import RECORD_COLUMNS
from transforms.normalise import Parsed, check_range, normalise_values, parse_choice, parse_number

CAT = load_catalog()


@pytest.mark.parametrize(
    ("raw", "unit", "fmt", "plausible_min", "value", "note"),
    [
        ("92.5", "%", None, 70, 92.5, ""),
        (92.5, "%", None, 70, 92.5, ""),
        ("92.5%", "%", None, 70, 92.5, "去除百分号"),
        (0.925, "%", "0.0%", 70, 92.5, "百分比格式"),  # typed 92.5% into a percent cell: stored 0.925
        (0.925, "%", "0.00%", None, 92.5, "百分比格式"),
        ("９２．５", "%", None, 70, 92.5, "全角"),
        ("９２．５％", "%", None, 70, 92.5, "去除百分号"),
        ("  92.5 ", "%", None, 70, 92.5, "首尾空格"),
        ("\u300092.5\u3000", "%", None, 70, 92.5, "全角"),  # ideographic spaces
        ("1,234", "元", None, None, 1234.0, "千分位"),
        ("1，234", "元", None, None, 1234.0, "千分位"),  # full-width comma
        ("12 345", "元", None, None, 12345.0, "千分位"),
        ("12平方米", "平方米", None, 6, 12.0, "去除单位"),
        (7, "天", None, None, 7.0, ""),
        ("0", "个", None, None, 0.0, ""),
        (".5", "小时", None, 0.5, 0.5, ""),
    ],
)
def test_numbers_are_read_with_their_conversion_stated(raw, unit, fmt, plausible_min, value, note):
    got = parse_number(raw, unit, number_format=fmt, plausible_min=plausible_min)
    assert got.error is None and got.warning is None
    assert got.value == pytest.approx(value) and isinstance(got.value, float)
    assert note in "；".join(got.notes) if note else got.notes == ()


@pytest.mark.parametrize(
    ("raw", "plausible_min", "value", "warning"),
    [
        (0.925, 70, 92.5, "按小数理解为 92.5%"),  # ≥90 % rule: 0.925 % is implausible, read as a fraction
        (0.5, 0, 0.5, "如为小数形式"),  # ≤5 % rule: 0.5 % is plausible, kept, but flagged
        (1, 50, 100.0, "按小数理解为 100%"),
    ],
)
def test_bare_fraction_in_a_percent_field_is_decided_and_flagged(raw, plausible_min, value, warning):
    got = parse_number(raw, "%", plausible_min=plausible_min)
    assert got.error is None and got.value == pytest.approx(value)
    assert warning in got.warning


@pytest.mark.parametrize(
    ("raw", "unit", "error"),
    [
        ("见附件", "%", "不是数值"),
        ("≥90", "%", "不是具体数值"),
        ("90以上", "%", "不是具体数值"),
        ("约90", "%", "不是具体数值"),
        ("#DIV/0!", "%", "Excel 错误值"),
        ("#N/A", "个", "Excel 错误值"),
        ("92.5%", "平方米", "是百分数"),
        ("1.2.3", "", "不是数值"),
        ("abc", "", "不是数值"),
        ("1e400", "", "不是数值"),
        ("nan", "", "不是数值"),
        ("inf", "", "不是数值"),
        (True, "", "逻辑值"),
        (float("inf"), "", "有限数值"),
    ],
)
def test_what_is_not_a_value_is_an_error_not_a_guess(raw, unit, error):
    got = parse_number(raw, unit)
    assert got.value is None and error in got.error


@pytest.mark.parametrize(("raw", "unit"), [("", "%"), ("   ", "%")])
def test_blank_is_neither_value_nor_error(raw, unit):
    assert parse_number(raw, unit) == Parsed()


def test_a_cell_holding_nan_holds_no_number():
    got = parse_number(float("nan"), "个")
    assert got.value is None and "NaN" in got.error


@pytest.mark.parametrize(
    ("value", "unit", "why"),
    [
        (-1.0, "个", "不能为负数"),
        (100.5, "%", "不能超过 100%"),
        (25.0, "小时", "不能超过 24小时"),
        (367.0, "天", "不能超过"),
    ],
)
def test_physical_ranges_reject_impossible_figures(value, unit, why):
    assert why in check_range(value, unit, CAT)


@pytest.mark.parametrize(("value", "unit"), [(0.0, "个"), (100.0, "%"), (1e6, "元")])
def test_physical_ranges_accept_possible_figures(value, unit):
    assert check_range(value, unit, CAT) is None


@pytest.mark.parametrize(
    ("raw", "scale", "value", "note"),
    [
        ("Ⅱ类", "water_class", "Ⅱ类", ""),
        ("II类", "water_class", "Ⅱ类", "按“Ⅱ类”读取"),
        ("ii类", "water_class", "Ⅱ类", "按“Ⅱ类”读取"),
        ("2类", "water_class", "Ⅱ类", "按“Ⅱ类”读取"),
        ("二类", "water_class", "Ⅱ类", "按“Ⅱ类”读取"),
        ("Ⅱ", "water_class", "Ⅱ类", ""),
        ("ＩＩ类", "water_class", "Ⅱ类", "全角"),
        ("IV类", "water_class", "Ⅳ类", ""),
        ("劣V类", "water_class", "劣Ⅴ类", ""),
        ("劣五类", "water_class", "劣Ⅴ类", ""),
        ("三级", "venue_grade", "三级", ""),
        ("3级", "venue_grade", "三级", "按“三级”读取"),
        ("三", "venue_grade", "三级", ""),
        ("未定级", "venue_grade", "未定级", ""),
        ("优秀", "source_rating", "优秀", ""),
        ("是", "yes_no", "是", ""),
        (" 否 ", "yes_no", "否", "首尾空格"),
        ("有", "yes_no", "是", "按“是”读取"),
        ("无", "yes_no", "否", "按“否”读取"),
        ("Y", "yes_no", "是", ""),
        ("√", "yes_no", "是", ""),
    ],
)
def test_answers_are_read_onto_their_scale(raw, scale, value, note):
    got = parse_choice(raw, CAT.scales[scale])
    assert got.error is None and got.value == value
    if note:
        assert note in "；".join(got.notes)


@pytest.mark.parametrize(
    ("raw", "scale"),
    [
        ("VI类", "water_class"),
        ("四级", "venue_grade"),
        ("三级以上", "venue_grade"),
        ("对", "yes_no"),
        ("#VALUE!", "yes_no"),
        ("良", "source_rating"),
    ],
)
def test_answers_off_the_scale_are_errors(raw, scale):
    got = parse_choice(raw, CAT.scales[scale])
    assert got.value is None and ("不是可选答案" in got.error or "错误值" in got.error)
    assert "、".join(CAT.scales[scale]) in got.error


def test_you_or_wu_is_refused_where_the_question_itself_says_wu():
    got = parse_choice("无", CAT.scales["yes_no"], negated_question=True)  # 城市无烟草广告：无 ?
    assert got.value is None and "请填写“是”或“否”" in got.error


@given(st.text())
def test_number_parser_never_raises_and_accepts_only_numbers(text):
    got = parse_number(text, "%", plausible_min=70)
    assert (got.value is None) or (got.error is None)
    if got.value is not None:
        assert math.isfinite(got.value)
        core = unicodedata.normalize("NFKC", text).strip().removesuffix("%").strip()
        core = re.sub(r"(?<=\d)[, ](?=\d{3})", "", core)
        assert re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", core), text
        typed = float(core)
        fraction = not unicodedata.normalize("NFKC", text).strip().endswith("%") and 0 < typed <= 1
        # a bare fraction in a percentage figure is read as a fraction (×100) here, always with a warning
        assert got.value == (round(typed * 100, 10) if fraction else typed), text
        assert got.warning or not fraction


@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.integers(min_value=10**300),
        st.booleans(),
        st.none(),
    )
)
def test_number_parser_never_raises_on_cell_values(value):
    got = parse_number(value, "%", number_format="0.0%", plausible_min=70)
    assert got.value is None or math.isfinite(got.value)


@given(st.text())
def test_choice_parser_never_raises_and_answers_only_from_the_scale(text):
    for scale in CAT.scales.values():
        got = parse_choice(text, scale)
        assert got.value is None or got.value in scale


def _records(*rows):
    """Records as ingest makes them: (item_id, kind, raw, cell[, number_format, cell_note]) for 砚山县."""
    data = []
    for item, kind, _raw, cell, *more in rows:
        fmt, note = (more + [None, None])[:2]
        data.append(
            {
                "quarter": "2022Q4",
                "county_code": "532622",
                "county": "砚山县",
                "item_id": item,
                "kind": kind,
                "number_format": fmt,
                "cell_note": note,
                "file": "砚山县.xlsx",
                "sheet": "填报表",
                "cell": cell,
            }
        )
    frame = pd.DataFrame(data, columns=[c for c in RECORD_COLUMNS if c != "raw"])
    return frame.assign(raw=pd.Series([r[2] for r in rows], dtype="object"))[RECORD_COLUMNS]


def test_normalise_values_types_each_kind_of_row_and_states_conversions():
    records = _records(
        ("6.3.2c", "indicator", "96.5%", "I4"),
        ("8.1.3b", "indicator", "2类", "I5"),
        ("1.1.1", "task", "已完成", "J6"),
        ("7.1.1a", "indicator", 0.985, "I7", "0.0%"),
        ("7.1.2a", "indicator", 99.0, "I8", None, "formula"),
    )
    out, problems = normalise_values(records, CAT)
    assert problems == []
    assert out["value"].tolist()[0] == 96.5 and out["value"].tolist()[3:] == [98.5, 99.0]
    assert out["answer"].tolist() == [None, "Ⅱ类", None, None, None]
    assert out["status"].tolist() == [None, None, "已完成", None, None]
    assert "去除百分号" in out.loc[0, "conversion"] and "Ⅱ类" in out.loc[1, "conversion"]
    assert "百分比格式" in out.loc[3, "conversion"] and "公式" in out.loc[4, "conversion"]
    assert not out["rejected"].any()


def test_normalise_values_reports_each_bad_cell_and_keeps_the_input():
    records = _records(
        ("6.3.2c", "indicator", "约九成", "I4"),
        ("8.1.3b", "indicator", None, "I5"),
        ("1.1.1", "task", "差不多", "J6"),
        ("1.4.1b", "indicator", -2.0, "I7"),
        ("7.1.1a", "indicator", 120.0, "I8"),
        ("7.1.2a", "indicator", None, "I9", None, "formula_uncached"),
    )
    before = records.copy(deep=True)
    out, problems = normalise_values(records, CAT)
    by_cell = {p.cell: p for p in problems}
    assert {c: p.severity for c, p in by_cell.items()} == {
        "I4": "error",
        "I5": "warning",
        "J6": "error",
        "I7": "error",
        "I8": "error",
        "I9": "error",
    }
    assert by_cell["I4"].item_id == "6.3.2c" and by_cell["I4"].item_name == "道路照明亮灯率"
    assert by_cell["I4"].raw == "约九成" and "应填写数值（单位：%）" in by_cell["I4"].message
    assert "未填报" in by_cell["I5"].message
    assert "已完成" in by_cell["J6"].message
    assert "不能为负数" in by_cell["I7"].message and "不能超过 100%" in by_cell["I8"].message
    assert "公式" in by_cell["I9"].message
    assert out["rejected"].tolist() == [True, False, True, True, True, True]
    assert out["value"].isna().all() and out.loc[0, "raw"] == "约九成"
    pd.testing.assert_frame_equal(records, before)


def test_no_silent_conversions_of_the_smaller_kinds():
    """What issue 15 found: each conversion is stated, each non-value an error, nothing said in vain."""
    from core.problems import FORMAT_UNKNOWN
    from transforms.normalise import QUOTE_CHARS

    arabic = parse_number("٩٢.٥", "%")  # Arabic-Indic digits
    assert arabic.value == 92.5 and any("阿拉伯-印度数字" in n for n in arabic.notes)
    assert parse_choice("Ⅱ类", ("Ⅰ类", "Ⅱ类", "Ⅲ类")) == Parsed(value="Ⅱ类")  # from the drop-down: no note
    assert parse_choice("叁级", ("一级", "二级", "三级", "未定级")).value == "三级"  # 大写数字
    huge = parse_number("见附件" * 11000, "%")
    assert huge.error and len(huge.error) < QUOTE_CHARS + 80 and "共33000字" in huge.error
    unknown = parse_number(0.925, "%", number_format=FORMAT_UNKNOWN)
    assert unknown.value is None and "无法确定" in unknown.error
    typed_text = parse_number("0.925", "%")  # a fraction typed as text where the format is known
    assert typed_text.warning and typed_text.value == 0.925


def test_a_percent_cell_out_of_range_is_described_as_the_county_sees_it():
    import pandas as pd

    from expectations.catalog import load_catalog
    from transforms.normalise import normalise_values

    records = pd.DataFrame(
        [
            {
                "quarter": "2022Q4",
                "county_code": "532622",
                "county": "砚山县",
                "item_id": "6.3.2c",
                "kind": "indicator",
                "raw": 92.5,
                "number_format": "0.0%",
                "cell_note": None,
                "note": None,
                "file": "砚山县.xlsx",
                "sheet": "填报表",
                "cell": "J84",
            }
        ]
    )
    _, problems = normalise_values(records, load_catalog())
    assert "显示为“9250%”" in problems[0].message and "92.5%" in problems[0].message
