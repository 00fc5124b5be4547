"""Chinese number and date wording used by templates, rule texts and the bulletin."""

from __future__ import annotations

import datetime as dt

_DIGITS = "〇一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """Write 1..9999 the way headings count: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五,
    110 → 一百一十, 2844 → 二千八百四十四 (a province or the country has hundreds or thousands of units)."""
    if not 0 < n < 10000:
        raise ValueError(f"cn_numeral supports 1..9999, got {n}")
    if 10 <= n < 20:  # 十, 十二: the leading 一 is not written
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero and out:
                out.append("零")
            out.append(_DIGITS[digit] + unit)
            zero = False
        elif out:
            zero = True
    return "".join(out)


def document_date(day: dt.date) -> str:
    """成文日期 and 印发日期 as GB/T 9704-2012 (7.3.5.1, 7.4.3) writes them: Arabic numerals, the year in
    full, no leading zeros: 2023-01-10 → 2023年1月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def figure_text(value: object, unit: str = "", missing: str = "未填报") -> str:
    """A reported figure as the documents show it: 92.5%, Ⅱ类, 是; `missing` where there is none."""
    if value is None or (isinstance(value, float) and value != value):
        return missing
    return f"{value:g}{unit}" if isinstance(value, float) else str(value)


def quarter_label(quarter: str) -> str:
    """2022Q4 → 2022年第四季度."""
    year, q = quarter.split("Q")
    return f"{year}年第{cn_numeral(int(q))}季度"
