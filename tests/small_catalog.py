"""The small test catalog (tests/catalogs/small.yaml) for the transforms' unit tests: two counties, five
tasks, one indicator of each kind of rule. small_catalog(units) adds made-up counties for tests that
need more than two (ranks, ties, lists)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from expectations.catalog import Catalog, parse_catalog

SMALL_PATH = Path(__file__).with_name("catalogs") / "small.yaml"
_MORE_NAMES = "丙丁戊己庚辛壬癸"


@functools.cache
def small_catalog(units: int = 2) -> Catalog:
    raw = yaml.safe_load(SMALL_PATH.read_text(encoding="utf-8"))
    for k in range(len(raw["counties"]), units):
        raw["counties"].append(
            {
                "code": f"1000{k + 1:02d}",
                "name": f"{_MORE_NAMES[k - 2]}县",
                "standing": "省级文明城市创建县",
                "goal": "provincial_creation",
                "goal_text": "力争创成省级文明城市",
            }
        )
    return parse_catalog(yaml.safe_dump(raw, allow_unicode=True), origin=str(SMALL_PATH), seed_tasks=None)
