"""The quarter's tables as files for people: scores.xlsx typed and formatted, CSV safe to open."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from adapters.outputs import MAX_WIDTH, frames_workbook


def test_exported_tables_keep_text_as_text_and_are_reproducible(tmp_path):
    frame = pd.DataFrame({"county": ["砚山县", "=1+1"], "total": [91.5, float("nan")], "rank": [1, None]})
    data = frames_workbook({"总分排名": frame})
    assert frames_workbook({"总分排名": frame}) == data
    ws = load_workbook(io.BytesIO(data))["总分排名"]
    assert ws["A1"].value == "县（市）" and ws["A1"].font.bold
    assert ws["A3"].value == "=1+1" and ws["A3"].data_type == "s"
    assert ws["B2"].value == 91.5 and ws["B3"].value is None
    assert ws.freeze_panes == "A2"


def test_error_looking_text_stays_text():
    notes = ["#DIV/0!", "#N/A", "普通", "http://example.invalid/x", '=HYPERLINK("http://a")', "0012"]
    ws = load_workbook(io.BytesIO(frames_workbook({"t": pd.DataFrame({"note": notes})})))["t"]
    assert [(c.value, c.data_type, c.hyperlink) for c in ws["A"][1:]] == [(n, "s", None) for n in notes]


def test_exported_numbers_keep_their_type_and_non_finite_ones_stay_blank():
    frame = pd.DataFrame({"value": [1.5, float("inf"), 3], "on_course": [True, False, None]})
    ws = load_workbook(io.BytesIO(frames_workbook({"t": frame})))["t"]
    assert [c.value for c in ws["A"][1:]] == [1.5, None, 3]
    assert [c.value for c in ws["B"][1:]] == [True, False, None]


def test_ranks_counts_rates_points_and_dates_are_typed_and_formatted_for_people():
    """Ranks were stored as text, rates as 0.9636363636 in General format, dates as text, no widths."""
    frame = pd.DataFrame(
        {
            "rank": pd.array([1, None, 12], dtype="Int64"),
            "total": [91.234, np.nan, 80.0],
            "focus_rate": [0.9636363636, 0.5, None],
            "area_3_rate": [1.0, 0.25, 0.0],
            "deadline": ["2022-09-30", None, "not a date"],
            "problem": ["砚山县：" + "道路照明亮灯率未达标" * 12, "短", None],
            "count": np.array([3, 0, 7], dtype="int64"),
        }
    )
    ws = load_workbook(io.BytesIO(frames_workbook({"t": frame})))["t"]
    rank, total, rate, area, deadline, problem, count = (ws.cell(row=2, column=c) for c in range(1, 8))
    assert (rank.value, rank.data_type) == (1, "n") and ws["A4"].value == 12 and ws["A3"].value is None
    assert (total.value, total.number_format) == (91.234, "0.00")
    assert (rate.value, rate.number_format) == (0.9636363636, "0.0%") and area.number_format == "0.0%"
    assert deadline.value == dt.datetime(2022, 9, 30) and deadline.number_format == "yyyy-mm-dd"
    assert ws["E4"].value == "not a date" and ws["E4"].data_type == "s"  # never a guess
    assert (count.value, count.data_type) == (3, "n")
    assert ws.auto_filter.ref == "A1:G4" and ws.freeze_panes == "A2"
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert abs(widths["F"] - (MAX_WIDTH + 2)) < 1 and problem.alignment.wrap_text  # capped: the long text wraps
    assert ws["F3"].alignment.wrap_text and widths["A"] < widths["F"]


def test_codes_read_as_words_in_the_workbook():
    frame = pd.DataFrame({"frequency": ["quarterly", "annual"], "kind": ["indicator", "task"], "note": ["annual", "x"]})
    ws = load_workbook(io.BytesIO(frames_workbook({"t": frame})))["t"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [
        ["季度", "指标", "annual"],
        ["年度", "任务完成情况", "x"],
    ]
