"""The `chuangwen` command. Help and messages are in Chinese: its users are the office's staff."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from core import outputs
from core.quarters import parse_quarter, quarters_in
from core.runtime import configure
from flows.schedule import DEFAULT_CRON

app = typer.Typer(
    help="创文：文山州文明城市创建季度数据的模板下发、校验、评分、排名与通报生成。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
log = logging.getLogger("chuangwen")

# The office's terminal shows our messages, not library tracebacks: Prefect's console handler (on the
# root logger, so it also prints Great Expectations' and other libraries' records) only for critical
# records; everything from warnings up goes to a log file for whoever maintains the machine.
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
STATE_DIR = configure()  # state folders and telemetry switches, before anything imports prefect
LOG_FILE = STATE_DIR / "logs" / "chuangwen.log"


def _log_to_file() -> None:
    """Warnings and errors of every library, with tracebacks, into LOG_FILE (call after importing Prefect,
    whose logging set-up replaces the root logger's handlers)."""
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(LOG_FILE) for h in root.handlers):
        return
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(LOG_FILE, maxBytes=2 * 1024 * 1024, backupCount=3, encoding="utf-8")
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


class Format(StrEnum):
    text = "text"
    json = "json"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(code=2)


def _quarter(value: str) -> str:
    try:
        parse_quarter(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return value


@app.command("catalog")
def catalog_cmd(
    fmt: Annotated[Format, typer.Option("--format", help="输出格式：text（表格）或 json")] = Format.text,
) -> None:
    """打印指标目录：县（市）、领域、72项任务及全部定量指标（编号、名称、单位、规则、阈值、替代条件、分值、责任单位）。"""
    from expectations.catalog import load_catalog
    from expectations.export import catalog_dict, catalog_lines
    from expectations.settings import load_config, office_catalog

    catalog = office_catalog(load_catalog(), load_config().defaults)
    if fmt is Format.json:
        typer.echo(json.dumps(catalog_dict(catalog), ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(catalog_lines(catalog)))


@app.command("method")
def method_cmd(
    quarter: Annotated[str | None, typer.Option("--quarter", help="适用的季度，如 2022Q4；默认为最新季度")] = None,
    raw: Annotated[Path, typer.Option("--raw", help="报送文件所在文件夹，用于确定最新季度")] = Path("data/raw"),
    out: Annotated[Path | None, typer.Option("--out", help="输出文件夹；默认为 data/out/测评细则/季度")] = None,
) -> None:
    """生成测评细则（method.pdf 和 method.html）：各领域、任务、计分部分和指标的分值、规则、替代条件、
    部分得分下限、数据来源和频次，无法判定、未填报、数据异常的处理，负面清单扣分、不予排名、红黑榜、
    连续上黑榜的处理、整改期限、年度进度等级和目标线。由指标目录和 config/office.yaml 生成，与评分
    使用同一套规则；每次运行也会写入该季度的输出文件夹。"""
    from adapters.files import write_atomic
    from adapters.render import check_cjk_font, render_pdf
    from expectations.catalog import load_catalog
    from expectations.settings import ConfigError, check_quarter_settings, load_config, office_catalog
    from flows.tasks import method_html

    quarter = _latest_or(quarter, raw)
    try:
        settings = load_config().for_quarter(quarter)
        catalog = office_catalog(load_catalog(), settings)
        check_quarter_settings(settings, catalog, quarter)
        check_cjk_font()
    except (ConfigError, RuntimeError) as exc:
        raise _fail(str(exc)) from exc
    folder = out or Path("data/out") / "测评细则" / quarter
    html = method_html(catalog, settings, quarter)
    write_atomic(folder / outputs.METHOD_HTML, html.encode("utf-8"))
    write_atomic(folder / outputs.METHOD_PDF, render_pdf(html))
    typer.echo(f"已生成 {folder / 'method.pdf'}")
    typer.echo(f"已生成 {folder / 'method.html'}")


@app.command("template")
def template_cmd(
    quarter: Annotated[str, typer.Option("--quarter", help="填报季度，如 2022Q4", callback=_quarter)],
    out: Annotated[Path, typer.Option("--out", help="模板输出文件夹")],
    county: Annotated[str | None, typer.Option("--county", help="只生成该县（市）的模板，如 砚山县")] = None,
    raw: Annotated[Path, typer.Option("--raw", help="已报送数据所在文件夹，用于填入“上年同期值”")] = Path("data/raw"),
) -> None:
    """生成各县（市）的季度填报模板（.xlsx），文件名为“县（市）名.xlsx”，附填报说明、下拉选项和上年同期值；
    同时生成州文明办的督导评分表（督导评分.xlsx）和参照数据表（参照数据.xlsx：上级下达的规划指标、同类城市平均水平等）。"""
    from adapters.county_templates import write_templates
    from adapters.returns import last_year_values
    from expectations.catalog import load_catalog

    catalog = load_catalog()
    if county is not None and county not in catalog.county_by_name:
        names = "、".join(c.name for c in catalog.counties)
        raise _fail(f"未知的县（市）“{county}”，应为：{names}")
    counties = [catalog.county_by_name[county]] if county else list(catalog.counties)
    for path in write_templates(catalog, quarter, out, counties, last_year_values(raw, catalog, quarter)):
        typer.echo(f"已生成 {path}")
    if county is None:
        from adapters.county_templates import save_workbook
        from adapters.office_files import INSPECTION, REFERENCES, build_inspection_template, build_references_template
        from expectations.template_rows import due_inputs

        path = out / f"{INSPECTION}.xlsx"
        save_workbook(build_inspection_template(catalog, quarter), path)
        typer.echo(f"已生成 {path}（州文明办督导评分表，填写后放入该季度的报送文件夹）")
        if due_inputs(catalog, quarter, "office"):
            path = out / f"{REFERENCES}.xlsx"
            save_workbook(build_references_template(catalog, quarter), path)
            typer.echo(
                f"已生成 {path}（州文明办参照数据表：判定相关指标所依据的上级指标和平均水平，"
                "填写后放入该季度的报送文件夹）"
            )


@app.command("check")
def check_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="要检查的报送文件（.xlsx、.xls、.csv），可以多个；给出文件夹则检查其中每个文件")
    ],
    fmt: Annotated[Format, typer.Option("--format", help="输出格式：text（中文报告）或 json")] = Format.text,
    quarter: Annotated[str | None, typer.Option("--quarter", help="文件所属季度；默认取文件内注明的季度")] = None,
) -> None:
    """检查报送文件：读取、规范化并校验数据质量，不评分。有错误时退出码为 1。"""
    from adapters.returns import check_files
    from chuangwen.check_report import check_json, check_text
    from expectations.catalog import load_catalog

    if quarter is not None:
        quarter = _quarter(quarter)
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise _fail(f"找不到文件：{'、'.join(missing)}")
    # a quarter's folder stands for its files (as the run reads them: lock files and the like are named)
    files = [p for f in files for p in (sorted(q for q in f.iterdir() if q.is_file()) if f.is_dir() else [f])]
    if not files:
        raise _fail("文件夹中没有文件")
    results = check_files(files, load_catalog(), quarter)
    if fmt is Format.json:
        typer.echo(json.dumps(check_json(results), ensure_ascii=False, indent=2))
    else:
        typer.echo(check_text(results))
    raise typer.Exit(code=1 if any(r.errors for r in results) else 0)


QUARTER_HELP = "要处理的季度，如 2022Q4；默认取原始数据文件夹中最新的季度"
RAW_HELP = "各县（市）报送文件所在文件夹（按季度分子文件夹）"
DOC_NUMBER_HELP = "发文字号，如 文文明办〔2023〕4号；默认按成文年份和季度编号"


HISTORY_HELP = "历史库文件（DuckDB）；默认为输出文件夹下的 history.duckdb"
CONFIG_HELP = "办公室设置文件；默认为 config/office.yaml"


def _check_settings(config: Path | None, quarters: list[str]) -> None:
    """Every setting of every quarter to run, checked before any work: a typo in office.yaml or a quarter
    without its 大比武 stops here, in Chinese, with nothing read, archived or written."""
    from expectations.catalog import load_catalog
    from expectations.settings import CONFIG_PATH, ConfigError, check_quarter_settings, load_config, office_catalog

    path = config or CONFIG_PATH
    if not path.is_file():
        raise _fail(f"找不到办公室设置文件 {path}")
    try:
        office = load_config(path)
        for q in quarters:
            settings = office.for_quarter(q)
            check_quarter_settings(settings, office_catalog(load_catalog(), settings), q)
    except ConfigError as exc:
        said = str(exc) if str(exc).startswith(str(path)) else f"{path}：{exc}"
        raise _fail(f"{said}\n未作任何处理，已有的结果和历史库均未改动。") from exc


def _store_quarters(path: Path) -> list[str]:
    """The quarters the history store holds; a store that cannot be opened stops the command, in Chinese."""
    from adapters.history import HistoryDamaged, HistoryStore

    try:
        return HistoryStore(path).quarters()
    except HistoryDamaged as exc:
        raise _fail(str(exc)) from exc


DASK_HELP = (
    "用 Dask 并行读取各县（市）文件、生成通报和反馈单：local 表示在本机按 CPU 核数启动进程，"
    "或填写已运行的 Dask 调度器地址，如 tcp://10.0.0.5:8786；默认在本进程内用线程"
)


@app.command("run")
def run_cmd(
    quarter: Annotated[str | None, typer.Option("--quarter", help=QUARTER_HELP)] = None,
    raw: Annotated[Path, typer.Option("--raw", help=RAW_HELP)] = Path("data/raw"),
    out: Annotated[Path, typer.Option("--out", help="输出文件夹")] = Path("data/out"),
    doc_number: Annotated[str | None, typer.Option("--doc-number", help=DOC_NUMBER_HELP)] = None,
    issue_date: Annotated[str | None, typer.Option("--issue-date", help="成文日期，如 2023-01-10")] = None,
    history: Annotated[Path | None, typer.Option("--history", help=HISTORY_HELP)] = None,
    force: Annotated[bool, typer.Option("--force", help="即使输入未变也重新计算")] = False,
    dask: Annotated[str | None, typer.Option("--dask", help=DASK_HELP)] = None,
    config: Annotated[Path | None, typer.Option("--config", help=CONFIG_HELP)] = None,
) -> None:
    """处理一个季度：读取报送文件、校验、评分、排名、红黑榜、派单，生成通报（PDF、HTML）、测评细则和得分表。
    历史库中缺少的更早季度会先按顺序补算，以便同比、趋势和派单跟踪有据可依。"""
    from flows.quarter import assessment_with, backfill, default_history

    _log_to_file()

    quarter = _latest_or(quarter, raw)
    if not (raw / quarter).is_dir():
        raise _fail(f"找不到季度文件夹 {raw / quarter}")
    done = set(_store_quarters(history or default_history(out)))
    missing = [q for q in quarters_in(raw) if q < quarter and q not in done]
    earlier = [q for q in quarters_in(raw) if missing and missing[0] <= q < quarter]
    _check_settings(config, [*earlier, quarter])
    _preflight(out)
    date = _date(issue_date)
    if missing:
        typer.echo(f"历史库中缺少 {'、'.join(missing)}，先按顺序补算……")
    with _progress_bar([*earlier, quarter]):
        if missing:
            try:
                backfill(
                    start=earlier[0],
                    end=earlier[-1],
                    raw_dir=raw,
                    out_dir=out,
                    history_path=history,
                    dask=dask,
                    config_path=config,
                )
            except Exception as exc:
                raise _run_failed(f"补算 {earlier[0]}—{earlier[-1]}", exc) from exc
        try:
            with assessment_with(dask) as assessment:
                written = assessment(
                    quarter=quarter,
                    raw_dir=raw,
                    out_dir=out,
                    doc_number=doc_number,
                    issue_date=date,
                    history_path=history,
                    force=force,
                    config_path=config,
                )
        except Exception as exc:
            raise _run_failed(quarter, exc) from exc
    _report(written)


@app.command("backfill")
def backfill_cmd(
    start: Annotated[str | None, typer.Option("--from", help="起始季度，如 2021Q1；默认为最早的季度")] = None,
    end: Annotated[str | None, typer.Option("--to", help="结束季度，如 2022Q4；默认为最新的季度")] = None,
    raw: Annotated[Path, typer.Option("--raw", help=RAW_HELP)] = Path("data/raw"),
    out: Annotated[Path, typer.Option("--out", help="输出文件夹")] = Path("data/out"),
    history: Annotated[Path | None, typer.Option("--history", help=HISTORY_HELP)] = None,
    force: Annotated[bool, typer.Option("--force", help="即使输入未变也重新计算")] = False,
    dask: Annotated[str | None, typer.Option("--dask", help=DASK_HELP)] = None,
    config: Annotated[Path | None, typer.Option("--config", help=CONFIG_HELP)] = None,
) -> None:
    """按时间顺序补算一段季度（可重复运行）：每个季度只替换该季度自己的结果；输入未变的季度直接沿用上次结果。"""
    from flows.quarter import backfill, default_history

    _log_to_file()

    available = quarters_in(raw)
    if not available:
        raise _fail(f"{raw} 下没有形如 2022Q4 的季度文件夹")
    first, last = _quarter(start or available[0]), _quarter(end or available[-1])
    if first > last:
        raise _fail(f"起始季度 {first} 晚于结束季度 {last}")
    quarters = [q for q in available if first <= q <= last]
    if not quarters:
        raise _fail(f"{raw} 中没有 {first} 至 {last} 之间的季度")
    _store_quarters(history or default_history(out))
    _check_settings(config, quarters)
    _preflight(out)
    typer.echo(f"按顺序处理 {'、'.join(quarters)} ……")
    with _progress_bar(quarters):
        try:
            results = backfill(
                start=first,
                end=last,
                raw_dir=raw,
                out_dir=out,
                history_path=history,
                force=force,
                dask=dask,
                config_path=config,
            )
        except Exception as exc:
            raise _run_failed(f"{quarters[0]}—{quarters[-1]}", exc) from exc
    for q, written in results.items():
        typer.echo(f"{q}：已生成 {written['bulletin.pdf']}")


@contextmanager
def _progress_bar(quarters: list[str]) -> Iterator[None]:
    """A rich progress bar on standard error over every stage of the quarters to run."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows import events

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    whole = bar.add_task("准备……", total=len(quarters) * len(events.STAGES))

    def show(step: events.Step) -> None:
        words = events.CACHED if step.cached else events.STAGES[step.stage]
        bar.update(whole, description=f"{step.quarter} {words}", advance=1 if step.done else 0)

    with bar, events.listening(show):
        yield
        bar.update(whole, description="完成")


@app.command("distribute")
def distribute_cmd(
    quarter: Annotated[str | None, typer.Option("--quarter", help=QUARTER_HELP)] = None,
    raw: Annotated[Path, typer.Option("--raw", help=RAW_HELP)] = Path("data/raw"),
    out: Annotated[Path, typer.Option("--out", help="输出文件夹")] = Path("data/out"),
    send: Annotated[bool, typer.Option("--send", help="按 config/office.yaml 的 mail 设置用电子邮件发送")] = False,
    again: Annotated[bool, typer.Option("--again", help="已发送过的季度也再次发送")] = False,
) -> None:
    """分发：在“输出文件夹/季度/分发/”下为州文明办和每个县（市）各建一个文件夹，放入通报、反馈单等，并附文件清单（SHA-256）。"""
    from adapters.distribute import NotRunYet, distribute
    from expectations.catalog import load_catalog

    quarter = _latest_or(quarter, raw)
    try:
        target = distribute(out, quarter, load_catalog())
    except NotRunYet as exc:
        raise _fail(str(exc)) from exc
    for folder in sorted(p for p in target.iterdir() if p.is_dir()):
        typer.echo(f"{folder.name}：{'、'.join(sorted(f.name for f in folder.iterdir()))}")
    typer.echo(f"已生成 {target}（清单见 manifest.json）")
    if send:
        from adapters.mail import AlreadySent, send_distribution
        from expectations.settings import load_config

        settings = load_config().mail
        if settings is None:
            raise _fail("config/office.yaml 中没有 mail 设置，无法发送")
        password = os.environ.get(settings.password_env) if settings.password_env else None
        try:
            sent = send_distribution(target, quarter, settings, password, again)
        except AlreadySent as exc:
            raise _fail(str(exc)) from exc
        typer.echo(f"已发送：{'、'.join(sent) if sent else '（没有配置收件人）'}")


@app.command("serve")
def serve_cmd(
    raw: Annotated[Path, typer.Option("--raw", help=RAW_HELP)] = Path("data/raw"),
    out: Annotated[Path, typer.Option("--out", help="输出文件夹")] = Path("data/out"),
    cron: Annotated[str, typer.Option("--cron", help="运行时间（cron 表达式，北京时间）")] = DEFAULT_CRON,
    port: Annotated[int, typer.Option("--port", help="本机 Prefect 服务端口（未设置 PREFECT_API_URL 时启动）")] = 4200,
    dask: Annotated[str | None, typer.Option("--dask", help=DASK_HELP)] = None,
    config: Annotated[Path | None, typer.Option("--config", help=CONFIG_HELP)] = None,
) -> None:
    """按计划自动运行：默认每年1、4、7、10月10日9时（北京时间）处理刚结束的季度。未设置 PREFECT_API_URL 时先在本机启动
    Prefect 服务（状态保存在项目的 .state 文件夹），并显示其网页地址。办公室设置中有 portal 一节时，同时启动报送平台
    （报送刚结束的季度，季度更替时自动切换），其“运行本季度”按钮经 Prefect 部署运行。按 Ctrl+C 停止。"""
    from expectations.settings import ConfigError, load_config

    try:
        portal = load_config(config).portal
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    from prefect import serve
    from prefect.schedules import Cron

    from flows.deploy import ON_DEMAND_NAME
    from flows.schedule import TIMEZONE, next_runs
    from flows.server import local_server

    with local_server(port) if not os.environ.get("PREFECT_API_URL") else _nothing() as ui:
        if ui:
            typer.echo(f"已在本机启动 Prefect 服务，网页地址：{ui}")
        first = next_runs(1, dt.datetime.now(dt.UTC), cron)
        if first:
            when, quarter = first[0]
            typer.echo(f"下次运行：{when.astimezone().isoformat(timespec='minutes')}，处理 {quarter}")
        if portal is not None:
            _serve_portal_beside(raw, out, config, portal)
        from flows.quarter import quarterly_assessment, scheduled_assessment

        # the flows read the same folders and settings as the portal beside them
        paths = {"raw_dir": str(raw.resolve()), "out_dir": str(out.resolve()), "config_path": None}
        paths["config_path"] = str(config.resolve()) if config else None
        # to_deployment is sync_compatible, typed RunnerDeployment | Coroutine; called synchronously: the former
        serve(
            scheduled_assessment.to_deployment(  # type: ignore[arg-type]
                name="quarterly", schedule=Cron(cron, timezone=TIMEZONE), parameters={**paths, "dask": dask}
            ),
            # what the portal's run button (and the Prefect UI's "Run") starts: one quarter, given
            quarterly_assessment.to_deployment(name=ON_DEMAND_NAME, parameters=paths),  # type: ignore[arg-type]
            print_starting_message=False,
        )


def _serve_portal_beside(raw: Path, out: Path, config: Path | None, settings) -> None:
    """The portal on a thread of `serve`'s process, following the calendar, its runs through the
    deployment `serve` serves."""
    import threading

    from web.server import serve_portal

    make = _make_portal(raw, out, settings.https, config, None, _portal_runs(raw, out, served=True))
    url = f"http://{settings.host}:{settings.port}/"

    def started(quarter: str) -> None:
        typer.echo(f"报送平台（{quarter}）已启动：{url}")

    threading.Thread(
        target=serve_portal, args=(make, settings.host, settings.port, None, started), name="portal", daemon=True
    ).start()


@app.command("deploy")
def deploy_cmd(
    raw: Annotated[Path, typer.Option("--raw", help="报送文件夹（各台机器上相同的共享路径）")] = Path("data/raw"),
    out: Annotated[Path, typer.Option("--out", help="输出文件夹（各台机器上相同的共享路径）")] = Path("data/out"),
    pool: Annotated[str, typer.Option("--pool", help="Prefect 工作池名称")] = "chuangwen",
    cron: Annotated[str, typer.Option("--cron", help="定时运行时间（cron 表达式，北京时间）")] = DEFAULT_CRON,
    dask: Annotated[
        str | None, typer.Option("--dask", help="补算和定时运行所用的 Dask 调度器地址，如 tcp://10.0.0.5:8786")
    ] = None,
) -> None:
    """多机运行：在 PREFECT_API_URL 所指的 Prefect 服务上建立工作池（每次只运行一个季度）和三个部署
    （按需处理一个季度、补算、定时）。各台机器在相同路径安装本项目后运行
    prefect worker start --pool 工作池名称 即可领取任务。详见 docs/scale-out.md。"""
    if not os.environ.get("PREFECT_API_URL"):
        raise _fail("请先把 PREFECT_API_URL 设为共用 Prefect 服务的地址，如 http://10.0.0.5:4200/api")
    from flows.deploy import deploy_flows

    try:
        deployed = deploy_flows(pool, raw, out, cron, dask)
    except Exception as exc:
        raise _fail(f"部署到 {os.environ['PREFECT_API_URL']} 失败：{exc}") from exc
    for d in deployed:
        typer.echo(f"已部署 {d.name}：{d.description}")
    typer.echo(f"请在各台机器上运行：prefect worker start --pool {pool}")


def _nothing():
    from contextlib import nullcontext

    return nullcontext(None)


def _run_failed(what: str, exc: Exception) -> typer.Exit:
    log.error("%s failed", what, exc_info=exc)
    typer.echo(f"错误：{what} 处理失败：{_explain(exc)}", err=True)
    typer.echo(f"（详细记录供技术人员查看：{LOG_FILE}）", err=True)
    return typer.Exit(code=1)


_DISK_ERRORS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "所在位置是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
}
_DISK_WORDS = {
    "No space left on device": errno.ENOSPC,
    "Read-only file system": errno.EROFS,
    "Permission denied": errno.EACCES,
}


def _explain(exc: BaseException) -> str:
    """The message for the office: a disk or permission problem anywhere in the chain said in Chinese
    (with the file), with what to do; anything else as it is."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "errno", None) if isinstance(seen, OSError) else None
        code = code or next((c for words, c in _DISK_WORDS.items() if words in str(seen)), None)
        if code in _DISK_ERRORS:
            where = getattr(seen, "filename", None) or str(seen)
            return (
                f"{_DISK_ERRORS[code]}（{where}）。已写入的文件都是完整的，历史库只会保存完整的季度；"
                "请腾出空间或改正权限后重新运行"
            )
        seen = seen.__cause__ or seen.__context__
    return str(exc)


def _preflight(out: Path) -> None:
    """Before any work: the output folder can be written, and the Prefect service (if one is set) answers."""
    import tempfile
    import urllib.request

    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".chuangwen-probe.", suffix=".tmp"):
            pass
    except OSError as exc:
        default = exc.strerror or str(exc)
        reason = _DISK_ERRORS.get(exc.errno, default) if exc.errno is not None else default
        raise _fail(f"输出文件夹 {out} 无法写入：{reason}。已有的结果和历史库未作改动") from exc
    api = os.environ.get("PREFECT_API_URL")
    if api:
        try:
            with urllib.request.urlopen(f"{api.rstrip('/')}/health", timeout=10) as response:
                response.read()
        except OSError as exc:
            raise _fail(
                f"无法连接 Prefect 服务 {api}（{getattr(exc, 'reason', exc)}）；请确认该服务已启动，"
                "或删除环境变量 PREFECT_API_URL 以使用本机临时服务"
            ) from exc


def _latest_or(quarter: str | None, raw: Path) -> str:
    if quarter is not None:
        return _quarter(quarter)
    available = quarters_in(raw)
    if not available:
        raise _fail(f"{raw} 下没有形如 2022Q4 的季度文件夹")
    return available[-1]


def _date(text: str | None, what: str = "成文日期") -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise _fail(f"{what}应为 YYYY-MM-DD，收到：{text}") from exc


def _report(written: dict[str, Path]) -> None:
    from core.problems import ERROR, Problem

    problems = [Problem(**p) for p in json.loads(written[outputs.PROBLEMS_JSON].read_text(encoding="utf-8"))]
    shown = [p for p in problems if p.severity == ERROR] + [p for p in problems if p.severity != ERROR][:10]
    for p in shown:
        typer.echo(f"  {p}")
    if len(problems) > len(shown):
        typer.echo(f"  另有 {len(problems) - len(shown)} 条提示，见 {written['problems.json']}")
    for name in outputs.HEADLINE_FILES:
        typer.echo(f"已生成 {written[name]}")


PORTAL_HELP = "报送平台：各县（市）在浏览器中下载模板、上传报送文件并立即看到检查结果"
portal_app = typer.Typer(help=PORTAL_HELP, no_args_is_help=False)
user_app = typer.Typer(help="管理报送平台账户")
portal_app.add_typer(user_app, name="user")
app.add_typer(portal_app, name="portal")


PORTAL_QUARTER_HELP = "报送的季度；默认取原始数据文件夹中最新的季度"
HTTPS_HELP = "经 HTTPS 反向代理访问时打开：登录凭据只经 HTTPS 发送"
DEADLINE_HELP = "报送截止日期，如 2023-01-05；此后采用的文件显示为“补报”；默认取办公室设置（return_deadline）"


def _accounts():
    from adapters.accounts import AccountStore
    from core.runtime import state_dir

    return AccountStore(state_dir() / "portal" / "portal.sqlite3")


def _make_portal(raw: Path, out: Path, https: bool, config: Path | None, deadline: dt.date | None, runs):
    """quarter → the portal's app for it: the return deadline from --deadline, else the office's setting
    for the quarter (return_deadline), else the 5th of the month after it."""
    from adapters.submissions import Submissions
    from core.quarters import default_return_deadline
    from expectations.catalog import load_catalog
    from expectations.settings import ConfigError, load_config
    from web.app import Portal, create_app

    try:
        settings = load_config(config)
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    catalog = load_catalog()
    received = Submissions(raw, raw.parent / "received")  # the run's archive (flows.quarter: beside raw)

    def make(quarter: str):
        due = deadline or settings.for_quarter(quarter).return_deadline or default_return_deadline(quarter)
        return create_app(Portal(_accounts(), catalog, quarter, received, out, runs, due, secure_cookies=https))

    return make


def _portal_runs(raw: Path, out: Path, served: bool):
    """How the office's run button runs the quarter: through the Prefect deployment when a server is
    configured (PREFECT_API_URL, or the one `serve` serves itself), else `chuangwen run` on this machine."""
    from core.runtime import state_dir
    from flows.deploy import ON_DEMAND
    from web.runs import DeploymentRuns, ProcessRuns

    folder = state_dir() / "portal"
    if served or os.environ.get("PREFECT_API_URL"):
        runs = DeploymentRuns(ON_DEMAND, raw, out, folder / "flow-run.txt")
        if served:
            return runs
        try:
            runs.check()
        except LookupError as exc:
            typer.echo(f"注意：{exc}。季度运行改在本机进行。", err=True)
        except Exception as exc:
            typer.echo(
                f"注意：无法连接 Prefect 服务 {os.environ['PREFECT_API_URL']}（{exc}）。季度运行改在本机进行。",
                err=True,
            )
        else:
            typer.echo(f"季度运行经 Prefect 服务 {os.environ['PREFECT_API_URL']} 的部署 {ON_DEMAND} 进行。")
            return runs
    return ProcessRuns(raw, out, folder / "run.log")


@portal_app.callback(invoke_without_command=True)
def portal_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="监听地址；对外提供服务时放在 HTTPS 反向代理之后")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口")] = 8470,
    quarter: Annotated[str | None, typer.Option("--quarter", help=PORTAL_QUARTER_HELP)] = None,
    raw: Annotated[Path, typer.Option("--raw", help=RAW_HELP)] = Path("data/raw"),
    out: Annotated[Path, typer.Option("--out", help="输出文件夹（通报、反馈单）")] = Path("data/out"),
    https: Annotated[bool, typer.Option("--https", help=HTTPS_HELP)] = False,
    deadline: Annotated[str | None, typer.Option("--deadline", help=DEADLINE_HELP)] = None,
    config: Annotated[Path | None, typer.Option("--config", help=CONFIG_HELP)] = None,
) -> None:
    """启动报送平台（网页）。账户用 `chuangwen portal user add 县名` 开设。"""
    if ctx.invoked_subcommand is not None:
        return
    from web.server import serve_portal

    quarter = _latest_or(quarter, raw)
    make = _make_portal(raw, out, https, config, _date(deadline, "报送截止日期"), _portal_runs(raw, out, served=False))

    def started(q: str) -> None:
        typer.echo(f"报送平台（{q}）已启动：http://{host}:{port}/ （按 Ctrl+C 停止）")

    serve_portal(make, host, port, quarter, started)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="县（市）名称，如 砚山县；州文明办自己的账户为 州文明办")],
) -> None:
    """开设账户（或为已有账户重设）并打印一次性密码；首次登录时须修改。"""
    from core.vocab import OFFICE
    from expectations.catalog import load_catalog

    counties = [c.name for c in load_catalog().counties]
    if name not in counties and name != OFFICE:
        raise _fail(f"没有名为“{name}”的县（市）；可开设的账户：{'、'.join([*counties, OFFICE])}")
    password = _accounts().add(name)
    typer.echo(f"{name} 的一次性密码：{password}\n请当面或以保密方式告知；首次登录后须修改。")


@user_app.command("list")
def user_list() -> None:
    """列出已开设的账户。"""
    names = _accounts().names()
    typer.echo("\n".join(names) if names else "尚未开设账户。")


def main() -> None:  # pragma: no cover
    sys.exit(app())
