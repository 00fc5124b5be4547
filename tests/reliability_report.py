"""docs/reliability.md from the cases the hostile-input, fuzz and crash tests describe (tests/conftest.py
collects them). Written for the office, in Chinese; atomically, and only when its text changes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

OUTCOME = {"passed": "通过", "failed": "未通过", None: "未完成"}
GROUP_ORDER = [
    "恶意或损坏的文件",
    "真实客户端保存的文件",
    "报送文件夹",
    "文件中的恶意文本",
    "名称与路径",
    "州文明办自己的失误",
    "模糊测试",
    "崩溃与故障",
]


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def render_report(cases: list[dict]) -> str:
    groups = sorted({c["group"] for c in cases}, key=lambda g: (GROUP_ORDER.index(g) if g in GROUP_ORDER else 99, g))
    passed = sum(c["outcome"] == "passed" for c in cases)
    lines = [
        "# 可靠性测试报告",
        "",
        "本文件由测试套件自动生成（`tests/hostile/`，每次完整运行测试时更新），请勿手工编辑。",
        "它列出创文软件经受过的每一种恶意、损坏或异常的输入和故障，预期的处理结果，以及测试实际检查了什么。",
        "",
        f"共 {len(cases)} 种情形，通过 {passed} 种，未通过 {len(cases) - passed} 种。",
        "",
    ]
    number = 0
    for group in groups:
        members = [c for c in cases if c["group"] == group]  # in the order the tests ran
        lines += [
            f"## {group}（{len(members)} 种）",
            "",
            "| 编号 | 情形 | 输入 | 预期结果 | 检查内容 | 结果 |",
            "|---|---|---|---|---|---|",
        ]
        for c in members:
            number += 1
            lines.append(
                f"| {number} | {_cell(c['case'])} | {_cell(c['tried'])} | {_cell(c['expected'])} | "
                f"{_cell(c['checked'])} | {OUTCOME[c['outcome']]} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_report(path: Path, cases: list[dict]) -> None:
    text = render_report(cases)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
