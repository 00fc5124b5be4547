"""Jinja filters: the one place where numbers and dates get their Chinese written form."""

from __future__ import annotations

from core.zh import cn_numeral, document_date


def score(value: float | None) -> str:
    """Points with two decimals; a dash where there is no score."""
    return "—" if value is None else f"{value:.2f}"


def points(value: float | None) -> str:
    """Points as few digits as they need: 124, 1.5, 0.33; a dash where there are none."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def change(value: int | None) -> str:
    """Rank change against last quarter: ↑2, ↓1, 持平, or a dash where there is none."""
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    return f"↑{value}" if value > 0 else f"↓{-value}"


def delta(value: float | None) -> str:
    """A change of points against last quarter in words: 上升1.25分, 下降0.40分, 持平."""
    if value is None:
        return "—"
    if round(value, 2) == 0:
        return "持平"
    return f"上升{value:.2f}分" if value > 0 else f"下降{-value:.2f}分"


def percent(value: float | None) -> str:
    """A rate in [0, 1] as a percentage: 0.875 → 87.5%; a dash where there is none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def share(value: float | None) -> str:
    """A share with as many decimals as it needs, at most one: 1 → 100%, 1/3 → 33.3%."""
    return "—" if value is None else f"{value * 100:.1f}".removesuffix(".0") + "%"


def percent0(value: float | None) -> str:
    """A rate as a whole percentage: 0.2 → 20%."""
    return "—" if value is None else f"{value * 100:.0f}%"


def rank(value: int | None) -> str:
    return "—" if value is None else str(value)


def em_width(text: str) -> float:
    """A line's width in em: CJK characters one, digits and Latin letters half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def signature_indent(issuer: str, date: str) -> float:
    """The right margin (em) of the issuer-over-date block: the date four characters in from the right
    with the issuer centred over it (GB/T 9704-2012 7.3.5.2); 0 when the issuer is too long for that."""
    name, day = em_width(issuer), em_width(date)
    return max(0.0, 4 + day / 2 - max(name, day) / 2)


FILTERS = {
    "signature_indent": signature_indent,
    "percent": percent,
    "percent0": percent0,
    "share": share,
    "score": score,
    "points": points,
    "change": change,
    "delta": delta,
    "rank": rank,
    "doc_date": document_date,  # 成文日期, 印发日期 (GB/T 9704-2012)
    "cn_num": cn_numeral,
}
