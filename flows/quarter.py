"""The quarterly flow (ingest → validate → score → assess → render → record) and the backfill flow that
runs quarters in order. The quarter is always a parameter, never taken from the clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from chuangwen import intake, stages
from chuangwen.config import load_config
from chuangwen.history import HistoryStore
from chuangwen.quarters import shift_quarter
from expectations.catalog import load_catalog
from transforms.bulletin import default_issue_date, summary_markdown

# Frames and the catalog are passed in memory; caching arrives with content hashes of the raw files.
ingest = task(intake.ingest_folder, name="ingest", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
archive = task(intake.archive_received, name="archive", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
office = task(stages.office_inputs, name="office files", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
validate = task(stages.validate, name="validate", cache_policy=NO_CACHE)
score = task(stages.score, name="score", cache_policy=NO_CACHE)
assess = task(stages.assess, name="assess", cache_policy=NO_CACHE)
write_outputs = task(stages.write_outputs, name="render", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
record = task(stages.record, name="record history", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)


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
) -> dict[str, Path]:
    """Run one quarter. Earlier years' figures, last quarter's ranking, earlier black lists and the open
    orders come from the history store; the quarter's own rows in it are replaced at the end. Every file
    received is kept in the archive (default: received/ beside the raw folder)."""
    catalog = load_catalog()
    settings = load_config(config_path).for_quarter(quarter)
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    store = HistoryStore(history_path or default_history(out_dir))
    issued_on = issue_date or (dt.date.fromisoformat(settings.issue_date) if settings.issue_date
                               else default_issue_date(quarter))
    current = ingest(raw_dir / quarter, catalog, quarter)
    archive(current, Path(archive_dir) if archive_dir else raw_dir.parent / "received")
    history, previous_ranking = read_history(store, quarter)
    office_files = office(raw_dir / quarter, catalog)
    outcome = validate(current, history, catalog, out_dir / quarter / "validation" / "data_docs")
    scores = score(current, outcome, catalog, previous_ranking, office_files)
    assessment = assess(quarter, scores, history, store, catalog, settings, office_files, issued_on)
    written = write_outputs(out_dir, current, outcome, scores, assessment, catalog, doc_number, issued_on,
                            office_files.problems)
    record(store, current, outcome, scores, assessment)
    create_markdown_artifact(key=f"quarter-{quarter.lower()}", markdown=summary_markdown(quarter, scores.ranking),
                             description=f"{quarter} 评分摘要")
    return written


@flow(name="chuangwen-backfill", log_prints=False)
def backfill_flow(
    quarters: list[str],
    raw_dir: Path = Path("data/raw"),
    out_dir: Path = Path("data/out"),
    archive_dir: Path | None = None,
    history_path: Path | None = None,
    config_path: Path | None = None,
) -> dict[str, dict[str, Path]]:
    """Run the given quarters oldest first, each as its own quarterly run: idempotent, since a quarter's
    run replaces only that quarter's rows and files."""
    return {
        q: quarter_flow(quarter=q, raw_dir=raw_dir, out_dir=out_dir, archive_dir=archive_dir,
                        history_path=history_path, config_path=config_path)
        for q in sorted(quarters)
    }
