"""The quarterly assessment flow (ingest → validate → score → assess → render → record) and the backfill
flow that runs quarters in order. The quarter is always a parameter, never taken from the clock.

Per-county work (reading each county's file, rendering the bulletin and each feedback sheet) is done in
batches. On the default task runner (threads) the batches go to a pool of worker processes, one per
core; on a Dask runner (`dask="local"` or a scheduler's address) they are mapped over the cluster as
tasks. Every way gives byte-identical outputs."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

from prefect import Flow, flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE, CachePolicy
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from adapters import processes, returns
from adapters.files import remove_stale_temporaries
from adapters.history import HistoryStore, read_quarter_history
from adapters.locks import output_lock
from adapters.manifest import cached_outputs, input_key, write_manifest
from adapters.office_files import read_office_inputs
from adapters.render import check_cjk_font, use_font_folder
from core import faults, outputs
from core.quarters import default_issue_date, quarters_in
from expectations.catalog import load_catalog
from expectations.settings import CONFIG_PATH, check_quarter_settings, load_config, office_catalog
from flows import events, tasks
from flows.artifacts import score_table, summary_markdown
from transforms.assess import assess as assess_quarter


class _TaskOptions(TypedDict, total=False):
    """The keyword arguments of prefect.task that IO and PURE set."""

    retries: int
    retry_delay_seconds: float
    cache_policy: CachePolicy


# Tasks that read or write files retry (a file share can hiccup); pure computations do not, since a
# retry would fail the same way. Frames stay in memory within a run; the run's cache key is the
# content hash of everything it reads (adapters/manifest.py), not Prefect's result store.
IO: _TaskOptions = {"retries": 2, "retry_delay_seconds": 1, "cache_policy": NO_CACHE}
PURE: _TaskOptions = {"cache_policy": NO_CACHE}

fingerprint = task(name="fingerprint inputs", **IO)(input_key)
read_all = task(name="read county files", **IO)(returns.read_all)
read_returns = task(name="read county files (batch)", **IO)(returns.read_returns)
archive = task(name="archive", **IO)(returns.archive_received)
office = task(name="office files", **IO)(read_office_inputs)
validate = task(name="validate", **PURE)(tasks.validate)
score = task(name="score", **PURE)(tasks.score)
assess = task(name="assess", **PURE)(assess_quarter)
documents = task(name="build documents", **PURE)(tasks.documents)
render_pdfs = task(name="render PDFs", **PURE)(tasks.render_pdfs)
render_batch = task(name="render PDFs (batch)", **PURE)(processes.render_batch)
write_files = task(name="write files", **IO)(tasks.write_files)
install_docs = task(name="install Data Docs", **IO)(tasks.install_docs)
record = task(name="record history", **IO)(tasks.record)
manifest = task(name="write manifest", **IO)(write_manifest)

MAX_BATCHES = 16  # enough to keep a cluster busy, few enough not to drown its scheduler in tasks


class QuarterFailed(RuntimeError):
    """A quarter of a backfill could not be completed; later quarters were not run."""


@contextmanager
def stage(timings: dict[str, float], quarter: str, name: str) -> Iterator[None]:
    """Time a stage and tell the progress listeners (the command line's bar) when it starts and ends."""
    events.report(events.Step(quarter, name, False))
    faults.point(name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    events.report(events.Step(quarter, name, True))


read_history = task(name="read history", **IO)(read_quarter_history)


def default_history(out_dir: Path) -> Path:
    return Path(out_dir) / "history.duckdb"


def _on_threads() -> bool:
    """Whether this flow run's tasks run on threads of this process (the default runner): then its
    batches go to local worker processes; otherwise the task runner (Dask) spreads them."""
    ctx = FlowRunContext.get()
    return ctx is None or isinstance(ctx.task_runner, ThreadPoolTaskRunner)


def _read(files: list[tuple[Path, str | None]], catalog, quarter: str):
    jobs = [(path, county, catalog, quarter) for path, county in files]
    if _on_threads():
        return read_all(jobs, processes.cores())
    return [r for batch in read_returns.map(processes.batches(jobs, MAX_BATCHES)).result() for r in batch]


def _render(pages: dict[str, str]) -> dict[str, bytes]:
    items = list(pages.items())
    if _on_threads():
        return dict(render_pdfs(items, processes.cores()))
    return {n: pdf for batch in render_batch.map(processes.batches(items, MAX_BATCHES)).result() for n, pdf in batch}


@flow(name="quarterly_assessment", log_prints=False)
def quarterly_assessment(
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
    config_path = Path(config_path) if config_path else CONFIG_PATH
    settings = load_config(config_path).for_quarter(quarter)
    catalog = office_catalog(load_catalog(), settings)
    check_quarter_settings(settings, catalog, quarter)  # a quarter without its 大比武 stops before any work
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    store = HistoryStore(history_path or default_history(out_dir))
    store.check()  # a damaged store stops the run before any work, saying how to restore it
    with output_lock(out_dir):  # two runs of a quarter at once would interleave files and history rows
        return _run_quarter(
            quarter, raw_dir, out_dir, doc_number, issue_date, archive_dir, store, catalog, settings, config_path, force
        )


def _run_quarter(
    quarter, raw_dir, out_dir, doc_number, issue_date, archive_dir, store, catalog, settings, config_path, force
) -> dict[str, Path]:
    options = {"doc_number": doc_number, "issue_date": issue_date.isoformat() if issue_date else None}
    history = read_history(store, quarter, settings.progress.years(catalog.year)[0])
    inputs = fingerprint(quarter, raw_dir / quarter, history, config_path, options)
    cached = None if force else cached_outputs(out_dir / quarter, inputs["key"])
    if cached is not None and quarter in store.quarters():
        events.report_cached(quarter)
        return cached  # nothing it depends on has changed since the last run, and its rows are stored
    check_cjk_font()  # before anything is written: a bulletin without its font must not replace one with it
    remove_stale_temporaries(out_dir / quarter)
    issued_on = issue_date or (
        dt.date.fromisoformat(settings.issue_date) if settings.issue_date else default_issue_date(quarter)
    )
    timings: dict[str, float] = {}
    with stage(timings, quarter, "ingest"):
        files = returns.quarter_files(raw_dir / quarter, catalog)
        current = returns.combine_returns(_read(files, catalog, quarter), catalog, quarter)
        archive(current, Path(archive_dir) if archive_dir else raw_dir.parent / "received")
        office_files = office(raw_dir / quarter, catalog, quarter)
    with stage(timings, quarter, "validate"):
        outcome = validate(current, history, catalog, office_files, out_dir / quarter / outputs.DATA_DOCS)
    with stage(timings, quarter, "score"):
        scores = score(current, outcome, catalog, history, office_files)
        assessment = assess(quarter, scores, history, catalog, settings, office_files, issued_on)
    with stage(timings, quarter, "render"):
        docs = documents(current, outcome, scores, assessment, catalog, doc_number, issued_on, office_files.problems)
        if settings.fonts:  # the office's own fonts, before anything is rendered
            use_font_folder(Path(config_path or CONFIG_PATH).parent / settings.fonts)
        written = write_files(out_dir / quarter, {**docs.files, **_render(docs.pages)})
        install_docs(outcome, out_dir / quarter / outputs.DATA_DOCS)
    with stage(timings, quarter, "record"):
        record(store, current, outcome, scores, assessment)
    faults.point("manifest")
    written[outputs.MANIFEST] = manifest(out_dir / quarter, inputs, written, timings, catalog.version)
    create_markdown_artifact(
        key=f"quarter-{quarter.lower()}",
        description=f"{quarter} 评分摘要",
        markdown=summary_markdown(
            quarter, scores.ranking, assessment.lists, len(current.problems), len(assessment.orders)
        ),
    )
    create_table_artifact(
        key=f"scores-{quarter.lower()}", description=f"{quarter} 各县（市）得分", table=score_table(scores.ranking)
    )
    return written


@contextmanager
def assessment_with(dask: str | None = None) -> Iterator[Flow[..., dict[str, Path]]]:
    """The quarterly flow with its task runner: threads in this process (dask=None), a Dask cluster
    started on this machine for the duration (dask="local": one single-threaded worker process per
    core), or a running Dask scheduler's address (`dask scheduler` plus `dask worker` on other
    machines, each with this project installed and PREFECT_API_URL set to the same Prefect server)."""
    if dask is None:
        yield quarterly_assessment
        return
    from prefect_dask import DaskTaskRunner

    from flows.server import shared_api

    with shared_api(), _cluster(dask) as address:
        # ignored: prefect_dask's DaskTaskRunner subclasses the bare TaskRunner (futures typed as the default
        # PrefectConcurrentFuture), which with_options' invariant TaskRunner[PrefectFuture] does not accept
        yield quarterly_assessment.with_options(task_runner=DaskTaskRunner(address=address))  # type: ignore[arg-type]


@contextmanager
def _cluster(dask: str) -> Iterator[str]:
    """The scheduler's address: a local cluster's (shared by every quarter of a backfill, since starting
    one costs seconds), or the one given."""
    if dask != "local":
        yield dask
        return
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@flow(name="backfill", log_prints=False)
def backfill(
    start: str,
    end: str,
    raw_dir: Path = Path("data/raw"),
    out_dir: Path = Path("data/out"),
    archive_dir: Path | None = None,
    history_path: Path | None = None,
    config_path: Path | None = None,
    force: bool = False,
    dask: str | None = None,
) -> dict[str, dict[str, Path]]:
    """Run every quarter of the raw folder from `start` to `end` (inclusive), oldest first, each as its own
    quarterly run: idempotent, since a quarter's run replaces only that quarter's rows and files, and an
    unchanged quarter is not recomputed. Stops at the first quarter that fails, saying why."""
    if start > end:
        raise QuarterFailed(f"起始季度 {start} 晚于结束季度 {end}")
    quarters = [q for q in quarters_in(Path(raw_dir)) if start <= q <= end]
    if not quarters:
        raise QuarterFailed(f"{raw_dir} 中没有 {start} 至 {end} 之间的季度文件夹")
    done: dict[str, dict[str, Path]] = {}
    with assessment_with(dask) as run:
        for q in quarters:
            try:
                done[q] = run(
                    quarter=q,
                    raw_dir=raw_dir,
                    out_dir=out_dir,
                    archive_dir=archive_dir,
                    history_path=history_path,
                    config_path=config_path,
                    force=force,
                )
            except Exception as exc:
                rest = [x for x in quarters if x > q]
                tail = f"；其后的 {'、'.join(rest)} 未处理" if rest else ""
                raise QuarterFailed(f"{q} 未能完成：{exc}{tail}") from exc
    return done


@flow(name="scheduled_assessment", log_prints=False)
def scheduled_assessment(
    raw_dir: Path = Path("data/raw"),
    out_dir: Path = Path("data/out"),
    dask: str | None = None,
    config_path: Path | None = None,
) -> dict[str, Path]:
    """The deployment `chuangwen serve` (or a work pool) schedules: runs the quarter that ended before
    this run's scheduled start time (not the clock, so a late or retried run still picks the right
    quarter)."""
    from prefect.runtime import flow_run

    from flows.schedule import quarter_before

    quarter = quarter_before(flow_run.scheduled_start_time)
    with assessment_with(dask) as run:
        return run(quarter=quarter, raw_dir=raw_dir, out_dir=out_dir, config_path=config_path)
