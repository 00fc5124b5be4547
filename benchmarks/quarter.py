"""Time each stage of one quarter on the shipped sample data (no Prefect), and the peak memory.

    .venv/bin/python benchmarks/quarter.py [--quarter 2022Q4] [--raw data/raw]

Prints seconds per stage; targets and past figures are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import chuangwen  # noqa: F401
from chuangwen import intake, stages
from chuangwen.quarters import shift_quarter
from expectations.catalog import load_catalog


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quarter", default="2022Q4")
    parser.add_argument("--raw", type=Path, default=Path("data/raw"))
    args = parser.parse_args()
    q, raw = args.quarter, args.raw
    figures: list[tuple[str, float]] = []

    def timed(name, fn, *a):
        t = time.perf_counter()
        out = fn(*a)
        figures.append((name, time.perf_counter() - t))
        return out

    catalog = timed("load catalog", load_catalog)
    current = timed("ingest quarter (8 files)", intake.ingest_folder, raw / q, catalog, q)
    earlier = {k: intake.ingest_folder(raw / shift_quarter(q, -4 * k), catalog, shift_quarter(q, -4 * k))
               for k in (1, 2)}
    history = stages.history_of(earlier)
    timed("import great_expectations", __import__, "great_expectations")
    outcome = timed("validate (first, builds GX context)", stages.validate, current, history, catalog)
    outcome = timed("validate (warm)", stages.validate, current, history, catalog)
    scores = timed("score and rank", stages.score, current, outcome, catalog, None)
    with tempfile.TemporaryDirectory() as out:
        timed("render HTML+PDF and write", stages.write_outputs, Path(out), current, outcome, scores, catalog,
              None, None)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, seconds in figures:
        print(f"{name:<40} {seconds:7.3f} s")
    print(f"{'peak resident memory':<40} {peak_mb:7.0f} MB")


if __name__ == "__main__":
    main()
