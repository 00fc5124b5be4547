"""Files written so that a reader never sees half of one: atomic writes, folders swapped in whole, file
hashes, and the sweeper that removes what a killed run left behind.

Every temporary this project creates beside an output is hidden and named here: a file
`.<name>.<random>.tmp` (write_atomic) or a folder `.<folder>.<random>` / `.<folder>.old` (staging_dir,
swap_dir) for one of STAGED_FOLDERS. The sweeper knows exactly these, so a new staged folder cannot be
added without it (staging_dir refuses a name it does not list).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from core import outputs

TEMPORARY_SUFFIX = ".tmp"
# Folders built beside their place and swapped in whole: the validation's Data Docs, the distribution.
STAGED_FOLDERS = (outputs.DATA_DOCS_DIR, outputs.DISTRIBUTION_DIR)

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file atomically: a temp file beside the target, then rename over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for others to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    """The file's SHA-256, read in chunks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def staging_dir(parent: Path, name: str) -> Path:
    """A new hidden folder beside `parent / name` to build it in, then swap_dir it into place."""
    if name not in STAGED_FOLDERS:
        raise ValueError(f"{name!r} is not in STAGED_FOLDERS: the sweeper would not know its staging folders")
    return Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}."))


def swap_dir(staging: Path, target: Path) -> None:
    """Put a folder built beside (staging_dir) in place of `target`, whole: the old one is moved aside,
    the new one renamed in, the old one removed. A reader sees the old folder or the new, never a mix."""
    target = Path(target)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    Path(staging).rename(target)
    shutil.rmtree(old, ignore_errors=True)


def remove_stale_temporaries(folder: Path) -> int:
    """Remove what a killed run leaves behind: write_atomic's temporary files and the staging folders of
    STAGED_FOLDERS. Call only while holding the output folder's lock. Returns how many were removed."""
    removed = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    for path in folder.rglob(f".*{TEMPORARY_SUFFIX}"):
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    for name in STAGED_FOLDERS:
        for path in folder.rglob(f".{name}.*"):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed
