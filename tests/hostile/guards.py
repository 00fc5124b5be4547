"""Watching a piece of work for what it must never do: write a file outside the folders it was given,
open a file named in hostile input (bait), or make a network connection. Python's audit hooks see every
open() and socket call made from Python code (not those inside C libraries such as fontconfig)."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Files a hostile input names; nothing may ever open them.
BAIT = ("/etc/passwd", "/etc/shadow", "/etc/hostname", "/root/.ssh/id_rsa")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@dataclass
class Watch:
    allowed: tuple[str, ...]
    violations: list[str] = field(default_factory=list)


_active: list[Watch] = []


def _writes(mode, flags) -> bool:
    if isinstance(mode, str):
        return any(ch in mode for ch in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _hook(event: str, args: tuple) -> None:
    if not _active:
        return
    watch = _active[-1]
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if not isinstance(path, str | bytes | os.PathLike):
            return  # a file descriptor
        real = os.path.realpath(os.fsdecode(path))
        if real in BAIT:
            watch.violations.append(f"opened {real}")
        elif _writes(mode, flags) and not (real + os.sep).startswith(watch.allowed) and real != os.devnull:
            watch.violations.append(f"wrote {real}")
    elif event == "urllib.Request" and str(args[0]).startswith("data:"):
        return  # an inline image handed to the PDF renderer: no request
    elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request", "http.client.connect"):
        watch.violations.append(f"{event} {str(args[:2])[:200]}")


sys.addaudithook(_hook)


@contextlib.contextmanager
def watched(*allowed: Path):
    """Everything inside may write only under `allowed` (and the system's temporary folder)."""
    import tempfile

    roots = tuple(os.path.realpath(p) + os.sep for p in (*allowed, tempfile.gettempdir()))
    watch = Watch(roots)
    _active.append(watch)
    try:
        yield watch
    finally:
        _active.remove(watch)
