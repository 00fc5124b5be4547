"""Charts for the bulletin as SVG (matplotlib, Noto CJK): ranking bars, an area heat map, each county's
total over recent quarters. Text is drawn as paths, so readers need no font; the SVG is byte-identical
for identical data (fixed hash salt, no date)."""

from __future__ import annotations

import base64
import io

from core.runtime import configure

_CJK = ["Noto Sans CJK SC", "Noto Serif CJK SC", "DejaVu Sans"]


def _pyplot():
    configure()  # matplotlib's cache folder inside the state folder
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": _CJK,
            "svg.fonttype": "path",
            "svg.hashsalt": "chuangwen",
            "axes.unicode_minus": False,
            "font.size": 9,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    _pyplot().close(fig)
    return buf.getvalue()


def data_uri(svg: str) -> str:
    """For <img src>: the only kind of URL the renderer's fetcher accepts besides the project's assets."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def ranking_bars(counties: list[str], totals: list[float | None]) -> str:
    plt = _pyplot()
    pairs = [(c, t) for c, t in zip(counties, totals, strict=True) if t is not None]
    fig, ax = plt.subplots(figsize=(6.0, 0.32 * max(len(pairs), 1) + 0.6))
    names = [c for c, _ in pairs][::-1]
    values = [t for _, t in pairs][::-1]
    ax.barh(names, values, color="#b22222")
    for y, v in enumerate(values):
        ax.text(v + 0.5, y, f"{v:.2f}", va="center", fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("总分")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def area_heatmap(counties: list[str], areas: list[str], rates: list[list[float | None]]) -> str:
    """Counties × areas, the cell's colour its 得分率 (0–100 %)."""
    plt = _pyplot()
    import numpy as np

    grid = np.array([[np.nan if v is None else v * 100 for v in row] for row in rates], dtype=float)
    fig, ax = plt.subplots(figsize=(6.2, 0.34 * len(counties) + 1.2))
    image = ax.imshow(grid, cmap="RdYlGn", vmin=40, vmax=100, aspect="auto")
    ax.set_xticks(range(len(areas)), labels=areas)
    ax.set_yticks(range(len(counties)), labels=counties)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="得分率（%）", shrink=0.8)
    return _svg(fig)


def trend_lines(quarters: list[str], series: dict[str, list[float | None]]) -> str:
    """Each county's total over the given quarters (gaps where it did not report)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.2, 3.0))
    for county, totals in series.items():
        ax.plot(
            quarters,
            [float("nan") if t is None else t for t in totals],
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=county,
        )
    ax.set_ylabel("总分")
    ax.set_ylim(0, 100)
    ax.legend(ncol=4, fontsize=7, frameon=False, loc="lower center", bbox_to_anchor=(0.5, -0.45))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=7)
    return _svg(fig)
