"""Charts for the bulletin as SVG (matplotlib, Noto CJK): ranking bars, an area heat map, each county's
total over recent quarters. Drawn for black-and-white print: one dark ink for bars, a single-hue scale
whose lightness follows the rate, lines told apart by marker, dash and a name at their end, no text under
FONT_PT at the printed size (no figure is wider than the text block, so none is scaled down). Text is drawn
as paths, so readers need no font; the SVG is byte-identical for identical data (fixed hash salt, no date).
The *_figure functions return the matplotlib figure (for tests); the others its SVG."""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING, Any

from core.runtime import configure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_CJK = ["Noto Sans CJK SC", "Noto Serif CJK SC", "DejaVu Sans"]
FONT_PT = 9  # the smallest text on a chart, as printed
# The bulletin's text block is 156 mm (6.14 in) wide and a wider image is shrunk to it, its text with it: a
# figure is WIDTH_IN wide, plus PAD_IN of margin each side when saved (6.08 in in all).
WIDTH_IN, PAD_IN = 6.0, 0.04
_INK = "0.15"  # bars, axis text
_LINE_INKS = ("black", "0.45")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
_DASHES = ("-", "--", ":", "-.")  # with the ten markers: no two of the first 20 lines look alike
_LOW, _HIGH = 40, 100  # the heat map's scale (%): at or below _LOW darkest, _HIGH lightest
_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601 weights: the grey a printer (or PIL's convert("L")) makes of RGB


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
            "font.size": FONT_PT,
            "axes.labelsize": FONT_PT,
            "xtick.labelsize": FONT_PT,
            "ytick.labelsize": FONT_PT,
            "text.color": _INK,
            "axes.labelcolor": _INK,
            "xtick.color": _INK,
            "ytick.color": _INK,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=PAD_IN, metadata={"Date": None, "Creator": None})
    _pyplot().close(fig)
    return buf.getvalue()


def png(fig: Figure, dpi: int = 200) -> bytes:
    """The same figure as PNG, for the Word twin (python-docx embeds no SVG); closes it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=PAD_IN, metadata={"Software": None})
    _pyplot().close(fig)
    return buf.getvalue()


def data_uri(svg: str) -> str:
    """For <img src>: the only kind of URL the renderer's fetcher accepts besides the project's assets."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _text_in(chars: int) -> float:
    """The width in inches of `chars` CJK characters at FONT_PT (each about one em, with a little room)."""
    return chars * FONT_PT * 1.05 / 72


def luminance(rgba: Any) -> float:
    """The grey (0 black … 1 white) an RGB(A) colour prints as."""
    return sum(w * c for w, c in zip(_LUMA, rgba[:3], strict=True))


# --- ranking ------------------------------------------------------------------------------------------


def rate_colours() -> Any:
    """The heat map's scale: one hue (blue), dark for low rates and light for high, its printed grey
    strictly monotonic (linear between ColorBrewer Blues' anchors, whose lightness falls steadily)."""
    _pyplot()
    import matplotlib
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap

    anchors = matplotlib.colormaps["Blues"](np.linspace(1.0, 0.1, 9))
    return LinearSegmentedColormap.from_list("chuangwen_rates", anchors)


def _wrap(label: str, chars: int) -> str:
    """A CJK label in even lines of at most `chars` characters; a leading numeral (一、) on a line of its own."""
    head, sep, name = label.partition("、")
    if not sep:
        head, name = "", label
    lines = max(math.ceil(len(name) / chars), 1)
    size = max(math.ceil(len(name) / lines), 1)
    return "\n".join(([head + sep] if sep else []) + [name[i : i + size] for i in range(0, len(name), size)])


def heatmap_figure(counties: list[str], areas: list[str], rates: list[list[float | None]]) -> Figure:
    """Counties × areas, each cell shaded by its 得分率 (0–1) and labelled with it in %; the areas' labels
    wrapped over the columns."""
    plt = _pyplot()
    import numpy as np

    grid = np.array([[np.nan if v is None else v * 100 for v in row] for row in rates], dtype=float)
    grid = grid.reshape(len(counties), len(areas))
    side_in = _text_in(max((len(c) for c in counties), default=2)) + 0.15
    per_column = _text_in(1) / 1.05  # one character's width, without the room
    chars = max(int((WIDTH_IN - side_in - 0.1) / max(len(areas), 1) / (per_column * 1.15)), 2)
    labels = [_wrap(a, chars) for a in areas]
    header_in = max((lab.count("\n") + 1 for lab in labels), default=1) * FONT_PT * 1.3 / 72 + 0.15
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.3 * len(counties) + header_in + 0.2), layout="constrained")
    cmap, norm = rate_colours(), plt.Normalize(vmin=_LOW, vmax=_HIGH)
    ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(areas)), labels=labels, linespacing=1.15)
    ax.set_yticks(range(len(counties)), labels=counties)
    ax.tick_params(length=0)
    ax.set_xticks(np.arange(len(areas) + 1) - 0.5, minor=True)  # white rules between cells
    ax.set_yticks(np.arange(len(counties) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.spines[:].set_visible(False)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            if np.isnan(grid[i, j]):
                ax.text(j, i, "—", ha="center", va="center", fontsize=FONT_PT, color="black")
                continue
            dark = luminance(cmap(norm(grid[i, j]))) < 0.5
            colour = "white" if dark else "black"
            ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", fontsize=FONT_PT, color=colour)
    return fig


def area_heatmap(counties: list[str], areas: list[str], rates: list[list[float | None]]) -> str:
    """Counties × areas, the cell's shade and number its 得分率 (0–100 %); areas are the column labels."""
    return svg(heatmap_figure(counties, areas, rates))


# --- trend --------------------------------------------------------------------------------------------


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as near the wanted ones (ascending) as can be with at least `gap` between neighbours,
    kept within [low, high] when they fit."""
    placed = list(wanted)
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    if placed and placed[-1] > high:
        placed[-1] = high
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    if placed and placed[0] < low:  # more labels than room: start at the bottom, keep the gaps
        placed = [max(p, low + k * gap) for k, p in enumerate(placed)]
    return placed


def trend_figure(quarters: list[str], series: dict[str, list[float | None]]) -> Figure:
    """Each county's total over the quarters, in black and grey with its own marker and dash, and its name
    beside its last point (moved apart from the others' where they would touch)."""
    plt = _pyplot()
    known = [t for totals in series.values() for t in totals if t is not None]
    bottom = max(0, 10 * math.floor((min(known) - 5) / 10)) if known else 0
    height_in = max(3.0, 0.19 * len(series) + 1.0)
    label_in = _text_in(max((len(c) for c in series), default=2)) + 0.4
    left_in, bottom_in = 0.5, 0.35
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height_in))
    fig.subplots_adjust(
        left=left_in / WIDTH_IN, right=1 - label_in / WIDTH_IN, bottom=bottom_in / height_in, top=1 - 0.1 / height_in
    )
    xs = list(range(len(quarters)))
    ends: list[tuple[int, float, str, str, str]] = []  # last point (x, y), name, ink, marker
    for k, (county, totals) in enumerate(series.items()):
        ink, marker = _LINE_INKS[k % len(_LINE_INKS)], _MARKERS[k % len(_MARKERS)]
        ax.plot(
            xs,
            [math.nan if t is None else t for t in totals],
            color=ink,
            marker=marker,
            linestyle=_DASHES[k % len(_DASHES)],
            markersize=5,
            linewidth=1.2,
            label=county,
        )
        last = max((x for x, t in zip(xs, totals, strict=True) if t is not None), default=None)
        if last is not None:
            ends.append((last, float(totals[last] or 0), county, ink, marker))
    ax.set_xticks(xs, labels=quarters)
    ax.set_xlim(-0.3, max(len(quarters) - 0.7, 0.3))
    ax.set_ylim(bottom, 100)
    ax.set_ylabel("总分")
    ax.spines[["top", "right"]].set_visible(False)
    units_per_pt = (100 - bottom) / ((height_in - bottom_in - 0.1) * 72)  # the axes are that many inches tall
    gap = FONT_PT * 1.25 * units_per_pt
    ends.sort(key=lambda e: e[1])
    placed = _spread([e[1] for e in ends], gap, bottom + gap / 2, 100 - gap / 2)
    key_x = len(quarters) - 0.7 + 0.15  # each name's key (its line's marker) just right of the plot
    for k, ((x, y, county, ink, marker), at) in enumerate(zip(ends, placed, strict=True)):
        ax.annotate(
            "",
            xy=(x, y),
            xytext=(key_x, at),
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": ink, "linewidth": 0.6, "shrinkA": 4, "shrinkB": 3},
        )
        ax.plot([key_x], [at], marker=marker, color=ink, markersize=5, clip_on=False, zorder=3 + k)
        ax.annotate(
            county, xy=(key_x, at), xytext=(6, 0), textcoords="offset points", va="center", annotation_clip=False
        )
    return fig


def trend_lines(quarters: list[str], series: dict[str, list[float | None]]) -> str:
    """Each county's total over the given quarters (gaps where it did not report)."""
    return svg(trend_figure(quarters, series))
