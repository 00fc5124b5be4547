"""The quarterly flow: ingest → validate → score → render, for one quarter given as a parameter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from chuangwen import intake, stages
from chuangwen.quarters import shift_quarter
from expectations.catalog import load_catalog
from transforms.bulletin import summary_markdown

# Frames and the catalog are passed in memory; caching arrives with content hashes of the raw files.
ingest = task(intake.ingest_folder, name="ingest", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
validate = task(stages.validate, name="validate", cache_policy=NO_CACHE)
score = task(stages.score, name="score", cache_policy=NO_CACHE)
archive = task(intake.archive_received, name="archive", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
write_outputs = task(stages.write_outputs, name="render", retries=1, retry_delay_seconds=1,
                     cache_policy=NO_CACHE)


@flow(name="chuangwen-quarter", log_prints=False)
def quarter_flow(
    quarter: str,
    raw_dir: Path = Path("data/raw"),
    out_dir: Path = Path("data/out"),
    doc_number: str | None = None,
    issue_date: dt.date | None = None,
    archive_dir: Path | None = None,
) -> dict[str, Path]:
    """Run one quarter. Last quarter is scored too (for the rank change), and the same quarter of the
    two previous years is read for the seed's 逐年/连续三年 rules. Every file received this quarter is
    kept in the archive (default: received/ beside the raw folder) with its outcome."""
    catalog = load_catalog()
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    current = ingest(raw_dir / quarter, catalog, quarter)
    archive(current, Path(archive_dir) if archive_dir else raw_dir.parent / "received")
    earlier = {k: ingest(raw_dir / shift_quarter(quarter, -4 * k), catalog, shift_quarter(quarter, -4 * k))
               for k in (1, 2)}
    history = stages.history_of(earlier)
    previous_ranking = _previous_ranking(raw_dir, catalog, quarter)
    outcome = validate(current, history, catalog, out_dir / quarter / "validation" / "data_docs")
    scores = score(current, outcome, catalog, previous_ranking)
    written = write_outputs(out_dir, current, outcome, scores, catalog, doc_number, issue_date)
    create_markdown_artifact(key=f"quarter-{quarter.lower()}", markdown=summary_markdown(quarter, scores.ranking),
                             description=f"{quarter} 评分摘要")
    return written


def _previous_ranking(raw_dir: Path, catalog, quarter: str):
    prev = shift_quarter(quarter, -1)
    if not (raw_dir / prev).is_dir():
        return None
    ingested = ingest(raw_dir / prev, catalog, prev)
    if ingested.values.empty:
        return None
    history = stages.history_of({k: ingest(raw_dir / shift_quarter(prev, -4 * k), catalog,
                                           shift_quarter(prev, -4 * k)) for k in (1, 2)})
    outcome = validate(ingested, history, catalog)
    return score(ingested, outcome, catalog, None).ranking
