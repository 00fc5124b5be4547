"""Two runs on the same output folder never overlap: the second waits for the first."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from adapters.locks import output_lock


def _hold(out: str, log: str, name: str, seconds: float) -> None:
    with output_lock(Path(out)):
        with open(log, "a") as fh:
            fh.write(f"{name}-start {time.monotonic()}\n")
        time.sleep(seconds)
        with open(log, "a") as fh:
            fh.write(f"{name}-end {time.monotonic()}\n")


def test_a_second_run_waits_for_the_first(tmp_path):
    log = tmp_path / "log.txt"
    ctx = multiprocessing.get_context("spawn")
    first = ctx.Process(target=_hold, args=(str(tmp_path / "out"), str(log), "A", 1.0))
    first.start()
    while not log.exists():
        time.sleep(0.02)
    second = ctx.Process(target=_hold, args=(str(tmp_path / "out"), str(log), "B", 0.0))
    second.start()
    first.join(10)
    second.join(10)
    events = [line.split()[0] for line in log.read_text().splitlines()]
    assert events == ["A-start", "A-end", "B-start", "B-end"]
