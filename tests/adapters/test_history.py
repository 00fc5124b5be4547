"""The history store replaces one quarter at a time, in one transaction."""

from __future__ import annotations

import pandas as pd
import pytest

from adapters.history import HistoryStore, MemoryHistory, latest_before, read_quarter_history, same_quarter_figures


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
    got = same_quarter_figures(store, "2022Q4").sort_values("years_back")
    assert got[["item_id", "years_back", "value"]].values.tolist() == [["6.3.2a", 1, 30.0], ["6.3.2a", 2, 28.0]]


def test_an_absent_store_reads_empty(tmp_path):
    store = HistoryStore(tmp_path / "none.duckdb")
    assert store.read("ranking").empty and store.quarters() == [] and latest_before(store, "orders", "2022Q1").empty
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


def _quarter_tables(quarter: str, shift: float) -> dict[str, pd.DataFrame]:
    """A small quarter with every kind of column the run writes: text with blanks, numbers, counts, flags."""
    codes = ["532601", "532622", "532623"]
    return {
        "figures": pd.DataFrame(
            {
                "county_code": codes * 2,
                "item_id": ["6.3.2a"] * 3 + ["1.1.1"] * 3,
                "kind": ["indicator"] * 3 + ["task"] * 3,
                "value": [30.0 + shift, None, 1234567.5, None, None, None],
                "answer": [None, "是", None, "已完成", "推进中", None],
            }
        ),
        "ranking": pd.DataFrame(
            {
                "county_code": codes,
                "county": ["文山市", "砚山县", "西畴县"],
                "total": [90.0 - shift, 85.5, None],
                "rank": pd.array([1, 2, None], dtype="Int64"),
                "not_ranked_reason": ["", "", "未报送"],
            }
        ),
        "orders": pd.DataFrame(
            {"order_id": [f"{quarter}-1"], "county_code": ["532622"], "status": ["整改中"], "overdue": [False]}
        ),
        "lists": pd.DataFrame({"county_code": codes, "list": ["红榜", None, "黑榜"]}),
        "indicator_scores": pd.DataFrame(
            {
                "county_code": codes,
                "indicator_id": ["6.3.2a"] * 3,
                "value": ["30", "是", None],
                "achievement": [1.0, 0.5, float("nan")],
            }
        ),
    }


def test_the_memory_twin_gives_the_quarter_history_the_duckdb_store_gives(tmp_path):
    duck, memory = HistoryStore(tmp_path / "h.duckdb"), MemoryHistory()
    for k, quarter in enumerate(["2020Q4", "2021Q3", "2021Q4", "2022Q2", "2022Q3"]):
        for store in (duck, memory):
            store.write_quarter(quarter, _quarter_tables(quarter, k))
    for store in (duck, memory):  # rewriting a quarter replaces its rows only
        store.write_quarter("2022Q3", _quarter_tables("2022Q3", 9))
    assert duck.quarters() == memory.quarters() == ["2020Q4", "2021Q3", "2021Q4", "2022Q2", "2022Q3"]
    for quarter in ("2022Q4", "2022Q1", "2021Q4"):
        a, b = read_quarter_history(duck, quarter, 2020), read_quarter_history(memory, quarter, 2020)
        for name, frame in a.frames().items():
            pd.testing.assert_frame_equal(
                frame.reset_index(drop=True),
                b.frames()[name].reset_index(drop=True),
                check_dtype=False,
                check_index_type=False,
                obj=f"{quarter} {name}",
            )
