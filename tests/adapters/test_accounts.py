"""The portal's account store: one-time passwords, scrypt hashes, lock-out, sessions, the audit log."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from adapters import accounts
from adapters.accounts import AccountError, AccountStore


@pytest.fixture
def store(tmp_path):
    return AccountStore(tmp_path / "portal.sqlite3")


def test_a_one_time_password_opens_a_session_that_must_change_it(store):
    password = store.add("砚山县")
    token, session = store.login("砚山县", password)
    assert session.must_change and store.session(token) == session
    store.change_password("砚山县", password, "wenshan-2023!")
    assert not store.session(token).must_change
    with pytest.raises(AccountError):
        store.login("砚山县", password)
    assert store.login("砚山县", "wenshan-2023!")[1].name == "砚山县"


def test_only_hashes_are_stored(store):
    password = store.add("砚山县")
    token, _ = store.login("砚山县", password)
    dump = "\n".join(sqlite3.connect(store.path).iterdump())
    assert password not in dump and token not in dump
    stored = sqlite3.connect(store.path).execute("select hash from accounts").fetchone()[0]
    assert stored.startswith("scrypt$32768$8$1$") and accounts.verify_password(password, stored)
    assert not accounts.verify_password(password + "x", stored)


def test_the_sixth_wrong_password_locks_the_account(store, monkeypatch):
    password = store.add("砚山县")
    for _ in range(5):
        with pytest.raises(AccountError, match="用户名或密码不正确"):
            store.login("砚山县", "wrong")
    assert store.login("砚山县", password)  # five wrong, then right: still open, and the count starts again
    for _ in range(6):
        with pytest.raises(AccountError):
            store.login("砚山县", "wrong")
    with pytest.raises(AccountError, match="账户已锁定"):
        store.login("砚山县", password)  # the right password too, while locked
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=accounts.LOCK_MINUTES + 1)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert store.login("砚山县", password)[1].name == "砚山县"
    events = [event for _, _, event, _ in store.audit_log()]
    assert events.count("login-failed") == 11 and "login-locked" in events and events.count("login") == 2


def test_an_unknown_name_reads_like_a_wrong_password(store):
    with pytest.raises(AccountError, match="用户名或密码不正确"):
        store.login("不存在县", "x")


def test_a_new_password_must_be_real(store):
    password = store.add("砚山县")
    for weak in ("short1", "aaaaaaaaaaaa", password):
        with pytest.raises(AccountError):
            store.change_password("砚山县", password, weak)
    with pytest.raises(AccountError, match="原密码不正确"):
        store.change_password("砚山县", "wrong", "wenshan-2023!")


def test_a_new_one_time_password_ends_the_old_sessions(store):
    token, _ = store.login("砚山县", store.add("砚山县"))
    store.add("砚山县")
    assert store.session(token) is None
    assert store.session("forged") is None and store.session(None) is None


def test_expired_sessions_are_refused(store, monkeypatch):
    token, _ = store.login("砚山县", store.add("砚山县"))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=accounts.SESSION_HOURS + 1)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert store.session(token) is None


def test_writers_at_once_lose_no_audit_row(store):
    def write(k):
        for i in range(20):
            store.audit(f"县{k}", "upload", str(i))

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.audit_log()) == 160
