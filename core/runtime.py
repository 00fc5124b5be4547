"""Where the libraries keep their state, and telemetry off: set up before Prefect, Great Expectations or
matplotlib is first imported.

Nothing happens when this module is imported. `configure()` is called by the command line at start, by the
flows package (a Prefect worker imports a flow without going through the command line) and, just before
importing the library, by each module that imports Great Expectations or matplotlib lazily. It lives in
core/ rather than in the application package because those lower layers must be able to call it.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def state_dir() -> Path:
    """The project's state folder: CHUANGWEN_STATE, else .state/ in the project."""
    return Path(os.environ.get("CHUANGWEN_STATE", PROJECT_ROOT / ".state"))


def configure() -> Path:
    """Pin every library's state and cache folders inside the state folder (an operator's own choice is
    respected) and switch telemetry off whatever the environment says. Idempotent; returns the folder."""
    state = state_dir()
    state.mkdir(parents=True, exist_ok=True)
    for key, value in {
        "PREFECT_HOME": str(state / "prefect"),
        "MPLCONFIGDIR": str(state / "matplotlib"),
        "XDG_CACHE_HOME": str(state / "cache"),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DASK_LOGGING__DISTRIBUTED": "warning",  # Dask's cluster start-up chatter would bury our messages
        # Prefect's temporary server gets 20 s to start by default; a busy office machine can need more
        # (seen: a run failing with "Timed out while attempting to connect to ephemeral Prefect API server")
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }.items():
        os.environ.setdefault(key, value)
    os.environ.update(
        {
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    return state
