"""The schedule's next dates (from Prefect's own cron engine) and the quarter each run computes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from flows.schedule import DEFAULT_CRON, TIMEZONE, next_runs, quarter_before

SHANGHAI = ZoneInfo(TIMEZONE)


def test_next_runs_are_the_tenth_after_each_quarter_at_nine_in_shanghai():
    runs = next_runs(5, dt.datetime(2022, 11, 29, tzinfo=SHANGHAI))
    local = [(d.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), q) for d, q in runs]
    assert local == [
        ("2023-01-10 09:00", "2022Q4"),
        ("2023-04-10 09:00", "2023Q1"),
        ("2023-07-10 09:00", "2023Q2"),
        ("2023-10-10 09:00", "2023Q3"),
        ("2024-01-10 09:00", "2023Q4"),
    ]
    assert runs[0][0].astimezone(dt.UTC).hour == 1  # 09:00 in Shanghai is 01:00 UTC


@pytest.mark.parametrize(
    ("moment", "quarter"),
    [
        (dt.datetime(2023, 1, 10, 9, tzinfo=SHANGHAI), "2022Q4"),
        (dt.datetime(2023, 1, 9, 17, 30, tzinfo=dt.UTC), "2022Q4"),  # 01:30 on the 10th in Shanghai
        (dt.datetime(2022, 12, 31, 16, 30, tzinfo=dt.UTC), "2022Q4"),  # already 1 January in Shanghai
        (dt.datetime(2022, 7, 10, 9, tzinfo=SHANGHAI), "2022Q2"),
    ],
)
def test_the_quarter_comes_from_the_scheduled_time(moment, quarter):
    assert quarter_before(moment) == quarter


def test_the_deployment_carries_the_schedule():
    from prefect.schedules import Cron

    from flows.quarter import scheduled_assessment

    deployment = scheduled_assessment.to_deployment(name="quarterly", schedule=Cron(DEFAULT_CRON, timezone=TIMEZONE))
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == DEFAULT_CRON and schedule.schedule.timezone == TIMEZONE
