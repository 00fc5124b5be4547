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

for _key, _value in {
    "PREFECT_HOME": str(STATE_DIR / "prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "MPLCONFIGDIR": str(STATE_DIR / "matplotlib"),
    "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
}.items():
    os.environ.setdefault(_key, _value)
