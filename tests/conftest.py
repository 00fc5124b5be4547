"""Shared fixtures: the one Prefect test harness for the few end-to-end runs."""

from __future__ import annotations

import pytest

from core.runtime import configure

configure()  # state folders and telemetry switches before prefect is imported


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


# --- docs/reliability.md: what the software has been tested against ------------------------------------
# Tests under tests/hostile/ describe each case with the `reliability` fixture; when the whole of
# tests/hostile/ ran (nothing deselected), the session writes docs/reliability.md from those records
# and the tests' outcomes. Deterministic: no times or dates, cases in a fixed order.

RELIABILITY_DIR = "hostile"
_reliability_cases: dict[str, dict] = {}
_reliability_state = {"deselected": False, "collected": set()}


@pytest.fixture
def reliability(request):
    """reliability(group, case, tried, expected, checked): describe this test's case for the report."""

    def record(group: str, case: str, tried: str, expected: str, checked: str) -> None:
        _reliability_cases[request.node.nodeid] = {
            "group": group,
            "case": case,
            "tried": tried,
            "expected": expected,
            "checked": checked,
            "outcome": None,
        }

    return record


def pytest_collection_modifyitems(session, config, items):
    _reliability_state["collected"] = {item.path for item in items if item.path.parent.name == RELIABILITY_DIR}


def pytest_deselected(items):
    if any(item.path.parent.name == RELIABILITY_DIR for item in items):
        _reliability_state["deselected"] = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    case = _reliability_cases.get(item.nodeid)
    if case is None:
        return
    if (report.when == "call" or report.failed) and case["outcome"] != "failed":
        case["outcome"] = "passed" if report.passed else "failed"


def pytest_sessionfinish(session, exitstatus):
    from pathlib import Path

    folder = Path(__file__).parent / RELIABILITY_DIR
    every_file = set(folder.glob("test_*.py"))
    if not _reliability_cases or _reliability_state["deselected"] or _reliability_state["collected"] != every_file:
        return  # only part of the cases ran: keep the report of the last full run
    from reliability_report import write_report

    write_report(Path(__file__).parent.parent / "docs" / "reliability.md", list(_reliability_cases.values()))
