"""Distribution: one folder per recipient under data/out/<quarter>/分发/ with its documents under
human-readable Chinese names, and a manifest of every file's SHA-256, size and the run it came from."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from adapters.files import staging_dir, swap_dir
from core import outputs
from core.vocab import OFFICE
from core.zh import quarter_label
from expectations.catalog import Catalog

FOLDER = outputs.DISTRIBUTION_DIR


class NotRunYet(FileNotFoundError):
    pass


def plan(folder: Path, quarter: str, catalog: Catalog) -> dict[str, Path]:
    """Target path (recipient/name) → source file, for every recipient."""
    label = quarter_label(quarter)
    bulletin = folder / outputs.BULLETIN_PDF
    method = folder / outputs.METHOD_PDF  # every recipient gets the method the quarter was scored by
    files = {
        f"{OFFICE}/{label}文明城市创建测评通报.pdf": bulletin,
        f"{OFFICE}/{label}测评细则.pdf": method,
        f"{OFFICE}/{label}文明城市创建测评通报.html": folder / outputs.BULLETIN_HTML,
        f"{OFFICE}/{label}文明城市创建测评通报（可编辑）.docx": folder / outputs.BULLETIN_DOCX,
        f"{OFFICE}/{label}得分明细.xlsx": folder / outputs.SCORES_XLSX,
        f"{OFFICE}/{label}派单台账.csv": folder / outputs.ORDERS_CSV,
        f"{OFFICE}/{label}数据校验报告.html": folder / outputs.VALIDATION_REPORT,
    }
    for c in catalog.counties:
        files[f"{c.name}/{label}文明城市创建测评通报.pdf"] = bulletin
        files[f"{c.name}/{label}测评细则.pdf"] = method
        sheet = folder / outputs.feedback_sheet(c.name)
        if sheet.exists():  # a county that did not report has no feedback sheet
            files[f"{c.name}/{label}{c.name}反馈单.pdf"] = sheet
    return files


def distribute(out_dir: Path, quarter: str, catalog: Catalog) -> Path:
    """Build 分发/ afresh (beside, then swapped in whole) from the quarter's run; returns its path."""
    folder = Path(out_dir) / quarter
    run = folder / outputs.MANIFEST
    if not run.is_file():
        raise NotRunYet(f"{folder} 中没有 {quarter} 的运行结果，请先运行 chuangwen run --quarter {quarter}")
    source_key = json.loads(run.read_text(encoding="utf-8"))["input_key"]
    files = plan(folder, quarter, catalog)
    missing = [str(src) for src in files.values() if not src.is_file()]
    if missing:
        raise NotRunYet(f"运行结果不完整，缺少：{'、'.join(sorted(set(missing)))}；请重新运行 {quarter}")
    target = folder / FOLDER
    staging = staging_dir(folder, FOLDER)
    entries = []
    for name, src in sorted(files.items()):
        dest = staging / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        data = dest.read_bytes()
        entries.append(
            {
                "path": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "source": str(src.relative_to(folder)),
            }
        )
    manifest = {"quarter": quarter, "source_run": source_key, "files": entries}
    (staging / outputs.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    for d in [staging, *staging.rglob("*")]:
        os.chmod(d, 0o755 if d.is_dir() else 0o644)
    swap_dir(staging, target)
    return target
