"""The quarterly schedule: after each quarter's submission deadline (default 09:00 on the 10th of
January, April, July and October, Asia/Shanghai), run the quarter that has just ended. The quarter is
derived from the run's scheduled time, never from the clock."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from core.quarters import shift_quarter

DEFAULT_CRON = "0 9 10 1,4,7,10 *"
TIMEZONE = "Asia/Shanghai"


def quarter_before(moment: dt.datetime) -> str:
    """The quarter that ended before `moment` (read in Asia/Shanghai): 2023-01-10 09:00 → 2022Q4."""
    local = moment.astimezone(ZoneInfo(TIMEZONE)) if moment.tzinfo else moment
    return shift_quarter(f"{local.year}Q{(local.month - 1) // 3 + 1}", -1)


def next_quarter_start(moment: dt.datetime) -> dt.datetime:
    """When the quarter `moment` is in ends (midnight at the start of the next, Asia/Shanghai): from then
    on quarter_before names the quarter that has just ended."""
    local = moment.astimezone(ZoneInfo(TIMEZONE))
    month = (local.month - 1) // 3 * 3 + 4
    return dt.datetime(local.year + (month > 12), (month - 1) % 12 + 1, 1, tzinfo=ZoneInfo(TIMEZONE))


def next_runs(n: int, start: dt.datetime, cron: str = DEFAULT_CRON) -> list[tuple[dt.datetime, str]]:
    """The next n scheduled times after `start`, computed by Prefect's own cron schedule, each with the
    quarter it runs."""
    from prefect.server.schemas.schedules import CronSchedule

    dates = asyncio.run(CronSchedule(cron=cron, timezone=TIMEZONE).get_dates(n=n, start=start))
    return [(d, quarter_before(d)) for d in dates]
