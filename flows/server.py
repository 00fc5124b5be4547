"""A local Prefect server for `chuangwen serve` on one office machine: schedules need a real server
(Prefect's temporary in-process server stores a schedule but never creates its runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def local_server(port: int, timeout: float = 90.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1:port (state in PREFECT_HOME, i.e. the project's state
    folder), point this process at it, and stop it on exit. Yields the UI's address."""
    api = f"http://127.0.0.1:{port}/api"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a service stop must still stop the server below
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"本机 Prefect 服务未能在 {timeout:.0f} 秒内启动（端口 {port}）")
            time.sleep(0.5)
        from prefect.settings import PREFECT_API_URL, temporary_settings

        before = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = api  # for subprocesses
        try:
            with temporary_settings(updates={PREFECT_API_URL: api}):  # settings are read once at import
                yield f"http://127.0.0.1:{port}"
        finally:
            if before is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = before
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def shared_api() -> Iterator[str]:
    """A Prefect API that other processes on this machine (Dask workers) reach too: the configured one,
    or else Prefect's own temporary server, started now instead of lazily. Its address is put in the
    environment for the duration, so that processes started meanwhile report to the same server
    instead of each starting a temporary server of its own."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = PREFECT_API_URL.value()
    if not url:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()  # the one Prefect itself would start: one per process
        server.start()
        url = server.api_url
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before
