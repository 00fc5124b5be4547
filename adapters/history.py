"""The history store: an embedded DuckDB database with every quarter's accepted figures, validation rule
results, scores, ranks, lists, goals and orders. Writing a quarter replaces that quarter's rows only, in
one transaction; other quarters' rows are never touched."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from core import faults
from core.quarters import parse_quarter, shift_quarter
from expectations.suites import HISTORY_YEARS
from transforms.history import QuarterHistory

TABLES = (
    "figures",
    "rules",
    "indicator_scores",
    "task_scores",
    "ranking",
    "deductions",
    "lists",
    "escalations",
    "goals",
    "orders",
    "progress",
    "robustness",
)


def _prepared(frame: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Types DuckDB can hold whatever the quarter: text columns as strings (a None stays NULL)."""
    out = frame.assign(quarter=quarter)
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            text = series.map(
                lambda v: (
                    None
                    if v is None or (isinstance(v, float) and pd.isna(v))
                    else (f"{v:.15g}" if isinstance(v, float) else str(v))
                )
            )
            out[col] = text.astype("object")
    return out


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "BIGINT"
    if pd.api.types.is_float_dtype(series):
        return "DOUBLE"
    return "VARCHAR"


KEEP_BACKUPS = 3  # rolling copies of the store, one from before each of the last quarters written


class HistoryDamaged(RuntimeError):
    """The store cannot be opened (a half-written or emptied file): said in Chinese, with what to do."""


class HistoryStore:
    """A DuckDB file; each table has a `quarter` column and is written one quarter at a time. Before each
    write a copy of the file is kept in `<name>.backups/` (the last KEEP_BACKUPS), so that a store damaged
    by a disk or a hand can be restored."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def backups(self) -> Path:
        return self.path.with_name(f"{self.path.name}.backups")

    def _connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        if read_only and not self.path.exists():
            return duckdb.connect(":memory:")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise HistoryDamaged(self._damaged(exc)) from exc

    def _damaged(self, exc: Exception) -> str:
        """What the office reads (the database's own words go to the log with the exception)."""
        copies = sorted(self.backups.glob("*.duckdb")) if self.backups.is_dir() else []
        empty = self.path.is_file() and self.path.stat().st_size == 0
        what = "文件是空的（0 字节）" if empty else "文件已损坏或不完整"
        if copies:
            restore = (
                f"请从备份恢复：把 {copies[-1]}（最近一次写入前的副本）复制为 {self.path} 后重新运行"
                f"（全部副本在 {self.backups}）"
            )
        else:
            restore = (
                f"没有备份副本：请把 {self.path.name} 改名保存以备查，再运行 chuangwen backfill "
                "由报送文件重新补算各季度"
            )
        return f"历史库 {self.path} 无法打开，{what}。未作任何处理，历史库和已有结果均未改动。{restore}。"

    def _keep_copy(self, quarter: str) -> None:
        """A copy of the store as it is before this quarter's write, written atomically; the oldest
        beyond KEEP_BACKUPS removed."""
        if not self.path.is_file():
            return
        self.backups.mkdir(parents=True, exist_ok=True)
        for stale in self.backups.glob(".*.tmp"):  # a copy cut short by a killed run
            stale.unlink(missing_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        target = self.backups / f"{self.path.stem}-{stamp}-before-{quarter}.duckdb"
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(self.path, tmp)
        os.replace(tmp, target)
        for old in sorted(self.backups.glob("*.duckdb"))[:-KEEP_BACKUPS]:
            old.unlink(missing_ok=True)

    def check(self) -> None:
        """Open the store and list its tables: HistoryDamaged if it cannot be read."""
        try:
            with self._connect(read_only=True) as con:
                con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        except duckdb.Error as exc:
            raise HistoryDamaged(self._damaged(exc)) from exc

    def write_quarter(self, quarter: str, tables: dict[str, pd.DataFrame]) -> None:
        """Replace this quarter's rows of every given table, all in one transaction (a copy of the store
        from before kept in the backups folder)."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown history tables: {sorted(unknown)}")
        self.check()
        self._keep_copy(quarter)
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for name, frame in tables.items():
                    self._replace(con, name, _prepared(frame, quarter), quarter)
                    faults.point("history-transaction")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    @staticmethod
    def _replace(con, name: str, frame: pd.DataFrame, quarter: str) -> None:
        existing = {
            r[0]: r[1]
            for r in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()
        }
        if not existing:
            columns = ", ".join(f'"{c}" {_sql_type(frame[c])}' for c in frame.columns)
            con.execute(f'CREATE TABLE "{name}" ({columns})')
        else:
            for c in frame.columns:
                if c not in existing:
                    con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{c}" {_sql_type(frame[c])}')
            con.execute(f'DELETE FROM "{name}" WHERE quarter = ?', [quarter])
        con.register("incoming", frame)
        con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM incoming')
        con.unregister("incoming")

    def read(self, name: str, quarters: list[str] | None = None) -> pd.DataFrame:
        """Rows of a table, for the given quarters or all; text NULLs come back as None."""
        with self._connect(read_only=True) as con:
            if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchall():
                return pd.DataFrame()
            if quarters is None:
                frame = con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').df()
            else:
                frame = con.execute(
                    f'SELECT * FROM "{name}" WHERE quarter IN (SELECT UNNEST(?)) ORDER BY ALL', [quarters]
                ).df()
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
        return frame

    def quarters(self, name: str = "ranking") -> list[str]:
        """The quarters a table holds, oldest first (read without loading the rows)."""
        self.check()
        with self._connect(read_only=True) as con:
            if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchall():
                return []
            return [r[0] for r in con.execute(f'SELECT DISTINCT quarter FROM "{name}" ORDER BY quarter').fetchall()]


class MemoryHistory:
    """The in-memory twin of HistoryStore for tests: the same tables, the same replace-one-quarter
    writes, text kept as DuckDB keeps it, rows in the same order (every column ascending, blanks last)."""

    def __init__(self) -> None:
        self.tables: dict[str, pd.DataFrame] = {}

    def write_quarter(self, quarter: str, tables: dict[str, pd.DataFrame]) -> None:
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown history tables: {sorted(unknown)}")
        for name, frame in tables.items():
            kept = self.tables.get(name)
            rows = _prepared(frame, quarter)
            if kept is not None:
                rows = pd.concat([kept[kept["quarter"] != quarter], rows], ignore_index=True)
            self.tables[name] = rows

    def read(self, name: str, quarters: list[str] | None = None) -> pd.DataFrame:
        if name not in self.tables:
            return pd.DataFrame()
        frame = self.tables[name]
        if quarters is not None:
            frame = frame[frame["quarter"].isin(quarters)]
        frame = frame.sort_values(list(frame.columns), na_position="last", kind="stable").reset_index(drop=True)
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                frame[col] = frame[col].astype("object").where(frame[col].notna(), None)
        return frame

    def quarters(self, name: str = "ranking") -> list[str]:
        return sorted(set(self.tables[name]["quarter"])) if name in self.tables else []


class History(Protocol):
    """What a quarter's run reads and writes of the history: HistoryStore (DuckDB) in production,
    MemoryHistory in tests."""

    def read(self, name: str, quarters: list[str] | None = None) -> pd.DataFrame: ...

    def quarters(self, name: str = "ranking") -> list[str]: ...

    def write_quarter(self, quarter: str, tables: dict[str, pd.DataFrame]) -> None: ...


def same_quarter_figures(store: History, quarter: str, years: int = HISTORY_YEARS) -> pd.DataFrame:
    """The same quarter one to `years` years earlier: county_code, item_id, years_back, value."""
    wanted = {shift_quarter(quarter, -4 * k): k for k in range(1, years + 1)}
    figures = store.read("figures", list(wanted))
    if figures.empty:
        return pd.DataFrame(columns=["county_code", "item_id", "value", "years_back"])
    figures = figures[figures["kind"] != "task"]
    return figures.assign(years_back=figures["quarter"].map(wanted))[
        ["county_code", "item_id", "value", "years_back"]
    ].reset_index(drop=True)


def latest_before(store: History, name: str, quarter: str) -> pd.DataFrame:
    """The rows of the most recent quarter before this one (e.g. last quarter's ranking or ledger)."""
    earlier = [q for q in store.quarters(name) if q < quarter]
    return store.read(name, [earlier[-1]]).drop(columns="quarter") if earlier else pd.DataFrame()


def before(store: History, name: str, quarter: str) -> pd.DataFrame:
    """All rows of earlier quarters."""
    earlier = [q for q in store.quarters(name) if q < quarter]
    return store.read(name, earlier) if earlier else pd.DataFrame()


def read_quarter_history(store: History, quarter: str, base_year: int) -> QuarterHistory:
    """One read of the store for a quarter's run."""
    year, q = parse_quarter(quarter)
    carried = store.read("indicator_scores", [f"{year - 1}Q4"]) if q != 4 else pd.DataFrame()
    base = store.read("figures", [f"{base_year}Q4"]) if base_year < year else pd.DataFrame()
    if len(base):
        base = base[base["kind"] != "task"][["county_code", "item_id", "value"]].reset_index(drop=True)
    return QuarterHistory(
        quarter=quarter,
        same_quarter=same_quarter_figures(store, quarter),
        previous_ranking=store.read("ranking", [shift_quarter(quarter, -1)]),
        rankings=before(store, "ranking", quarter),
        previous_orders=latest_before(store, "orders", quarter),
        lists=before(store, "lists", quarter),
        carried=carried,
        base_figures=base if len(base) else pd.DataFrame(columns=["county_code", "item_id", "value"]),
    )
