"""Every file received is kept unchanged, addressed by its SHA-256, with a ledger of when and as what it
was accepted or rejected. Keeping the same file again for the same outcome changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from adapters.files import write_atomic

LEDGER = "ledger.jsonl"
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class Receipt:
    """One ledger line: a file as received for a quarter, and what became of it."""

    sha256: str
    file: str
    quarter: str
    county: str | None
    outcome: str  # accepted | rejected
    errors: tuple[str, ...]
    warnings: int
    received_at: str

    def key(self) -> tuple[str, str, str, str]:
        return (self.sha256, self.file, self.quarter, self.outcome)


class Archive:
    """A folder of received files (files/<sha[:2]>/<sha><suffix>) and its ledger (ledger.jsonl)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def object_path(self, sha256: str, suffix: str) -> Path:
        return self.root / "files" / sha256[:2] / f"{sha256}{suffix.lower()}"

    def receipts(self) -> list[Receipt]:
        path = self.root / LEDGER
        if not path.exists():
            return []
        receipts = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                fields = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short when a run was killed: its receipt is written again in full
            receipts.append(Receipt(**{**fields, "errors": tuple(fields["errors"])}))
        return receipts

    def keep(self, source: Path, receipt: Receipt) -> bool:
        """Store the file's bytes (once) and record the receipt (once). True if anything was new."""
        source = Path(source)
        data = source.read_bytes()
        target = self.object_path(receipt.sha256, source.suffix)
        new_object = not target.exists()
        if new_object:
            write_atomic(target, data)
        if receipt.key() in {r.key() for r in self.receipts()}:
            return new_object
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(receipt.__dict__, ensure_ascii=False, sort_keys=True) + "\n"
        with open(self.root / LEDGER, "a+b") as fh:
            if fh.tell() > 0:  # a line cut short by a killed append: start on a line of our own
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    line = "\n" + line
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        return True


def now() -> str:
    """The time of receipt, in the office's time zone."""
    return dt.datetime.now(CHINA).isoformat(timespec="seconds")
