"""The quarterly flow (ingest → validate → score → assess → render → record) and the backfill flow that
runs quarters in order. The quarter is always a parameter, never taken from the clock."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from chuangwen import intake, stages
from chuangwen.config import CONFIG_PATH, load_config
from chuangwen.history import HistoryStore
from chuangwen.locks import output_lock
from chuangwen.manifest import cached_outputs, input_key, write_manifest
from chuangwen.quarters import shift_quarter
from expectations.catalog import load_catalog
from transforms.bulletin import default_issue_date, score_table, summary_markdown

# Frames and the catalog are passed in memory; caching arrives with content hashes of the raw files.
ingest = task(intake.ingest_folder, name="ingest", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
archive = task(intake.archive_received, name="archive", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
office = task(stages.office_inputs, name="office files", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
validate = task(stages.validate, name="validate", cache_policy=NO_CACHE)
score = task(stages.score, name="score", cache_policy=NO_CACHE)
assess = task(stages.assess, name="assess", cache_policy=NO_CACHE)
write_outputs = task(stages.write_outputs, name="render", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
record = task(stages.record, name="record history", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
fingerprint = task(input_key, name="fingerprint inputs", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
manifest = task(write_manifest, name="write manifest", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)


class QuarterFailed(RuntimeError):
    """A quarter of a backfill could not be completed; later quarters were not run."""


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - start


@task(name="read history", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def read_history(store: HistoryStore, quarter: str):
    """Earlier years' figures of the same quarter, and last quarter's ranking (None if not run)."""
    previous = store.read("ranking", [shift_quarter(quarter, -1)])
    return store.history_values(quarter), (previous if len(previous) else None)


def default_history(out_dir: Path) -> Path:
    return Path(out_dir) / "history.duckdb"


@flow(name="chuangwen-quarter", log_prints=False)
def quarter_flow(
    quarter: str,
    raw_dir: Path = Path("data/raw"),
    out_dir: Path = Path("data/out"),
    doc_number: str | None = None,
    issue_date: dt.date | None = None,
    archive_dir: Path | None = None,
    history_path: Path | None = None,
    config_path: Path | None = None,
    force: bool = False,
) -> dict[str, Path]:
    """Run one quarter. Earlier years' figures, last quarter's ranking, earlier black lists and the open
    orders come from the history store; the quarter's own rows in it are replaced at the end. Every file
    received is kept in the archive (default: received/ beside the raw folder). When nothing the outputs
    depend on has changed (files, catalog, settings, code, earlier quarters), the stored outputs are
    returned without recomputing, unless `force`."""
    catalog = load_catalog()
    config_path = Path(config_path) if config_path else CONFIG_PATH
    settings = load_config(config_path).for_quarter(quarter)
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    store = HistoryStore(history_path or default_history(out_dir))
    with output_lock(out_dir):  # two runs of a quarter at once would interleave files and history rows
        return _run_quarter(quarter, raw_dir, out_dir, doc_number, issue_date, archive_dir, store, catalog,
                            settings, config_path, force)


def _run_quarter(quarter, raw_dir, out_dir, doc_number, issue_date, archive_dir, store, catalog, settings,
                 config_path, force) -> dict[str, Path]:
    options = {"doc_number": doc_number, "issue_date": issue_date.isoformat() if issue_date else None}
    inputs = fingerprint(quarter, raw_dir / quarter, store, config_path, options)
    cached = None if force else cached_outputs(out_dir / quarter, inputs["key"])
    if cached is not None and quarter in store.quarters():
        return cached  # nothing it depends on has changed since the last run, and its rows are stored
    issued_on = issue_date or (dt.date.fromisoformat(settings.issue_date) if settings.issue_date
                               else default_issue_date(quarter))
    timings: dict[str, float] = {}
    with timed(timings, "ingest"):
        current = ingest(raw_dir / quarter, catalog, quarter)
        archive(current, Path(archive_dir) if archive_dir else raw_dir.parent / "received")
        history, previous_ranking = read_history(store, quarter)
        office_files = office(raw_dir / quarter, catalog)
    with timed(timings, "validate"):
        outcome = validate(current, history, catalog, out_dir / quarter / "validation" / "data_docs")
    with timed(timings, "score"):
        scores = score(current, outcome, catalog, previous_ranking, office_files)
        assessment = assess(quarter, scores, history, store, catalog, settings, office_files, issued_on)
    with timed(timings, "render"):
        written = write_outputs(out_dir, current, outcome, scores, assessment, catalog, doc_number, issued_on,
                                office_files.problems)
    with timed(timings, "record"):
        record(store, current, outcome, scores, assessment)
    written["manifest.json"] = manifest(out_dir / quarter, inputs, written, timings, catalog.version)
    create_markdown_artifact(key=f"quarter-{quarter.lower()}", description=f"{quarter} 评分摘要",
                             markdown=summary_markdown(quarter, scores.ranking, assessment.lists,
                                                       len(current.problems), len(assessment.orders)))
    create_table_artifact(key=f"scores-{quarter.lower()}", description=f"{quarter} 各县（市）得分",
                          table=score_table(scores.ranking))
    return written


@flow(name="chuangwen-backfill", log_prints=False)
def backfill_flow(
    quarters: list[str],
    raw_dir: Path = Path("data/raw"),
    out_dir: Path = Path("data/out"),
    archive_dir: Path | None = None,
    history_path: Path | None = None,
    config_path: Path | None = None,
    force: bool = False,
) -> dict[str, dict[str, Path]]:
    """Run the given quarters oldest first, each as its own quarterly run: idempotent, since a quarter's
    run replaces only that quarter's rows and files. Stops at the first quarter that fails, saying why."""
    done = {}
    for q in sorted(quarters):
        try:
            done[q] = quarter_flow(quarter=q, raw_dir=raw_dir, out_dir=out_dir, archive_dir=archive_dir,
                                   history_path=history_path, config_path=config_path, force=force)
        except Exception as exc:
            rest = [x for x in sorted(quarters) if x > q]
            tail = f"；其后的 {'、'.join(rest)} 未处理" if rest else ""
            raise QuarterFailed(f"{q} 未能完成：{exc}{tail}") from exc
    return done


@flow(name="chuangwen-scheduled-quarter", log_prints=False)
def scheduled_quarter_flow(raw_dir: Path = Path("data/raw"), out_dir: Path = Path("data/out")) -> dict[str, Path]:
    """The deployment `chuangwen serve` schedules: runs the quarter that ended before this run's
    scheduled start time (not the clock, so a late or retried run still picks the right quarter)."""
    from prefect.runtime import flow_run

    from chuangwen.schedule import quarter_before

    return quarter_flow(quarter=quarter_before(flow_run.scheduled_start_time), raw_dir=raw_dir, out_dir=out_dir)
