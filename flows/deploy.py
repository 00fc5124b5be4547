"""Scaling out on a shared Prefect server: the flows as deployments on a work pool, run by Prefect
workers on any machine that has this project installed at the same path and sees the data folders at
the same paths (a shared mount). The server keeps the schedule and the runs' states; PostgreSQL is its
database when several machines share it (docs/scale-out.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.runtime import PROJECT_ROOT
from flows.schedule import DEFAULT_CRON, TIMEZONE

POOL = "chuangwen"
ENTRYPOINT = "flows/quarter.py"
ON_DEMAND_NAME = "on-demand"
# one quarter, given: what the portal's run button starts (and `chuangwen serve` serves by the same name)
ON_DEMAND = f"quarterly_assessment/{ON_DEMAND_NAME}"


@dataclass(frozen=True)
class Deployed:
    name: str  # "<flow>/<deployment>", as `prefect deployment run` takes it
    description: str


def deploy_flows(
    pool: str,
    raw_dir: Path,
    out_dir: Path,
    cron: str = DEFAULT_CRON,
    dask: str | None = None,
    project: Path = PROJECT_ROOT,
) -> list[Deployed]:
    """Create the process work pool (one flow run at a time: the history store has one writer) unless it
    exists, and deploy three flows on it, loaded from `project` on the worker's machine:
    quarterly_assessment/on-demand (one quarter, threads), backfill/on-demand (a range of quarters;
    `dask` spreads the per-county work over a Dask cluster) and scheduled_assessment/quarterly (the
    cron schedule in Asia/Shanghai). Data paths must be absolute: workers run elsewhere."""
    from prefect import Flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.schedules import Cron, Schedule

    raw_dir, out_dir = Path(raw_dir).resolve(), Path(out_dir).resolve()
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process", concurrency_limit=1))
    paths = {"raw_dir": str(raw_dir), "out_dir": str(out_dir)}
    plan: list[tuple[str, str, dict[str, Any], Schedule | None, str]] = [
        ("quarterly_assessment", ON_DEMAND_NAME, paths, None, "按需处理一个季度（参数 quarter，如 2022Q4）"),
        ("backfill", "on-demand", {**paths, "dask": dask}, None, "按顺序补算一段季度（参数 start、end）"),
        (
            "scheduled_assessment",
            "quarterly",
            {**paths, "dask": dask},
            Cron(cron, timezone=TIMEZONE),
            f"定时处理刚结束的季度（{cron}，北京时间）",
        ),
    ]
    done = []
    for entry, name, parameters, schedule, description in plan:
        flow = Flow.from_source(source=str(project), entrypoint=f"{ENTRYPOINT}:{entry}")
        # from_source is sync_compatible, typed Flow | Coroutine; called synchronously it returns the Flow
        flow.deploy(  # type: ignore[union-attr]
            name=name,
            work_pool_name=pool,
            build=False,
            push=False,
            parameters=parameters,
            schedule=schedule,
            description=description,
            print_next_steps=False,
        )
        done.append(Deployed(f"{entry}/{name}", description))
    return done
