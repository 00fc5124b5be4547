"""The 报送平台's accounts, sessions and audit log, in one SQLite file in the state folder.

One account per county (and the office's own), created by the office: `chuangwen portal user add 砚山县`
prints a one-time password, which the user must replace at the first login. Passwords are kept as scrypt
hashes (memory-hard: 2^15 × 8 × 128 bytes = 32 MiB a try, standard library, no extra dependency) with a
salt of their own. The sixth wrong password in a row locks the account for LOCK_MINUTES; a right one resets
the count. Sessions are random tokens of which only the SHA-256 is stored, so a copy of the file opens no
session. Every login, failed login, lock-out, upload, download and run is written to the audit table.

SQLite in WAL mode with a busy timeout: the portal's worker threads and the command line may write at
once without losing a row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.vocab import OFFICE

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
ALLOWED_FAILURES = 5  # the sixth wrong password in a row locks the account
LOCK_MINUTES = 15
SESSION_HOURS = 8

_SCHEMA = """
create table if not exists accounts (
    name text primary key,
    hash text not null,
    must_change integer not null,
    failures integer not null default 0,
    locked_until text,
    created text not null
);
create table if not exists sessions (
    token_hash text primary key,
    name text not null references accounts(name) on delete cascade,
    csrf text not null,
    expires text not null
);
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null,
    name text,
    event text not null,
    detail text not null default ''
);
"""


class AccountError(Exception):
    """A refused account operation, worded for the user (Chinese)."""


@dataclass(frozen=True)
class Session:
    name: str  # the account: a county's name or OFFICE
    csrf: str  # the token every form of this session must carry
    must_change: bool  # the one-time password is still in use: only the change-password page is open


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 2**20, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 2**20, dklen=32
    )
    return hmac.compare_digest(got.hex(), digest)


def check_new_password(password: str) -> None:
    """A new password a county can keep: at least 10 characters, not all of one kind."""
    if len(password) < 10:
        raise AccountError("新密码至少需要 10 个字符。")
    kinds = sum(any(test(ch) for ch in password) for test in (str.isdigit, str.isalpha, lambda c: not c.isalnum()))
    if kinds < 2:
        raise AccountError("新密码需同时包含字母、数字或符号中的至少两类。")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class AccountStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("pragma journal_mode=wal")
            db.executescript(_SCHEMA)
        finally:
            db.close()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("pragma foreign_keys=on")
            db.execute("begin immediate")
            try:
                yield db
            except BaseException:
                db.execute("rollback")
                raise
            db.execute("commit")
        finally:
            db.close()

    def audit(self, name: str | None, event: str, detail: str = "") -> None:
        with self._db() as db:
            db.execute(
                "insert into audit (at, name, event, detail) values (?, ?, ?, ?)",
                (_now().isoformat(timespec="seconds"), name, event, detail),
            )

    def audit_log(self) -> list[tuple[str, str | None, str, str]]:
        with self._db() as db:
            return list(db.execute("select at, name, event, detail from audit order by id"))

    def names(self) -> list[str]:
        with self._db() as db:
            return [row[0] for row in db.execute("select name from accounts order by name")]

    def add(self, name: str) -> str:
        """Create the account (or give an existing one a new one-time password); returns the password."""
        password = secrets.token_urlsafe(12)
        with self._db() as db:
            db.execute(
                "insert into accounts (name, hash, must_change, created) values (?, ?, 1, ?) "
                "on conflict(name) do update set hash = excluded.hash, must_change = 1, failures = 0, "
                "locked_until = null",
                (name, hash_password(password), _now().isoformat(timespec="seconds")),
            )
            db.execute("delete from sessions where name = ?", (name,))
        self.audit(None, "account", f"{name}：设置一次性密码")
        return password

    def login(self, name: str, password: str) -> tuple[str, Session]:
        """A new session token for the right password; AccountError otherwise (the same words for an unknown
        name and a wrong password, so that the page does not tell which accounts exist)."""
        wrong = AccountError("用户名或密码不正确。")
        now = _now()
        with self._db() as db:
            row = db.execute(
                "select hash, must_change, failures, locked_until from accounts where name = ?", (name,)
            ).fetchone()
        if row is None:
            verify_password(password, hash_password("-"))  # as slow as a real check
            self.audit(name, "login-failed", "无此用户")
            raise wrong
        stored, must_change, failures, locked_until = row
        if locked_until and dt.datetime.fromisoformat(locked_until) > now:
            self.audit(name, "login-locked")
            raise AccountError(
                f"连续输错密码 {ALLOWED_FAILURES + 1} 次，账户已锁定，请 {LOCK_MINUTES} 分钟后再试或联系{OFFICE}。"
            )
        if not verify_password(password, stored):
            failures += 1
            lock = (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat() if failures > ALLOWED_FAILURES else None
            with self._db() as db:
                db.execute(
                    "update accounts set failures = ?, locked_until = ? where name = ?",
                    (0 if lock else failures, lock, name),
                )
            self.audit(name, "login-failed", f"第{failures}次" + ("，账户锁定" if lock else ""))
            raise wrong
        token = secrets.token_urlsafe(32)
        session = Session(name, secrets.token_urlsafe(32), bool(must_change))
        with self._db() as db:
            db.execute("update accounts set failures = 0, locked_until = null where name = ?", (name,))
            db.execute("delete from sessions where expires < ?", (now.isoformat(),))
            db.execute(
                "insert into sessions (token_hash, name, csrf, expires) values (?, ?, ?, ?)",
                (_token_hash(token), name, session.csrf, (now + dt.timedelta(hours=SESSION_HOURS)).isoformat()),
            )
        self.audit(name, "login")
        return token, session

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._db() as db:
            row = db.execute(
                "select s.name, s.csrf, s.expires, a.must_change from sessions s join accounts a on a.name = s.name "
                "where s.token_hash = ?",
                (_token_hash(token),),
            ).fetchone()
        if row is None or dt.datetime.fromisoformat(row[2]) < _now():
            return None
        return Session(row[0], row[1], bool(row[3]))

    def logout(self, token: str) -> None:
        with self._db() as db:
            db.execute("delete from sessions where token_hash = ?", (_token_hash(token),))

    def change_password(self, name: str, old: str, new: str) -> None:
        with self._db() as db:
            row = db.execute("select hash from accounts where name = ?", (name,)).fetchone()
        if row is None or not verify_password(old, row[0]):
            raise AccountError("原密码不正确。")
        if new == old:
            raise AccountError("新密码不能与原密码相同。")
        check_new_password(new)
        with self._db() as db:
            db.execute("update accounts set hash = ?, must_change = 0 where name = ?", (hash_password(new), name))
        self.audit(name, "password-changed")
