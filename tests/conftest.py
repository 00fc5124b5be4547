"""Shared fixtures: the one Prefect test harness for the few end-to-end runs."""

from __future__ import annotations

import pytest

import chuangwen  # noqa: F401  (state folders and telemetry switches before prefect is imported)


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def rewrite_zip():
    """rewrite_zip(path, change): replace an .xlsx package's parts; change maps {part name: bytes} to new."""
    import zipfile

    def rewrite(path, change):
        with zipfile.ZipFile(path) as src:
            files = {n: src.read(n) for n in src.namelist()}
        files = change(files)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for n, data in files.items():
                dst.writestr(n, data)

    return rewrite
