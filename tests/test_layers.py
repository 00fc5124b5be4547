"""One direction of dependency: core → expectations → transforms → adapters → flows → chuangwen.

Every module's imports are read from its AST (imports inside functions too) and each must point to its
own layer or one below it; report_templates (the Jinja filters) may import only core. The planted-import
test shows that the check does fail."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("core", "expectations", "transforms", "adapters", "flows", "web", "chuangwen")
ALLOWED = {layer: set(LAYERS[: i + 1]) for i, layer in enumerate(LAYERS)}
ALLOWED["report_templates"] = {"core", "report_templates"}
ALLOWED["adapters"] |= {"report_templates"}  # the renderer loads the templates and their filters
PACKAGES = set(ALLOWED)


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import of one of our packages."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return [(line, top) for line, top in found if top in PACKAGES]


def violations(root: Path) -> list[str]:
    out = []
    for package in sorted(PACKAGES):
        for path in sorted((root / package).rglob("*.py")):
            for line, target in imported(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if target not in ALLOWED[package]:
                    out.append(
                        f"{path.relative_to(root)}:{line} imports {target} ({package} may import "
                        f"{', '.join(sorted(ALLOWED[package]))})"
                    )
    return out


def test_no_import_goes_up_the_layers():
    assert violations(ROOT) == []


def test_a_planted_upward_import_is_found(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "transforms" / "score.py").write_text(
        "def f():\n    from adapters.history import HistoryStore  # inside a function too\n", encoding="utf-8"
    )
    (tmp_path / "core" / "zh.py").write_text("import expectations.catalog\n", encoding="utf-8")
    (tmp_path / "report_templates" / "filters.py").write_text("from transforms import score\n", encoding="utf-8")
    assert violations(tmp_path) == [
        "core/zh.py:1 imports expectations (core may import core)",
        "report_templates/filters.py:1 imports transforms (report_templates may import core, report_templates)",
        "transforms/score.py:2 imports adapters (transforms may import core, expectations, transforms)",
    ]


@pytest.mark.parametrize("module", ["transforms.score", "transforms.assess", "expectations.catalog", "core.zh"])
def test_importing_a_lower_layer_changes_no_environment_and_creates_no_folder(tmp_path, module):
    """In a fresh interpreter with an empty state folder: the import leaves os.environ and the folder as
    they were (only the command line and the flows package call core.runtime.configure())."""
    state = tmp_path / "state"
    script = (
        "import json, os, sys\n"
        "before = dict(os.environ)\n"
        f"import {module}\n"
        "after = dict(os.environ)\n"
        "print(json.dumps({k: after.get(k) for k in set(before) ^ set(after) | "
        "{k for k in before if before[k] != after.get(k)}}))\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PREFECT_HOME", "MPLCONFIGDIR", "XDG_CACHE_HOME", "GX_ANALYTICS_ENABLED", "DO_NOT_TRACK")
    }
    env["CHUANGWEN_STATE"] = str(state)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "{}"
    assert not state.exists()
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {module}; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('chuangwen', 'flows', 'adapters', 'prefect')))",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert loaded.stdout.strip() == "[]", loaded.stdout
