"""Serving the portal with uvicorn: for one quarter (`chuangwen portal --quarter`, or the latest in the raw
folder), or following the calendar (`chuangwen serve`, which runs for months): the quarter that ended
last, the app made afresh for the next one at the midnight that quarter ends (Asia/Shanghai). Sessions and
accounts live in the account store, so nobody is signed out by the change; requests under way finish."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from starlette.types import ASGIApp

from flows.schedule import next_quarter_start, quarter_before


def serve_portal(
    make_app: Callable[[str], ASGIApp],
    host: str,
    port: int,
    quarter: str | None = None,
    started: Callable[[str], None] = lambda quarter: None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> None:
    """Serve make_app(quarter) on host:port until stopped (Ctrl+C in the main thread; with the process
    otherwise). quarter None: follow the calendar. `started` is told each quarter as it is served."""
    import uvicorn

    while True:
        moment = now()
        current = quarter or quarter_before(moment)
        config = uvicorn.Config(make_app(current), host=host, port=port, log_level="warning", server_header=False)
        server = uvicorn.Server(config)
        turned = threading.Event()
        if quarter is None:

            def turn(server: uvicorn.Server = server, turned: threading.Event = turned) -> None:
                turned.set()
                server.should_exit = True

            seconds = (next_quarter_start(moment) - moment).total_seconds()
            timer = threading.Timer(max(seconds, 1.0), turn)
            timer.daemon = True
            timer.start()
        started(current)
        server.run()
        if not turned.is_set():
            return
