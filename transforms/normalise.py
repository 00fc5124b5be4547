"""Turn the raw cell values of the long table into typed values: numbers, scale answers, statuses."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from expectations.catalog import Catalog
from transforms.ingest import Problem

_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "1": "Ⅰ", "2": "Ⅱ", "3": "Ⅲ", "4": "Ⅳ",
          "5": "Ⅴ"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(raw: object, unit: str) -> float | None:
    """A number as typed: 92.5, '92.5', '９２．５', '92.5%' (for a % figure), '1,234'. None if not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")
    if unit == "%" and text.endswith("%"):
        text = text[:-1]
    elif unit and text.endswith(unit):
        text = text[: -len(unit)]
    return float(text) if _NUMBER.match(text) else None


def parse_choice(raw: object, scale: tuple[str, ...]) -> str | None:
    """An answer on a scale, tolerating II类/2类 for Ⅱ类 and a missing 类 or 级. None if not on the scale."""
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "")
    # NFKC turns Ⅱ into II; map every spelling back onto the scale's own words
    for word in scale:
        if unicodedata.normalize("NFKC", word) == text:
            return word
    m = re.fullmatch(r"(劣)?([IVX]+|[1-5])(类)?", text.upper())
    if m and m.group(2) in _ROMAN:
        candidate = f"{m.group(1) or ''}{_ROMAN[m.group(2)]}类"
        if candidate in scale:
            return candidate
    for word in scale:
        if word.rstrip("级类") == text:
            return word
    return None


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, float) and np.isnan(raw)) or (isinstance(raw, str) and not raw.strip())


def normalise_values(records: pd.DataFrame, catalog: Catalog) -> tuple[pd.DataFrame, list[Problem]]:
    """Add typed columns `value` (number), `answer` (scale word) and `status` (task completion).

    A value that cannot be read is left empty and reported with its cell; the raw text stays beside it.
    """
    statuses = tuple(s.name for s in catalog.completion_statuses)
    problems: list[Problem] = []
    values, answers, task_status = [], [], []
    for row in records.itertuples(index=False):
        value = answer = status = None
        item = catalog.indicator_by_id.get(row.item_id) or catalog.input_by_id.get(row.item_id)
        if not _blank(row.raw):
            if row.kind == "task":
                status = parse_choice(row.raw, statuses)
                expected = "、".join(statuses)
            elif item.scale:
                answer = parse_choice(row.raw, catalog.scales[item.scale])
                expected = "、".join(catalog.scales[item.scale])
            else:
                value = parse_number(row.raw, item.unit)
                expected = f"数值（单位：{item.unit}）" if item.unit else "数值"
            if value is None and answer is None and status is None:
                problems.append(Problem(row.file, row.sheet, row.cell,
                                        f"“{row.raw}”无法识别，应填写{expected}"))
        values.append(np.nan if value is None else value)
        answers.append(answer)
        task_status.append(status)
    out = records.assign(value=pd.Series(values, index=records.index, dtype="float64"),
                         answer=pd.Series(answers, index=records.index, dtype="object"),
                         status=pd.Series(task_status, index=records.index, dtype="object"))
    return out, problems
