"""Returns received through the 报送平台: every uploaded version kept in the archive (by its SHA-256, with a
receipt in the archive's ledger), a line per upload in the portal's own ledger (who, when, the check's
counts, whether it was placed), and the latest file without errors placed atomically where the pipeline
reads it: <raw>/<quarter>/<县名><suffix>.

A county that changes format (an .xls after an .xlsx) would leave two files for one county, which the run
reports as a duplicate: the other one is archived (it may be a file the office put there by hand) and then
removed. All of it happens under one lock per quarter (threads and processes alike), so two
uploads at once, of one county or of two, lose nothing and leave one placed file per county.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from adapters.archive import Archive, Receipt, now
from adapters.files import sha256_file, write_atomic
from adapters.returns import FileResult
from adapters.spreadsheets import SPREADSHEET_SUFFIXES

LEDGER = "uploads.jsonl"
_THREADS = threading.Lock()


@dataclass(frozen=True)
class Upload:
    """One upload: whose, when, its file's hash and check result, and whether it became the county's file."""

    county: str
    quarter: str
    sha256: str
    suffix: str
    by: str
    at: str
    errors: int
    warnings: int
    placed: bool
    id: int  # its number in the ledger (1, 2, …): the name of its stored check result


class Submissions:
    def __init__(self, raw_dir: Path, archive_dir: Path) -> None:
        self.raw_dir = Path(raw_dir)
        self.archive = Archive(archive_dir)

    @contextmanager
    def _locked(self, quarter: str) -> Iterator[None]:
        (self.raw_dir / quarter).mkdir(parents=True, exist_ok=True)
        self.archive.root.mkdir(parents=True, exist_ok=True)  # not in the raw folder: the run reads every file there
        with _THREADS:
            fd = os.open(self.archive.root / f".portal-{quarter}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def receive(self, path: Path, result: FileResult, county: str, quarter: str, by: str, report: dict) -> Upload:
        """Keep the checked file (named <county><suffix> by the caller) and its check `report` (what the
        county was shown), and place the file when it has no error."""
        path = Path(path)
        placed = result.clean
        with self._locked(quarter):
            self.archive.keep(path, result.receipt(quarter, now(), accepted=placed))
            if placed:
                target = self.raw_dir / quarter / path.name
                for suffix in SPREADSHEET_SUFFIXES:
                    other = target.with_suffix(suffix)
                    if other != target and other.exists():
                        self._archive_replaced(other, county, quarter)
                        other.unlink()
                write_atomic(target, path.read_bytes())
            number = len(self._all()) + 1
            upload = Upload(
                county,
                quarter,
                result.sha256 or sha256_file(path),
                path.suffix,
                by,
                now(),
                len(result.errors),
                len(result.warnings),
                placed,
                number,
            )
            write_atomic(self._report_path(number), json.dumps(report, ensure_ascii=False).encode("utf-8"))
            with open(self.archive.root / LEDGER, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(asdict(upload), ensure_ascii=False, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return upload

    def _archive_replaced(self, path: Path, county: str, quarter: str) -> None:
        receipt = Receipt(sha256_file(path), path.name, quarter, county, "replaced", (), 0, now())
        self.archive.keep(path, receipt)

    def _report_path(self, number: int) -> Path:
        return self.archive.root / "reports" / f"{number}.json"

    def _all(self) -> list[Upload]:
        path = self.archive.root / LEDGER
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(Upload(**json.loads(line)))
            except (json.JSONDecodeError, TypeError):
                continue  # a line cut short by a killed process
        return out

    def uploads(self, quarter: str) -> list[Upload]:
        return [u for u in self._all() if u.quarter == quarter]

    def report(self, upload: Upload) -> dict:
        """The check result the county was shown for this upload."""
        return json.loads(self._report_path(upload.id).read_text(encoding="utf-8"))

    def placed(self, county: str, quarter: str) -> Path | None:
        """The county's file the run will read, however it got there (the portal or the office's hand)."""
        for suffix in SPREADSHEET_SUFFIXES:
            path = self.raw_dir / quarter / f"{county}{suffix}"
            if path.exists():
                return path
        return None
