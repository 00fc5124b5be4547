"""The office starts the quarter's run from the portal: the same `chuangwen run` as on the command line, in
a process of its own (a failing run cannot take the portal down, and its settings checks, backfill and
messages are the command line's), one at a time, its output kept in a log the office can follow."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunState:
    running: bool
    returncode: int | None  # None: never started, or still running
    log: str  # what the command printed (Chinese, as in a terminal)


class QuarterRuns:
    def __init__(self, raw_dir: Path, out_dir: Path, log_path: Path) -> None:
        self.raw_dir, self.out_dir, self.log_path = Path(raw_dir), Path(out_dir), Path(log_path)
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None

    def start(self, quarter: str) -> bool:
        """Start the run unless one is going; True if started."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return False
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log = self.log_path.open("wb")
            command = [sys.executable, "-m", "chuangwen", "run", "--quarter", quarter]
            command += ["--raw", str(self.raw_dir), "--out", str(self.out_dir)]
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            return True

    def state(self) -> RunState:
        with self._lock:
            process = self._process
        log = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        if process is None:
            return RunState(False, None, log)
        code = process.poll()
        return RunState(code is None, code, log)
