"""The run manifest (data/out/<quarter>/manifest.json): what a quarter's outputs were made from (input
files and their hashes, catalog, office settings, code, earlier quarters in the history store), the
package versions, every output's hash and size, and the time each stage took. Its input key lets an
unchanged re-run skip the work."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from adapters.files import sha256_file, write_atomic
from core import outputs
from core.runtime import PROJECT_ROOT
from expectations.catalog import CATALOG_PATH
from transforms.history import QuarterHistory

PACKAGES = (
    "chuangwen",
    "prefect",
    "great-expectations",
    "pandas",
    "numpy",
    "weasyprint",
    "jinja2",
    "duckdb",
    "openpyxl",
    "python-calamine",
    "matplotlib",
    "pydantic",
    "prefect-dask",
    "distributed",
)
CODE_DIRS = ("core", "expectations", "transforms", "adapters", "flows", "chuangwen", "report_templates")


def code_hash() -> str:
    """One hash over the project's code, catalog and templates: a change of any rule or wording shows."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yaml", ".j2", ".css", ".json"):
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def history_hash(history: QuarterHistory) -> str:
    """Everything a quarter's run read of the earlier quarters in the store (read_quarter_history)."""
    digest = hashlib.sha256()
    for name, frame in history.frames().items():
        digest.update(name.encode())
        # No rows hash alike whether the table exists yet or not: a store's first run must not make the
        # quarters before it look changed.
        digest.update(frame.to_csv(index=False).encode() if len(frame) else b"-")
    return digest.hexdigest()


def input_key(
    quarter: str, raw_folder: Path, history: QuarterHistory, config_path: Path, options: dict | None = None
) -> dict:
    """Everything a quarter's outputs depend on, each hashed, and one key over all of them.
    options: the run's own parameters that change the outputs (document number, issue date)."""
    files = (
        {p.name: sha256_file(p) for p in sorted(Path(raw_folder).iterdir()) if p.is_file()}
        if Path(raw_folder).is_dir()
        else {}
    )
    parts = {
        "quarter": quarter,
        "files": files,
        "catalog": sha256_file(CATALOG_PATH),
        "config": sha256_file(config_path),
        "code": code_hash(),
        "history": history_hash(history),
        "options": options or {},
    }
    parts["key"] = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return parts


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_manifest(
    folder: Path, inputs: dict, written: dict[str, Path], timings: dict[str, float], catalog_version: str
) -> Path:
    manifest = {
        "quarter": inputs["quarter"],
        "input_key": inputs["key"],
        "inputs": inputs,
        "catalog_version": catalog_version,
        "packages": package_versions(),
        "outputs": {
            str(Path(p).relative_to(folder)): {"sha256": sha256_file(p), "size": Path(p).stat().st_size}
            for p in sorted(written.values())
        },
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    path = Path(folder) / outputs.MANIFEST
    write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def cached_outputs(folder: Path, key: str) -> dict[str, Path] | None:
    """The outputs of an earlier run with the same input key, if all are still there unchanged."""
    path = Path(folder) / outputs.MANIFEST
    if not path.is_file():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("input_key") != key:
        return None
    found = {}
    for name, facts in manifest["outputs"].items():
        target = Path(folder) / name
        if not target.is_file() or sha256_file(target) != facts["sha256"]:
            return None
        found[name] = target
    return found
