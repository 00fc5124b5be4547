"""The portal the tests of tests/web sign in to: three accounts (two counties and the office), its data
folders in the test's own temporary folder, the quarter 2022Q4."""

from __future__ import annotations

import pytest

from adapters.accounts import AccountStore
from adapters.submissions import Submissions
from core.vocab import OFFICE
from expectations.catalog import load_catalog
from web.app import Portal
from web.runs import ProcessRuns


@pytest.fixture
def portal(tmp_path):
    """(Portal, {account name: its one-time password})."""
    store = AccountStore(tmp_path / "portal.sqlite3")
    once = {name: store.add(name) for name in ("砚山县", "丘北县", OFFICE)}
    raw, out = tmp_path / "raw", tmp_path / "out"
    runs = ProcessRuns(raw, out, tmp_path / "run.log")
    return Portal(store, load_catalog(), "2022Q4", Submissions(raw, tmp_path / "received"), out, runs), once
