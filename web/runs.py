"""The office starts the quarter's run from the portal, one at a time, and follows it.

Two ways, chosen when the portal starts (`chuangwen portal`, `chuangwen serve`):
- ProcessRuns: the same `chuangwen run` as on the command line, in a process of its own (a failing run
  cannot take the portal down, and its settings checks, backfill and messages are the command line's), its
  output kept in a log the office can follow.
- DeploymentRuns: when a Prefect server is configured, through its deployment of the quarterly flow
  (`chuangwen deploy` on a shared server and its workers, or the one `chuangwen serve` serves itself): the
  run is Prefect's, in its UI beside the scheduled ones; the portal shows its state and its log lines."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from adapters.files import write_atomic

# Prefect's state names (prefect.client.schemas.objects.StateType and its named states) as the office reads them
STATE_WORDS = {
    "Scheduled": "已提交，等待工作进程领取",
    "Late": "已逾时仍未被领取（请确认工作进程在运行）",
    "AwaitingRetry": "等待重试",
    "Pending": "准备中",
    "Running": "正在运行",
    "Retrying": "正在重试",
    "Completed": "完成",
    "Cached": "完成（输入未变，沿用上次结果）",
    "Failed": "失败",
    "Crashed": "异常中止",
    "Cancelling": "正在取消",
    "Cancelled": "已取消",
    "Paused": "已暂停",
}


@dataclass(frozen=True)
class RunState:
    running: bool
    returncode: int | None  # None: never started, or still running; 0 done; else it failed
    log: str  # what the run printed or logged (Chinese, as in a terminal)
    how: str = ""  # through what it runs, and its state there, in words


class RunUnavailable(Exception):
    """The run cannot be started now (the Prefect server does not answer); the message says so in Chinese."""


class QuarterRuns(Protocol):
    def start(self, quarter: str) -> bool:
        """Start the quarter's run unless one is going; True if started."""
        ...

    def state(self) -> RunState: ...


class ProcessRuns:
    def __init__(self, raw_dir: Path, out_dir: Path, log_path: Path) -> None:
        self.raw_dir, self.out_dir, self.log_path = Path(raw_dir), Path(out_dir), Path(log_path)
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None

    def start(self, quarter: str) -> bool:
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
        how = "在本机运行 chuangwen run" + (f"（退出码 {code}）" if code else "")
        return RunState(code is None, code, log, how)


class DeploymentRuns:
    """Runs through a Prefect deployment, with the portal's data folders as its parameters (the same paths
    on every machine of a work pool: docs/scale-out.md). The last flow run's id is kept in `record`, so a
    restarted portal still shows it, and a run going on still keeps a second one from starting."""

    def __init__(self, deployment: str, raw_dir: Path, out_dir: Path, record: Path, log_lines: int = 200) -> None:
        self.deployment, self.record, self.log_lines = deployment, Path(record), log_lines
        self.parameters = {"raw_dir": str(Path(raw_dir).resolve()), "out_dir": str(Path(out_dir).resolve())}
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise LookupError, in Chinese, if the server has no such deployment (before the portal starts)."""
        from prefect.client.orchestration import get_client
        from prefect.exceptions import ObjectNotFound

        with get_client(sync_client=True) as client:
            try:
                client.read_deployment_by_name(self.deployment)
            except ObjectNotFound:
                raise LookupError(f"Prefect 服务上没有部署 {self.deployment}；请先运行 chuangwen deploy") from None

    def _last(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.record.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None

    def start(self, quarter: str) -> bool:
        from prefect.deployments import run_deployment

        with self._lock:
            if self.state().running:
                return False
            try:
                run = run_deployment(
                    self.deployment, parameters={"quarter": quarter, **self.parameters}, timeout=0, as_subflow=False
                )
            except Exception as exc:  # the server down, the deployment deleted: say so, keep the portal up
                raise RunUnavailable(f"无法经 Prefect 部署 {self.deployment} 启动运行：{exc}") from exc
            # run_deployment is sync_compatible, typed FlowRun | Coroutine; called synchronously it is the FlowRun
            write_atomic(self.record, f"{run.id}\n".encode())  # type: ignore[union-attr]
            return True

    def state(self) -> RunState:
        try:
            return self._state()
        except Exception as exc:  # the server not answering must not take the run page down
            return RunState(False, None, "", f"无法读取 Prefect 服务上的运行情况：{exc}")

    def _state(self) -> RunState:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
        from prefect.client.schemas.sorting import LogSort
        from prefect.exceptions import ObjectNotFound

        last = self._last()
        if last is None:
            return RunState(False, None, "")
        with get_client(sync_client=True) as client:
            try:
                run = client.read_flow_run(last)
            except ObjectNotFound:  # the server's database was reset
                return RunState(False, None, "")
            # the newest lines (the server gives at most 200 at a time), shown oldest first
            logs = client.read_logs(
                LogFilter(flow_run_id=LogFilterFlowRunId(any_=[last])),
                limit=self.log_lines,
                sort=LogSort.TIMESTAMP_DESC,
            )[::-1]
        state = run.state
        name = (state.name if state is not None else None) or "Scheduled"
        how = f"经 Prefect 部署 {self.deployment} 运行（流程运行 {run.name}）：{STATE_WORDS.get(name, name)}"
        log = "\n".join(f"{line.timestamp:%Y-%m-%d %H:%M:%S} {line.message}" for line in logs)
        if state is None or not state.is_final():
            return RunState(True, None, log, how)
        return RunState(False, 0 if state.is_completed() else 1, log, how)
