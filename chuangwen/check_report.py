"""The `check` command's output: JSON for machines, a Chinese report for people."""

from __future__ import annotations

import math

from adapters.returns import FileResult
from core.problems import SEVERITY_LABEL
from core.vocab import OFFICE


def _figure(row) -> float | str | None:
    if row.answer is not None:
        return row.answer
    return None if math.isnan(row.value) else row.value


def check_json(results: list[FileResult]) -> list[dict]:
    """One object per file: file, county, quarter, values, statuses, problems."""
    out = []
    for r in results:
        figures = r.values[r.values["kind"] != "task"]
        tasks = r.values[r.values["kind"] == "task"]
        out.append(
            {
                "file": str(r.path),
                "sha256": r.sha256,
                "county": r.county,
                "quarter": r.quarter,
                "accepted": r.accepted,
                "values": {
                    row.item_id: v for row in figures.itertuples(index=False) if (v := _figure(row)) is not None
                },
                "conversions": {
                    row.item_id: row.conversion for row in r.values.itertuples(index=False) if row.conversion
                },
                "statuses": {row.item_id: row.status for row in tasks.itertuples(index=False) if row.status},
                "problems": [
                    {
                        "severity": p.severity,
                        "sheet": p.sheet,
                        "cell": p.cell,
                        "indicator_id": p.item_id,
                        "indicator_name": p.item_name,
                        "raw": p.raw,
                        "message": p.message,
                    }
                    for p in r.problems
                ],
            }
        )
    return out


def check_text(results: list[FileResult]) -> str:
    """A readable report: a line per file, then its problems, errors first."""
    lines = []
    for r in results:
        errors = len(r.errors)
        warnings = len(r.warnings)
        if r.accepted and r.county == OFFICE:
            head = f"{r.path.name}：州文明办参照数据表 {r.quarter}，错误 {errors} 项，提示 {warnings} 项"
        elif r.accepted:
            head = (
                f"{r.path.name}：{r.county} {r.quarter}，读取 {len(r.values)} 项，错误 {errors} 项，提示 {warnings} 项"
            )
        else:
            head = f"{r.path.name}：未采用，错误 {errors} 项"
        lines.append(head)
        for p in sorted(r.problems, key=lambda p: p.severity != "error"):
            place = "｜".join(x for x in (p.where, p.item) if x)
            lines.append(f"  ［{SEVERITY_LABEL[p.severity]}］{place + '：' if place else ''}{p.message}")
    total = sum(len(r.errors) for r in results)
    lines.append(f"共检查 {len(results)} 个文件，" + (f"发现错误 {total} 项。" if total else "未发现错误。"))
    return "\n".join(lines)
