"""The office's own fonts, from a folder named in the settings, are found by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont


def _office_font(folder: Path) -> Path:
    """A stand-in for the office's licensed 方正小标宋简体: a free face renamed (name table 1, 4, 6, 16)."""
    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSerif.ttf")
    names = font["name"]
    names.removeNames(platformID=1)  # Mac Roman cannot spell it
    for lang in (0x409, 0x804):  # English and Chinese (PRC) records, as the real font has
        for name_id in (1, 4, 16):
            names.setName("方正小标宋简体", name_id, 3, 1, lang)
        names.setName("FZXiaoBiaoSong-B05S", 6, 3, 1, lang)
    folder.mkdir(parents=True, exist_ok=True)
    font.save(folder / "FZXBSJW.ttf")
    return folder / "FZXBSJW.ttf"


def test_a_font_folder_in_the_settings_is_used_by_name(tmp_path):
    path = _office_font(tmp_path / "fonts")
    env = {**os.environ, "CHUANGWEN_STATE": str(tmp_path / "state")}
    script = f"""
import subprocess, sys
from pathlib import Path
from adapters.render import use_font_folder, render_pdf
use_font_folder(Path({str(path.parent)!r}))
print(subprocess.run(["fc-match", "-f", "%{{file}}", "方正小标宋简体"], capture_output=True, text=True).stdout)
pdf = render_pdf('<html><body><h1 style="font-family: 方正小标宋简体">Title</h1></body></html>')
Path({str(tmp_path / "t.pdf")!r}).write_bytes(pdf)
"""
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[0] == str(path)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "t.pdf")], capture_output=True, text=True).stdout
    assert "方正小标宋简体" in fonts, fonts  # the office's face embedded, not a fallback


def test_without_the_folder_the_name_falls_back(tmp_path):
    found = subprocess.run(["fc-match", "-f", "%{file}", "方正小标宋简体"], capture_output=True, text=True).stdout
    assert "FZXBSJW" not in found
