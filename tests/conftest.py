"""Shared fixtures: the one Prefect test harness for the few end-to-end runs."""

from __future__ import annotations

import pytest

import chuangwen  # noqa: F401  (state folders and telemetry switches before prefect is imported)


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
