"""Quarter ids such as 2022Q4: parsing, neighbours, and finding them among the raw folders."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(text: str) -> tuple[int, int]:
    """'2022Q4' → (2022, 4); anything else raises ValueError with a Chinese message for the user."""
    m = _QUARTER.match(text.strip())
    if not m:
        raise ValueError(f"季度格式应为“年份Q季度”，如 2022Q4，收到：{text!r}")
    return int(m.group(1)), int(m.group(2))


def shift_quarter(quarter: str, by: int) -> str:
    """The quarter `by` quarters later (negative: earlier)."""
    year, q = parse_quarter(quarter)
    index = year * 4 + (q - 1) + by
    return f"{index // 4}Q{index % 4 + 1}"


def is_quarter(text: str) -> bool:
    return bool(_QUARTER.match(text))


def quarters_in(raw_dir: Path) -> list[str]:
    """Quarter folders under raw_dir, oldest first."""
    if not raw_dir.is_dir():
        return []
    return sorted(p.name for p in raw_dir.iterdir() if p.is_dir() and is_quarter(p.name))


def default_issue_date(quarter: str) -> dt.date:
    """The 10th of the month after the quarter: when the office issues the quarter's bulletin."""
    year, q = parse_quarter(quarter)
    month = q * 3 + 1
    return dt.date(year + (month > 12), (month - 1) % 12 + 1, 10)


def default_return_deadline(quarter: str) -> dt.date:
    """The 5th of the month after the quarter: the last day for the counties' returns (five days before
    the bulletin's default date), unless the office says otherwise."""
    return default_issue_date(quarter) - dt.timedelta(days=5)
