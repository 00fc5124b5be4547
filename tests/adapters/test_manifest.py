"""The input key changes with any input, and a cached run is only reused when its outputs are intact."""

from __future__ import annotations

from adapters.history import HistoryStore, read_quarter_history
from adapters.manifest import cached_outputs, input_key, write_manifest
from expectations.settings import CONFIG_PATH


def key(quarter, raw, store, options=None):
    return input_key(quarter, raw, read_quarter_history(store, quarter, 2021), CONFIG_PATH, options)


def test_key_changes_with_files_options_and_history(tmp_path):
    raw = tmp_path / "2022Q4"
    raw.mkdir()
    (raw / "砚山县.xlsx").write_bytes(b"one")
    store = HistoryStore(tmp_path / "h.duckdb")
    first = key("2022Q4", raw, store)
    assert key("2022Q4", raw, store)["key"] == first["key"]
    (raw / "砚山县.xlsx").write_bytes(b"two")
    assert key("2022Q4", raw, store)["key"] != first["key"]
    (raw / "砚山县.xlsx").write_bytes(b"one")
    assert key("2022Q4", raw, store, {"doc_number": "x"})["key"] != first["key"]
    import pandas as pd

    store.write_quarter("2022Q3", {"ranking": pd.DataFrame({"county_code": ["532601"], "total": [90.0]})})
    second = key("2022Q4", raw, store)["key"]
    assert second != first["key"]
    store.write_quarter(
        "2021Q4",
        {
            "figures": pd.DataFrame(
                {"county_code": ["532601"], "item_id": ["6.3.2a"], "kind": ["indicator"], "value": [36.0]}
            )
        },
    )
    assert key("2022Q4", raw, store)["key"] != second  # last year's figures and the progress base year


def test_cached_outputs_need_the_same_key_and_intact_files(tmp_path):
    folder = tmp_path / "2022Q4"
    folder.mkdir()
    (folder / "bulletin.pdf").write_bytes(b"pdf")
    inputs = {"quarter": "2022Q4", "key": "abc"}
    write_manifest(folder, inputs, {"bulletin.pdf": folder / "bulletin.pdf"}, {"render": 1.0}, "2022.1")
    assert cached_outputs(folder, "abc") == {"bulletin.pdf": folder / "bulletin.pdf"}
    assert cached_outputs(folder, "other") is None
    (folder / "bulletin.pdf").write_bytes(b"changed by hand")
    assert cached_outputs(folder, "abc") is None


def test_the_first_quarter_keeps_its_key_once_the_store_has_tables(tmp_path):
    """Writing 2021Q2 creates the store's tables; 2021Q1, which reads nothing from them, is unchanged."""
    import pandas as pd

    raw = tmp_path / "2021Q1"
    raw.mkdir()
    store = HistoryStore(tmp_path / "h.duckdb")
    before = key("2021Q1", raw, store)["key"]
    store.write_quarter(
        "2021Q2",
        {
            "ranking": pd.DataFrame({"county_code": ["532601"], "total": [90.0]}),
            "orders": pd.DataFrame({"order_id": ["2021Q2-532601-1.1.1"]}),
            "lists": pd.DataFrame({"county_code": ["532601"]}),
            "figures": pd.DataFrame({"county_code": ["532601"], "item_id": ["1.1.1"]}),
        },
    )
    assert key("2021Q1", raw, store)["key"] == before
