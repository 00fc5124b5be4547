"""The bulletin's charts read in black-and-white print: text at least 9 pt at the printed size, a heat-map
scale whose grey follows the rate, lines told apart without colour, the areas named on the heat map."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from small_catalog import small_catalog

from adapters import charts
from core.zh import cn_numeral
from expectations.catalog import load_catalog
from transforms.documents.charts import chart_data

COUNTIES = ["文山市", "砚山县", "西畴县", "麻栗坡县", "马关县", "丘北县", "广南县", "富宁县"]
AREAS = ["一、建设具有强大生命力和创造力的社会主义精神文明", "二、廉洁高效的政务环境", "三、城乡融合发展"]
RATES = [[0.44, 1.0, None], [0.9, 0.6, 0.75], [1.0, 0.3, 0.52]]
QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
TOTALS = [91.2, 88.0, 87.5, 80.25, 79.0, 78.5, None, 60.0]


def _series(units: int) -> dict[str, list[float | None]]:
    """Lines ending close together (the names must be moved apart), one with no last quarter."""
    names = COUNTIES + [f"某{k}县" for k in range(units - len(COUNTIES))]
    series: dict[str, list[float | None]] = {n: [70.0 + k, 75.0, 80.0 - k, 85.0 + k * 0.2] for k, n in enumerate(names)}
    series[names[1]][-1] = None
    return dict(list(series.items())[:units])


FIGURES = {
    "heatmap": lambda: charts.heatmap_figure(COUNTIES[:3], AREAS, RATES),
    "trend": lambda: charts.trend_figure(QUARTERS, _series(8)),
    "trend of 12": lambda: charts.trend_figure(QUARTERS, _series(12)),
}
SVGS = {
    "heatmap": lambda: charts.area_heatmap(COUNTIES[:3], AREAS, RATES),
    "trend": lambda: charts.trend_lines(QUARTERS, _series(8)),
    "trend of 12": lambda: charts.trend_lines(QUARTERS, _series(12)),
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    charts._pyplot().close("all")


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _grey(colour) -> float:
    return charts.luminance(to_rgba(colour))


@pytest.mark.parametrize("chart", FIGURES)
def test_no_text_under_9pt(chart):
    texts = _texts(FIGURES[chart]())
    assert texts
    assert [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 9] == []


@pytest.mark.parametrize("chart", SVGS)
def test_printed_at_its_own_size_in_the_156mm_text_block(chart):
    width = re.search(r'<svg[^>]* width="([\d.]+)pt"', SVGS[chart]())
    assert width and float(width.group(1)) <= 156 / 25.4 * 72  # else the printer shrinks it, its text with it


@pytest.mark.parametrize("chart", SVGS)
def test_svg_is_reproducible_and_needs_no_font(chart):
    first, second = SVGS[chart](), SVGS[chart]()
    assert first == second
    assert "<dc:date>" not in first and "<text" not in first


def test_heatmap_grey_follows_the_rate():
    image = charts.heatmap_figure(COUNTIES[:3], AREAS, RATES).axes[0].images[0]
    greys = [charts.luminance(image.cmap(image.norm(v))) for v in range(40, 101)]
    assert all(a < b for a, b in zip(greys, greys[1:], strict=False))  # low rates dark, lightness monotonic
    assert greys[-1] - greys[0] > 0.4  # 44 % and 100 % print as clearly different greys


def test_heatmap_cells_carry_their_rate_in_a_contrasting_ink():
    ax = charts.heatmap_figure(COUNTIES[:3], AREAS, RATES).axes[0]
    image = ax.images[0]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    for i, row in enumerate(RATES):
        for j, rate in enumerate(row):
            text = cells[(i, j)]
            if rate is None:
                assert text.get_text() == "—"
                continue
            assert text.get_text() == f"{rate * 100:.0f}"
            cell = charts.luminance(image.cmap(image.norm(rate * 100)))
            assert abs(_grey(text.get_color()) - cell) > 0.45, (rate, text.get_color())


@pytest.mark.parametrize("areas", [AREAS, [a.label for a in load_catalog().areas]], ids=["three", "the catalog's"])
def test_heatmap_names_the_areas_in_readable_columns(areas):
    rates = [[0.8] * len(areas) for _ in COUNTIES]
    fig = charts.heatmap_figure(COUNTIES, areas, rates)
    ax = fig.axes[0]
    assert [t.get_text().replace("\n", "") for t in ax.get_xticklabels()] == areas
    assert [t.get_text() for t in ax.get_yticklabels()] == COUNTIES
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.get_xticklabels()]
    assert not any(_overlap(a, b) for a, b in zip(boxes, boxes[1:], strict=False))


def test_heatmap_columns_are_the_catalog_areas_labels():
    catalog = small_catalog(2)
    rates = {f"area_{a.num}_rate": [0.8, 0.5] for a in catalog.areas}
    ranking = pd.DataFrame(
        {"county_code": [c.code for c in catalog.counties], "county": [c.name for c in catalog.counties]}
    ).assign(total=[80.0, 60.0], **rates)
    trend = pd.DataFrame({"quarter": ["2023Q4"] * 2, "county": ranking["county"], "total": ranking["total"]})
    data = chart_data(SimpleNamespace(ranking=ranking), SimpleNamespace(trend=trend), catalog)
    assert data.heatmap_areas == [f"{cn_numeral(a.num)}、{a.name[-4:]}" for a in catalog.areas]
    ax = charts.heatmap_figure(data.heatmap_units, data.heatmap_areas, data.heatmap_rates).axes[0]
    assert [t.get_text().replace("\n", "") for t in ax.get_xticklabels()] == ["一、精神文明", "二、生态环境"]


@pytest.mark.parametrize("units", [8, 12])
def test_trend_lines_differ_without_colour(units):
    ax = charts.trend_figure(QUARTERS, _series(units)).axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() in _series(units)]
    assert len(lines) == units
    assert len({(line.get_marker(), line.get_linestyle()) for line in lines}) == units
    for line in lines:
        r, g, b, _ = to_rgba(line.get_color())
        assert r == g == b and r <= 0.5  # black or a dark grey


@pytest.mark.parametrize("units", [8, 12])
def test_trend_names_each_line_at_its_last_point_without_overlap(units):
    series = _series(units)
    fig = charts.trend_figure(QUARTERS, series)
    ax = fig.axes[0]
    names = {t.get_text(): t for t in ax.texts if t.get_text()}
    assert set(names) == set(series)
    leaders = {a.xy: a for a in ax.texts if not a.get_text()}
    for county, totals in series.items():
        last = max(x for x, t in enumerate(totals) if t is not None)
        assert (last, totals[last]) in leaders  # a leader from its last reported point …
        assert leaders[(last, totals[last])].xyann[1] == names[county].xy[1]  # … to its name
    fig.canvas.draw()
    boxes = sorted((t.get_window_extent() for t in names.values()), key=lambda b: b.y0)
    assert not any(_overlap(a, b) for a, b in zip(boxes, boxes[1:], strict=False))
