"""The catalog as plain data for `chuangwen catalog`: JSON for machines, lines for people."""

from __future__ import annotations

from expectations.catalog import Catalog
from expectations.rules import rule_text


def catalog_dict(catalog: Catalog) -> dict:
    """counties, areas, tasks and indicators, with each indicator's rule spelled out."""
    return {
        "version": catalog.version,
        "source": catalog.source,
        "total_points": catalog.total_points,
        "counties": [c.model_dump() for c in catalog.counties],
        "areas": [
            {
                "id": a.num,
                "name": a.name,
                "label": a.label,
                "subareas": [{"id": f"{a.num}.{s.num}", "name": s.name} for s in a.subareas],
            }
            for a in catalog.areas
        ],
        "tasks": [
            {
                "id": t.id,
                "area": t.area,
                "subarea": f"{t.area}.{t.subarea}",
                "title": t.title,
                "points": t.points,
                "status_points": catalog.part_points[t.id],
                "responsible": list(t.responsible),
                "responsible_basis": t.responsible_basis,
                "indicators": [i.id for i in catalog.indicators_of(t.id)],
            }
            for t in catalog.tasks
        ],
        "indicators": [
            {
                "id": i.id,
                "task_id": i.task,
                "name": i.name,
                "unit": i.unit,
                "op": i.op,
                "threshold": i.threshold,
                "compare": i.compare,
                "scale": list(catalog.scales[i.scale]) if i.scale else None,
                "alternatives": [a.code for a in i.alternatives],
                "alternative_rules": [a.model_dump(exclude_none=True) for a in i.alternatives],
                "floor": i.floor,
                "frequency": i.frequency,
                "points": catalog.part_points[i.id],
                "direction": i.direction,
                "rule": rule_text(i, catalog),
                "source": i.source,
                "responsible": list(catalog.task_by_id[i.task].responsible),
            }
            for i in catalog.indicators
        ],
        "inputs": [i.model_dump() for i in catalog.inputs],
    }


def catalog_lines(catalog: Catalog) -> list[str]:
    """A readable listing: tasks with their points, indicators with their rules."""
    lines = [
        f"指标目录 {catalog.version}：{len(catalog.tasks)} 项任务，{len(catalog.indicators)} 项定量指标，"
        f"满分 {catalog.total_points:g} 分（按可判定分值折算为百分制）"
    ]
    for area in catalog.areas:
        lines.append(area.label)
        for task in (t for t in catalog.tasks if t.area == area.num):
            rest = catalog.part_points[task.id]
            lines.append(f"  {task.id:<7} {task.title}（{task.points:g}分；其余工作 {rest:.3g}分）")
            for ind in catalog.indicators_of(task.id):
                freq = "季度" if ind.frequency == "quarterly" else "年度"
                lines.append(
                    f"      {ind.id:<8} {ind.name}：{rule_text(ind, catalog)}［{freq}，"
                    f"{catalog.part_points[ind.id]:.3g}分］"
                )
    return lines
