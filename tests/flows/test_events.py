"""Stage seen reach a listener in order, and nobody else once it stops listening."""

from __future__ import annotations

import pytest

from adapters.processes import batches
from flows import events
from flows.quarter import stage


def test_a_stage_reports_its_start_and_end_and_records_its_time():
    seen, timings = [], {}
    with events.listening(seen.append), stage(timings, "2022Q4", "ingest"):
        assert seen == [events.Step("2022Q4", "ingest", False)]
    assert seen[-1] == events.Step("2022Q4", "ingest", True)
    assert timings["ingest"] >= 0
    with stage(timings, "2022Q4", "validate"):
        pass
    assert len(seen) == 2  # no longer listening


def test_a_cached_quarter_finishes_every_stage_at_once():
    seen = []
    with events.listening(seen.append):
        events.report_cached("2022Q3")
    assert [e.stage for e in seen] == list(events.STAGES)
    assert all(e.done and e.cached for e in seen)


def test_a_failing_stage_reports_no_end():
    seen = []
    with events.listening(seen.append), pytest.raises(RuntimeError), stage({}, "2022Q4", "render"):
        raise RuntimeError("disk full")
    assert seen == [events.Step("2022Q4", "render", False)]


@pytest.mark.parametrize(
    ("n", "parts", "sizes"),
    [
        (9, 16, [1] * 9),
        (10, 4, [3, 3, 2, 2]),
        (0, 4, []),
        (5, 1, [5]),
        (2844, 16, [178] * 12 + [177] * 4),
    ],
)
def test_batches_keep_order_and_split_evenly(n, parts, sizes):
    items = list(range(n))
    out = batches(items, parts)
    assert [len(b) for b in out] == sizes
    assert [x for b in out for x in b] == items
