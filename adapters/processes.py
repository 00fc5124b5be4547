"""Spreading CPU-bound batches (reading county files, rendering PDFs) over this machine's cores with a
standard process pool, for runs on the default task runner. A Dask runner spreads the same batches
itself (flows/quarter.py), so nothing here runs there. It sits among the adapters because it touches processes and
adapters/returns.py reads many county files with it.

Worker processes are spawned, not forked: the parent holds threads (Prefect, DuckDB) that a fork would
copy in an unknown state. Spawning costs about a second per worker, so small jobs stay in-process."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """Cores this process may run on (respects CPU affinity and container limits set that way)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def batches(items: list[T], parts: int) -> list[list[T]]:
    """Split items into at most `parts` contiguous runs of nearly equal length, order kept."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for k in range(parts):
        end = start + size + (k < extra)
        out.append(items[start:end])
        start = end
    return [b for b in out if b]


def map_batches(fn: Callable[[list[T]], list[R]], items: list[T], workers: int) -> list[R]:
    """fn over items in batches, in `workers` spawned processes (in this process when workers ≤ 1 or
    there is one item); results in the items' order. fn must be a module-level function."""
    if workers <= 1 or len(items) <= 1:
        return fn(items)
    chunks = batches(items, workers * 4)  # several per worker evens out uneven batches
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)), mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        return [r for chunk in pool.map(fn, chunks) for r in chunk]


def render_batch(pages: list[tuple[str, str]]) -> list[tuple[str, bytes]]:
    """(name, HTML) → (name, PDF bytes), one page after another."""
    from adapters.render import render_pdf

    return [(name, render_pdf(html)) for name, html in pages]
