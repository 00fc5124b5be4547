"""Stage-by-stage progress of quarterly runs for whoever listens in this process (the command line's
progress bar). With no listener, as in a scheduled or remote run, reporting costs nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# The stages of a quarter's run, in order, with the words the progress bar shows.
STAGES = {
    "ingest": "读取报送文件",
    "validate": "校验",
    "score": "评分和排名",
    "render": "生成通报和反馈单",
    "record": "写入历史库",
}
CACHED = "输入未变，沿用上次结果"


@dataclass(frozen=True)
class Step:
    """A stage of a quarter has started (done=False) or finished (done=True). A quarter whose inputs
    have not changed reports every stage finished at once, with cached=True."""

    quarter: str
    stage: str
    done: bool
    cached: bool = False


Listener = Callable[[Step], None]
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(step: Step) -> None:
    for listener in list(_listeners):
        listener(step)


def report_cached(quarter: str) -> None:
    for stage in STAGES:
        report(Step(quarter, stage, True, cached=True))
