"""Crashes and faults: a run killed with SIGKILL at each stage, and runs against a read-only or full
output folder, without a Chinese font, or with an unreachable Prefect service. The history always holds
either the old or the new quarter (never a mix), every visible output file is whole, the next run
completes, and a fault gets a clear message in Chinese with nothing lost.

Runs are real `python -m chuangwen run` processes reporting to the session's Prefect test server."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from sample_data import write_sample

from adapters.history import TABLES
from core import faults
from core.layout import COL_ID, COL_VALUE, DATA_SHEET
from expectations.catalog import load_catalog

QUARTER = "2022Q4"
CAT = load_catalog()


@pytest.fixture(scope="module")
def api(prefect_harness):
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def _run(
    root: Path, api: str, *extra: str, env: dict | None = None, out: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != faults.KILL_AT}
    environment.update({"PREFECT_API_URL": api, **(env or {})})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "chuangwen",
            "run",
            "--quarter",
            QUARTER,
            "--raw",
            str(root / "raw"),
            "--out",
            str(out or root / "out"),
            *extra,
        ],
        capture_output=True,
        text=True,
        env=environment,
        cwd=root,
        timeout=timeout,
    )


def _history(path: Path) -> str:
    """One digest of every history table's rows for the quarter (order-independent)."""
    if not path.exists():
        return "empty"
    digest = hashlib.sha256()
    with duckdb.connect(str(path), read_only=True) as con:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for table in TABLES:
            if table in present:
                rows = con.execute(f'SELECT * FROM "{table}" WHERE quarter = ?', [QUARTER]).fetchall()
                digest.update(table.encode() + repr(sorted(map(repr, rows))).encode())
    return digest.hexdigest()


def _visible_files(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file not hidden (no part of its path starts with a dot)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _manifest_hashes(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {name: entry["sha256"] for name, entry in manifest["outputs"].items()}


def _change_a_figure(raw: Path) -> None:
    """The new version of a county's return: one figure changed, so the quarter's results change."""
    path = raw / QUARTER / "砚山县.xlsx"
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    header = next(r for r in ws.iter_rows(max_row=30) if any(c.value == COL_ID for c in r))
    col = {c.value: c.column - 1 for c in header}
    row = next(
        r
        for r in ws.iter_rows(min_row=header[0].row + 1)
        if isinstance(r[col[COL_VALUE]].value, int | float) and r[col[COL_VALUE]].value > 10
    )
    row[col[COL_VALUE]].value = row[col[COL_VALUE]].value - 7
    wb.save(path)


@pytest.fixture(scope="module")
def base(tmp_path_factory, api):
    """A quarter run once on the old files: the state every case here starts from (copied, never changed)."""
    root = tmp_path_factory.mktemp("crash-base")
    write_sample(CAT, root / "raw", [QUARTER])
    first = _run(root, api)
    assert first.returncode == 0, first.stderr[-3000:]
    return root


def _copy_of(base: Path, target: Path) -> Path:
    """The finished quarter, copied, with one county's file changed for the next run."""
    shutil.copytree(base, target, symlinks=True)
    (target / "out" / ".chuangwen.lock").unlink(missing_ok=True)
    _change_a_figure(target / "raw")
    return target


@pytest.fixture(scope="module")
def killed(base, tmp_path_factory, api):
    """The new files run and killed at every point in turn (each run starting from what the previous
    kill left), then a run that completes."""
    root = _copy_of(base, tmp_path_factory.mktemp("crash") / "root")
    out = root / "out" / QUARTER
    old = {"history": _history(root / "out" / "history.duckdb"), "files": _manifest_hashes(out)}
    after = {}
    for point in faults.POINTS:
        done = _run(root, api, env={faults.KILL_AT: point})
        after[point] = {
            "returncode": done.returncode,
            "history": _history(root / "out" / "history.duckdb"),
            "files": _visible_files(out),
            "stderr": done.stderr[-2000:],
        }
    final = _run(root, api)
    new = {
        "history": _history(root / "out" / "history.duckdb"),
        "files": _manifest_hashes(out),
        "returncode": final.returncode,
        "stderr": final.stderr[-3000:],
        "hidden": [str(p) for p in out.rglob(".*")],
        "visible": _visible_files(out),
    }
    return old, after, new


POINT_WORDS = {
    "ingest": "读取阶段开始时",
    "validate": "校验阶段开始时",
    "score": "评分阶段开始时",
    "render": "生成文件阶段开始时",
    "write-files": "写完第一个输出文件、其余未写时",
    "history-transaction": "历史库事务写入第一张表后、提交前",
    "record": "写历史库阶段开始时",
    "manifest": "历史库已提交、运行清单未写时",
}


@pytest.mark.parametrize("point", faults.POINTS)
def test_a_run_killed_at_any_point_leaves_whole_files_and_a_whole_quarter(killed, reliability, point):
    reliability(
        "崩溃与故障",
        f"运行在{POINT_WORDS[point]}被 SIGKILL 强行终止",
        "已有旧结果的季度，用改过一个数的新文件重新运行，在该处杀死进程",
        "历史库中该季度要么全是旧结果、要么全是新结果；输出文件夹中可见的文件都完整；下一次运行照常完成",
        "历史库各表该季度的行、每个可见文件的 SHA-256（须等于旧或新清单中的值）、最后一次运行的退出码",
    )
    old, after, new = killed
    state = after[point]
    assert state["returncode"] in (-9, 137), state["stderr"]
    assert new["returncode"] == 0, new["stderr"]
    assert new["history"] != old["history"]  # the new figures did change the quarter
    assert state["history"] in (old["history"], new["history"])
    if point != "manifest":
        assert state["history"] == old["history"]  # nothing committed before the transaction's end
    for name, sha in state["files"].items():
        if name == "manifest.json" or name.startswith("validation/data_docs/"):
            continue  # the manifest: the old run's until the new one completes; Data Docs: swapped whole
        assert sha in (old["files"].get(name), new["files"].get(name)), name


def test_the_run_after_the_kills_cleans_up_and_matches_its_manifest(killed, reliability):
    reliability(
        "崩溃与故障",
        "多次被杀死之后的下一次完整运行",
        "上面 8 次被杀死的运行留下的临时文件和半成品",
        "运行完成；残留的临时文件被清理；每个输出文件与运行清单一致",
        "隐藏的临时文件、清单中每个文件的 SHA-256",
    )
    _, _, new = killed
    assert new["returncode"] == 0, new["stderr"]
    assert [h for h in new["hidden"] if h.endswith(".tmp") or ".data_docs." in h] == []
    for name, sha in new["files"].items():
        assert new["visible"][name] == sha, name


def _old_state(root: Path) -> dict[str, str]:
    everything = {}
    for base in (root / "out", root / "received"):
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.name != ".chuangwen.lock":
                everything[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return everything


@pytest.fixture
def finished(base, tmp_path):
    return _copy_of(base, tmp_path / "root")


def test_without_a_chinese_font_the_run_stops_before_writing(finished, api, reliability):
    reliability(
        "崩溃与故障",
        "本机缺少中文字体",
        "FONTCONFIG_FILE 指向不含任何字体目录的配置",
        "运行在写任何文件前停止，提示安装 fonts-noto-cjk；已有通报和历史库不变",
        "退出码、错误信息、输出文件夹和历史库的每个文件",
    )
    before = _old_state(finished)
    config = finished / "no-fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{finished / "fc-cache"}</cachedir></fontconfig>', encoding="utf-8"
    )
    done = _run(finished, api, env={"FONTCONFIG_FILE": str(config)})
    assert done.returncode == 1 and "中文字体" in done.stderr and "fonts-noto-cjk" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    after = _old_state(finished)
    assert {k: v for k, v in after.items() if not k.startswith("received")} == {
        k: v for k, v in before.items() if not k.startswith("received")
    }


def test_an_unreachable_prefect_service_is_named_and_nothing_changes(finished, reliability):
    reliability(
        "崩溃与故障",
        "Prefect 服务无法连接",
        "PREFECT_API_URL 指向没有服务的地址",
        "立即停止并说明无法连接哪个服务、怎么办；不读写任何文件",
        "退出码、错误信息、输出和存档文件夹的每个文件",
    )
    before = _old_state(finished)
    done = _run(finished, "http://127.0.0.1:9/api", timeout=120)
    assert done.returncode == 2 and "无法连接 Prefect 服务 http://127.0.0.1:9/api" in done.stderr, done.stderr
    assert _old_state(finished) == before


@contextlib.contextmanager
def _mounted(folder: Path, *options: str):
    """A tmpfs over `folder` (as root); skipped where mounting is not allowed."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a file system")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options), f"chuangwen-{uuid.uuid4().hex[:8]}", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"mount not allowed here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _copy_into(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


def test_a_read_only_output_folder_is_refused_and_left_as_it_was(finished, api, reliability):
    reliability(
        "崩溃与故障",
        "输出文件夹只读",
        "已有结果的输出文件夹以只读方式挂载",
        "运行前即说明该文件夹无法写入；已有结果和历史库不变",
        "退出码、错误信息、文件夹中每个文件",
    )
    mount = finished / "readonly"
    mount.mkdir()
    with _mounted(mount, "size=64m"):
        _copy_into(finished / "out", mount)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        before = _visible_files(mount)
        done = _run(finished, api, out=mount)
        assert done.returncode == 2 and "无法写入" in done.stderr and "只读" in done.stderr, done.stderr
        assert _visible_files(mount) == before


def test_a_full_disk_stops_the_run_with_whole_files_and_the_old_history(finished, api, reliability):
    reliability(
        "崩溃与故障",
        "输出磁盘已满",
        "已有结果的输出文件夹放在只剩很少空间的文件系统上，重新运行新文件",
        "运行失败并用中文说明磁盘空间不足；每个文件要么是旧的、要么是新的完整文件；历史库仍是旧季度",
        "退出码、错误信息、每个可见文件的 SHA-256、历史库该季度的行",
    )
    mount = finished / "full"
    mount.mkdir()
    used = sum(p.stat().st_size for p in (finished / "out").rglob("*") if p.is_file())
    with _mounted(mount, f"size={used + 600 * 1024}"):
        _copy_into(finished / "out", mount)
        old_files = _manifest_hashes(mount / QUARTER)
        old_history = _history(mount / "history.duckdb")
        done = _run(finished, api, out=mount)
        assert done.returncode == 1 and "磁盘空间不足" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        for name, sha in _visible_files(mount / QUARTER).items():
            if sha != old_files.get(name):
                _assert_whole(mount / QUARTER / name)  # replaced by a new version: whole, never cut short
        assert _history(mount / "history.duckdb") == old_history


def _assert_whole(path: Path) -> None:
    """The file parses as its kind: a cut-short PDF, workbook or JSON would not."""
    import io

    from pypdf import PdfReader

    data = path.read_bytes()
    if path.suffix == ".pdf":
        assert data.rstrip().endswith(b"%%EOF") and len(PdfReader(io.BytesIO(data)).pages) > 0
    elif path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.testzip() is None
    elif path.suffix == ".json":
        json.loads(data)
    elif path.suffix in (".csv", ".html", ".txt", ".md"):
        data.decode("utf-8")
