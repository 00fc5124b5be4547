"""How each stage of one quarter scales with the number of county-level units: 8 (a prefecture), 129 (a
province) and 2,844 (all of China's county-level units).

    .venv/bin/python benchmarks/scale.py [--units 8 129 2844] [--data benchmarks/.data] [--workers 2]
                                         [--feedback-limit 200] [--baseline-limit 300] [--profile 15]

Synthetic quarters are generated once per N through the real template (benchmarks/synthetic.py) and kept
under --data. Each N then runs in a fresh process so that its peak memory is its own. Per stage it prints
wall seconds, CPU seconds (this process and its workers), the peak resident memory reached by the end
of the stage, and the wall cost per unit; then the plain baseline a user would write (pandas read_excel
with its default engine, one file after another) on the same files and its ratio to our ingest.

Feedback sheets are rendered for at most --feedback-limit units (all of them at 8 and 129), once with
one worker process and once with --workers, giving the median seconds per sheet and the speed-up; the
baseline is timed on at most --baseline-limit files, evenly spread, and scaled to all files. Targets
and measured figures: benchmarks/README.md.

--profile K runs every stage under cProfile and prints, per stage, the K functions with the most time
of their own (and their cumulative time): where the time goes when a target is not met. Work done in
worker processes is not in the profile (run with --workers 1 to see it); profiling slows the tasks.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUARTER = "2022Q4"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stages:
    """Times stages in order: wall, CPU (incl. finished child processes), peak memory so far; with
    profile > 0, also the stage's `profile` functions with the most time of their own."""

    def __init__(self, profile: int = 0) -> None:
        self.rows: list[dict] = []
        self.profile = profile

    def run(self, name: str, fn, *args, **kwargs):
        profiler = cProfile.Profile() if self.profile else None
        wall, cpu = time.perf_counter(), _cpu()
        if profiler:
            profiler.enable()
        out = fn(*args, **kwargs)
        if profiler:
            profiler.disable()
        row = {"stage": name, "wall": time.perf_counter() - wall, "cpu": _cpu() - cpu, "peak_mb": _peak_mb()}
        if profiler:
            row["profile"] = _top_functions(profiler, self.profile)
        self.rows.append(row)
        return out


def _top_functions(profiler: cProfile.Profile, count: int) -> str:
    """The functions with the most time of their own; paths shortened to the project or the package."""
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(count)
    lines = text.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    shorten = re.compile(rf"{re.escape(str(ROOT))}/|\S*/(?:site-packages|lib/python3\.\d+)/")
    return "\n".join(shorten.sub("", line) for line in lines[start:] if line.strip())


def ensure_data(n: int, data: Path) -> Path:
    """The synthetic quarter for n units (generated once, then reused)."""
    folder = data / f"n{n}"
    marker = folder / "complete.json"
    if not marker.exists():
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "synthetic.py"),
                "--units",
                str(n),
                "--quarter",
                QUARTER,
                "--out",
                str(folder),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        marker.write_text(json.dumps({"units": n, "seconds": round(time.perf_counter() - start, 1)}))
    return folder


def measure(n: int, folder: Path, workers: int, feedback_limit: int, baseline_limit: int, profile: int = 0) -> dict:
    """One N, in this process: every stage of the quarter, then feedback rendering and the baseline."""
    import_start = time.perf_counter()
    import great_expectations  # noqa: F401  (its import is start-up, not the stage's work)
    import pandas as pd

    import chuangwen  # noqa: F401
    from adapters import returns
    from adapters.history import HistoryStore, read_quarter_history
    from adapters.office_files import read_office_inputs
    from benchmarks.synthetic import synthetic_catalog
    from core.quarters import default_issue_date
    from expectations.catalog import load_catalog
    from expectations.settings import load_config, office_catalog
    from flows import tasks
    from transforms.assess import assess

    imports = time.perf_counter() - import_start

    settings = load_config().for_quarter(QUARTER)
    catalog = synthetic_catalog(office_catalog(load_catalog(), settings), n)
    raw = folder / QUARTER
    issued = default_issue_date(QUARTER)
    s = Stages(profile)
    with tempfile.TemporaryDirectory() as tmp:
        store = HistoryStore(Path(tmp) / "history.duckdb")
        current = s.run("ingest", returns.ingest_folder, raw, catalog, QUARTER, workers=workers)
        history = read_quarter_history(store, QUARTER, settings.progress.years(catalog.year)[0])
        office = read_office_inputs(raw, catalog, QUARTER)
        outcome = s.run("validate", tasks.validate, current, history, catalog, office)

        def score():
            scores = tasks.score(current, outcome, catalog, history, office)
            return scores, assess(QUARTER, scores, history, catalog, settings, office, issued)

        scores, assessment = s.run("score", score)
        # the history is written before the documents here (the flow writes it last) so that the peak
        # memory after it is that of the core stages alone
        s.run("write history", tasks.record, store, current, outcome, scores, assessment)
        docs = s.run("build documents", tasks.documents, current, outcome, scores, assessment, catalog, None, issued)
        s.run("render bulletin", tasks.render_pdfs, [("bulletin.pdf", docs.pages["bulletin.pdf"])])

        sheets = [(k, v) for k, v in docs.pages.items() if k.startswith("counties/")][:feedback_limit]
        one = s.run("render feedback (1 process)", tasks.render_pdfs, sheets, 1)
        many = s.run(f"render feedback ({workers} processes)", tasks.render_pdfs, sheets, workers)
        assert [name for name, _ in one] == [name for name, _ in many]

    per_sheet = []
    for name, html in sheets[: min(len(sheets), 30)]:
        t = time.perf_counter()
        tasks.render_pdfs([(name, html)])
        per_sheet.append(time.perf_counter() - t)

    files = sorted(p for p in raw.iterdir() if p.suffix == ".xlsx")
    step = max(1, len(files) // baseline_limit)
    chosen = files[::step]
    t = time.perf_counter()
    for path in chosen:
        pd.read_excel(path, sheet_name=None)
    baseline = (time.perf_counter() - t) * len(files) / len(chosen)
    ingest = next(r["wall"] for r in s.rows if r["stage"] == "ingest")
    return {
        "units": n,
        "files": len(files),
        "imports": imports,
        "stages": s.rows,
        "feedback": {
            "sheets": len(sheets),
            "median": statistics.median(per_sheet),
            "speedup": s.rows[-2]["wall"] / s.rows[-1]["wall"],
        },
        "baseline": {"seconds": baseline, "timed_files": len(chosen), "ratio": baseline / ingest},
        "peak_mb": _peak_mb(),
    }


def report(result: dict) -> None:
    n = result["units"]
    print(f"\n== N = {n} units ({result['files']} files; imports {result['imports']:.1f} s, not counted) ==")
    print(f"{'stage':<30}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}{'ms/unit':>9}")
    for r in result["stages"]:
        print(f"{r['stage']:<30}{r['wall']:9.2f}{r['cpu']:9.2f}{r['peak_mb']:9.0f}{1000 * r['wall'] / n:9.2f}")
    for r in result["stages"]:
        if r.get("profile"):
            print(f"\n-- profile of {r['stage']} at N = {n} (time of its own, then cumulative) --\n{r['profile']}")
    core = sum(r["wall"] for r in result["stages"] if r["stage"] in ("ingest", "validate", "score", "write history"))
    print(f"{'ingest+validate+score+history':<30}{core:9.2f}")
    fb = result["feedback"]
    print(
        f"feedback sheets: {fb['sheets']} rendered, median {fb['median']:.3f} s each, "
        f"speed-up {fb['speedup']:.2f}x on more processes"
    )
    b = result["baseline"]
    print(
        f"baseline pandas.read_excel (default engine, one by one): {b['seconds']:.2f} s "
        f"(timed on {b['timed_files']} files) = {b['ratio']:.1f}x our ingest"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[8, 129, 2844])
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--feedback-limit", type=int, default=200)
    parser.add_argument("--baseline-limit", type=int, default=300)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="K",
        help="profile every stage and print its K most expensive functions",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one N in this process
    args = parser.parse_args()
    if args.one:
        folder = ensure_data(args.one, args.data)
        print(
            json.dumps(measure(args.one, folder, args.workers, args.feedback_limit, args.baseline_limit, args.profile))
        )
        return
    results = []
    for n in args.units:
        ensure_data(n, args.data)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--data",
                str(args.data),
                "--workers",
                str(args.workers),
                "--feedback-limit",
                str(args.feedback_limit),
                "--baseline-limit",
                str(args.baseline_limit),
                "--profile",
                str(args.profile),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        report(results[-1])
    by_n = {r["units"]: r for r in results}
    if 129 in by_n and 2844 in by_n:
        print("\ntime(2844) / time(129) per stage (target ≤ 25):")
        for a, b in zip(by_n[129]["stages"], by_n[2844]["stages"], strict=True):
            print(f"  {a['stage']:<30}{b['wall'] / max(a['wall'], 1e-9):8.1f}")


if __name__ == "__main__":
    main()
