"""The archive of received files: each kept once by content, a ledger line per outcome, and a ledger
line cut short by a killed run neither breaks later reads nor swallows the next receipt."""

from __future__ import annotations

from adapters.archive import LEDGER, Archive, Receipt


def _receipt(sha: str, outcome: str = "accepted") -> Receipt:
    return Receipt(
        sha256=sha,
        file="砚山县.xlsx",
        quarter="2022Q4",
        county="砚山县",
        outcome=outcome,
        errors=(),
        warnings=0,
        received_at="2023-01-05T09:00:00+08:00",
    )


def test_a_file_is_kept_once_and_each_outcome_recorded_once(tmp_path):
    source = tmp_path / "砚山县.xlsx"
    source.write_bytes(b"bytes")
    archive = Archive(tmp_path / "received")
    assert archive.keep(source, _receipt("a" * 64)) is True
    assert archive.keep(source, _receipt("a" * 64)) is False
    assert archive.keep(source, _receipt("a" * 64, "rejected")) is True
    assert [r.outcome for r in archive.receipts()] == ["accepted", "rejected"]
    assert archive.object_path("a" * 64, ".xlsx").read_bytes() == b"bytes"


def test_a_ledger_line_cut_short_is_skipped_and_written_again_in_full(tmp_path):
    source = tmp_path / "砚山县.xlsx"
    source.write_bytes(b"bytes")
    archive = Archive(tmp_path / "received")
    archive.keep(source, _receipt("a" * 64))
    ledger = tmp_path / "received" / LEDGER
    whole = ledger.read_bytes()
    ledger.write_bytes(whole + whole[: len(whole) // 2])  # a second append killed half-way
    assert len(archive.receipts()) == 1
    assert archive.keep(source, _receipt("b" * 64)) is True
    assert [r.sha256[0] for r in archive.receipts()] == ["a", "b"]
    assert ledger.read_bytes().endswith(b"\n") and ledger.read_bytes().count(b"\n") == 3
