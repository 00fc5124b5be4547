"""Atomic writes, whole-folder swaps and the sweeper that knows every staging prefix."""

from __future__ import annotations

import pytest

from adapters.files import STAGED_FOLDERS, remove_stale_temporaries, sha256_file, staging_dir, swap_dir, write_atomic
from core import outputs


def test_write_atomic_replaces_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a" / "scores.csv"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["scores.csv"]
    assert target.stat().st_mode & 0o044  # readable by others, unlike mkstemp's 0600


def test_sha256_file_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "x.bin"
    path.write_bytes(b"\x00" * 300_000)
    assert sha256_file(path) == hashlib.sha256(b"\x00" * 300_000).hexdigest()


def test_swap_dir_puts_the_new_folder_in_place_and_removes_the_old(tmp_path):
    target = tmp_path / outputs.DISTRIBUTION_DIR
    target.mkdir()
    (target / "old.txt").write_text("old")
    staging = staging_dir(tmp_path, outputs.DISTRIBUTION_DIR)
    (staging / "new.txt").write_text("new")
    swap_dir(staging, target)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == [outputs.DISTRIBUTION_DIR]


def test_staging_dir_refuses_a_folder_the_sweeper_would_not_know(tmp_path):
    with pytest.raises(ValueError, match="STAGED_FOLDERS"):
        staging_dir(tmp_path, "elsewhere")


def test_sweeper_removes_what_a_killed_run_leaves_behind_and_nothing_else(tmp_path):
    quarter = tmp_path / "2022Q4"
    (quarter / "validation").mkdir(parents=True)
    (quarter / "scores.csv").write_text("kept")
    (quarter / ".scores.csv.abc123.tmp").write_text("half")
    leftovers = [
        staging_dir(quarter, outputs.DISTRIBUTION_DIR),
        staging_dir(quarter / "validation", outputs.DATA_DOCS_DIR),
        quarter / f".{outputs.DISTRIBUTION_DIR}.old",
    ]
    leftovers[-1].mkdir()
    for folder in leftovers:
        (folder / "part.pdf").write_text("x")
    assert remove_stale_temporaries(tmp_path) == 1 + len(leftovers)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "2022Q4",
        "2022Q4/scores.csv",
        "2022Q4/validation",
    ]
    assert set(STAGED_FOLDERS) == {outputs.DISTRIBUTION_DIR, outputs.DATA_DOCS_DIR}
