"""创文 (chuangwen): the civilized-city office's quarterly data pipeline.

Importing the package pins every library's state and cache folders inside the project's own state
folder and switches telemetry off, before Prefect, Great Expectations or matplotlib are imported.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("CHUANGWEN_STATE", PROJECT_ROOT / ".state"))
STATE_DIR.mkdir(parents=True, exist_ok=True)

# Where state goes: respect an operator's own choice.
for _key, _value in {
    "PREFECT_HOME": str(STATE_DIR / "prefect"),
    "MPLCONFIGDIR": str(STATE_DIR / "matplotlib"),
    "XDG_CACHE_HOME": str(STATE_DIR / "cache"),
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "DASK_LOGGING__DISTRIBUTED": "warning",  # Dask's cluster start-up chatter would bury our messages
}.items():
    os.environ.setdefault(_key, _value)

# Telemetry: always off, whatever the environment says.
os.environ.update(
    {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }
)
