"""Fault injection for the crash tests (tests/hostile/test_crash.py): with CHUANGWEN_KILL_AT set to a
point's name, the process kills itself with SIGKILL when it reaches that point: no exception handler,
finally clause or exit hook runs, as when the power goes or the machine's OOM killer strikes. Unset in
normal use, where a point costs one dictionary lookup."""

from __future__ import annotations

import os
import signal

KILL_AT = "CHUANGWEN_KILL_AT"

# Where a run can be killed: the start of each stage, between two output files, inside the history
# store's transaction, and before the manifest that marks a run complete.
POINTS = ("ingest", "validate", "score", "render", "write-files", "history-transaction", "record", "manifest")


def point(name: str) -> None:
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
