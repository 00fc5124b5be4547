"""The history store replaces one quarter at a time, in one transaction."""

from __future__ import annotations

import pandas as pd
import pytest

from adapters.history import HistoryStore


def frame(quarter_tag: str, n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county_code": [f"53260{i}" for i in range(n)],
            "total": [90.0 - i for i in range(n)],
            "note": [f"{quarter_tag}-{i}" if i else None for i in range(n)],
            "rank": pd.array(list(range(1, n + 1)), dtype="Int64"),
        }
    )


def test_writing_a_quarter_replaces_only_that_quarter(tmp_path):
    store = HistoryStore(tmp_path / "h.duckdb")
    for q in ("2022Q1", "2022Q2", "2022Q3"):
        store.write_quarter(q, {"ranking": frame(q)})
    before = store.read("ranking", ["2022Q1", "2022Q3"]).to_csv(index=False)
    store.write_quarter("2022Q2", {"ranking": frame("again", 2)})
    assert store.read("ranking", ["2022Q1", "2022Q3"]).to_csv(index=False) == before
    again = store.read("ranking", ["2022Q2"])
    assert len(again) == 2 and again["note"].tolist() == [None, "again-1"]
    assert store.quarters() == ["2022Q1", "2022Q2", "2022Q3"]


def test_a_failed_write_leaves_the_quarter_as_it_was(tmp_path):
    store = HistoryStore(tmp_path / "h.duckdb")
    store.write_quarter("2022Q1", {"ranking": frame("a"), "goals": frame("a")})
    with pytest.raises(ValueError):
        store.write_quarter("2022Q1", {"ranking": frame("b"), "nonsense": frame("b")})
    bad = frame("b").assign(total="not a number")  # the second table fails inside the transaction
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's conversion error type varies by version
        store.write_quarter("2022Q1", {"goals": frame("c"), "ranking": bad})
    assert store.read("goals", ["2022Q1"])["note"].tolist() == [None, "a-1", "a-2"]
    assert store.read("ranking", ["2022Q1"])["note"].tolist() == [None, "a-1", "a-2"]


def test_new_columns_are_added_and_old_rows_keep_theirs(tmp_path):
    store = HistoryStore(tmp_path / "h.duckdb")
    store.write_quarter("2022Q1", {"ranking": frame("a")})
    store.write_quarter("2022Q2", {"ranking": frame("b").assign(extra=1.5)})
    rows = store.read("ranking")
    assert rows.loc[rows["quarter"] == "2022Q2", "extra"].tolist() == [1.5] * 3
    assert rows.loc[rows["quarter"] == "2022Q1", "extra"].isna().all()


def test_history_values_are_the_same_quarter_in_earlier_years(tmp_path):
    store = HistoryStore(tmp_path / "h.duckdb")
    figures = pd.DataFrame(
        {
            "county_code": ["532601"] * 2,
            "item_id": ["6.3.2a", "1.1.1"],
            "kind": ["indicator", "task"],
            "value": [30.0, None],
        }
    )
    store.write_quarter("2020Q4", {"figures": figures.assign(value=[28.0, None])})
    store.write_quarter("2021Q4", {"figures": figures})
    store.write_quarter("2022Q3", {"figures": figures.assign(value=[99.0, None])})
    got = store.history_values("2022Q4").sort_values("years_back")
    assert got[["item_id", "years_back", "value"]].values.tolist() == [["6.3.2a", 1, 30.0], ["6.3.2a", 2, 28.0]]


def test_an_absent_store_reads_empty(tmp_path):
    store = HistoryStore(tmp_path / "none.duckdb")
    assert store.read("ranking").empty and store.quarters() == [] and store.latest_before("orders", "2022Q1").empty
    assert not (tmp_path / "none.duckdb").exists()


def test_numbers_in_a_column_of_numbers_and_answers_keep_their_digits(tmp_path):
    """indicator_scores' value column holds 是 and 1234567.5 alike: stored as text, it must not round
    (a carried annual figure is shown from it)."""
    import pandas as pd

    from adapters.history import HistoryStore

    store = HistoryStore(tmp_path / "h.duckdb")
    store.write_quarter(
        "2021Q4", {"indicator_scores": pd.DataFrame({"county_code": ["532601", "532622"], "value": ["是", 1234567.5]})}
    )
    assert store.read("indicator_scores", ["2021Q4"])["value"].tolist() == ["是", "1234567.5"]
