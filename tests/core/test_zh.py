"""Chinese numerals as headings and dates write them, up to the country's number of county-level units."""

from __future__ import annotations

import pytest

from core.zh import cn_numeral


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (129, "一百二十九"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (2844, "二千八百四十四"),
        (9999, "九千九百九十九"),
    ],
)
def test_numerals(n, text):
    assert cn_numeral(n) == text


@pytest.mark.parametrize("n", [0, -1, 10000])
def test_out_of_range(n):
    with pytest.raises(ValueError):
        cn_numeral(n)
