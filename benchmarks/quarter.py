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
from adapters import returns
from adapters.history import HistoryStore, read_quarter_history
from adapters.office_files import read_office_inputs
from core.quarters import default_issue_date, shift_quarter
from expectations.catalog import load_catalog
from expectations.settings import load_config, office_catalog
from flows import tasks
from transforms.assess import assess


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

    settings = load_config().for_quarter(q)
    catalog = timed("load catalog", lambda: office_catalog(load_catalog(), settings))
    current = timed("ingest quarter (8 files)", returns.ingest_folder, raw / q, catalog, q)
    with tempfile.TemporaryDirectory() as out:
        store = HistoryStore(Path(out) / "history.duckdb")
        for k in (3, 2, 1):  # the same quarter of earlier years, for 逐年 and 连续三年 rules
            earlier = shift_quarter(q, -4 * k)
            if (raw / earlier).is_dir():
                store.write_quarter(earlier, {"figures": returns.ingest_folder(raw / earlier, catalog, earlier).values})
        history = read_quarter_history(store, q, settings.progress.years(catalog.year)[0])
        timed("import great_expectations", __import__, "great_expectations")
        office = read_office_inputs(raw / q, catalog, q)
        outcome = timed("validate (first, builds GX context)", tasks.validate, current, history, catalog, office)
        outcome = timed("validate (warm)", tasks.validate, current, history, catalog, office)
        scores = timed("score and rank", tasks.score, current, outcome, catalog, history, office)
        issued = default_issue_date(q)
        assessment = timed(
            "assess (lists, goals, orders, 1000 robustness draws)",
            assess,
            q,
            scores,
            history,
            catalog,
            settings,
            office,
            issued,
        )
        docs = timed(
            "build HTML, XLSX, CSV", tasks.documents, current, outcome, scores, assessment, catalog, None, issued
        )
        pdfs = timed("render PDFs (one process)", tasks.render_pdfs, list(docs.pages.items()))
        timed("write files", tasks.write_files, Path(out) / q, {**docs.files, **dict(pdfs)})
        timed("record the quarter in DuckDB", tasks.record, store, current, outcome, scores, assessment)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, seconds in figures:
        print(f"{name:<40} {seconds:7.3f} s")
    print(f"{'peak resident memory':<40} {peak_mb:7.0f} MB")


if __name__ == "__main__":
    main()
