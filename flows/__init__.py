"""Prefect flows. Importing the package first imports chuangwen, which pins Prefect's home folder and
switches telemetry off before any flow module imports prefect."""

import chuangwen  # noqa: F401
