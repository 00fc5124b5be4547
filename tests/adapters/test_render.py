"""Rendering: strict templates, Chinese formatting filters, and a fetcher that loads nothing foreign."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import replace

import jinja2
import pytest

from adapters.render import render_html, render_pdf
from core.quarters import default_issue_date
from core.zh import document_date
from report_templates.filters import change, score
from transforms.documents.bulletin import AnnexRow, BulletinContext, IntakeNote, RankRow, Theme


def _ctx(**over) -> BulletinContext:
    base = BulletinContext(
        issuer="文山州精神文明建设指导委员会办公室",
        doc_number="文文明办〔2023〕4号",
        title="关于2022年第四季度全州文明城市创建工作情况的通报",
        quarter="2022Q4",
        quarter_label="2022年第四季度",
        issue_date=dt.date(2023, 1, 10),
        recipients="各县（市）：",
        source_document="《工作方案》",
        reported=2,
        counties=3,
        not_reported=("富宁县",),
        average=80.5,
        ranking=(
            RankRow(1, "文山市", 90.0, 1, 50, 2, ""),
            RankRow(2, "砚山县", 71.0, None, 40, 12, ""),
            RankRow(None, "富宁县", None, None, 0, 0, "未报送"),
        ),
        themes=(Theme("和谐宜居的生活环境", "道路照明亮灯率（≥95%）有3个县（市）未达到要求（砚山县等）。"),),
        intake=(IntakeNote("富宁县", "富宁县.xlsx", "文件未采用", "文件已损坏"),),
        catalog_version="2022.2",
        total_points=124.0,
        parts=124,
    )
    return replace(base, **over)


@pytest.mark.parametrize(("value", "text"), [(3, "↑3"), (-2, "↓2"), (0, "持平"), (None, "—")])
def test_rank_change_filter(value, text):
    assert change(value) == text


def test_score_and_date_filters():
    assert score(85.0333) == "85.03" and score(None) == "—"
    # GB/T 9704-2012 7.3.5.1: Arabic numerals, the year in full, no leading zeros
    assert document_date(dt.date(2023, 4, 10)) == "2023年4月10日"
    assert document_date(dt.date(2022, 12, 31)) == "2022年12月31日"


def test_issue_date_follows_the_quarter():
    assert default_issue_date("2022Q4") == dt.date(2023, 1, 10)
    assert default_issue_date("2022Q1") == dt.date(2022, 4, 10)


def test_html_escapes_county_text_and_shows_every_row():
    html = render_html("bulletin.html.j2", _ctx(recipients="<script>alert(1)</script>"))
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    shown = ("文山市", "砚山县", "富宁县", "道路照明亮灯率", "2023年1月10日", "富宁县未按时报送", "文件已损坏")
    for name in shown:
        assert name in html


def test_a_missing_context_field_fails_loudly():
    class Partial:
        title = "x"

    with pytest.raises(jinja2.UndefinedError):
        render_html("bulletin.html.j2", Partial())


def test_pdf_refuses_local_files_and_network(tmp_path):
    html = render_html("bulletin.html.j2", _ctx()).replace(
        "</body>",
        '<img src="file:///etc/hostname"><link rel="attachment" href="file:///etc/passwd">'
        '<img src="http://127.0.0.1:9/x.png"></body>',
    )
    pdf = render_pdf(html)
    (tmp_path / "b.pdf").write_bytes(pdf)
    attachments = subprocess.run(["pdfdetach", "-list", str(tmp_path / "b.pdf")], capture_output=True, text=True).stdout
    assert "0 embedded files" in attachments
    assert b"/EmbeddedFile" not in pdf
    assert render_pdf(html) == pdf  # byte-identical renders


def test_a_provinces_bulletin_shows_the_ends_and_refers_to_the_score_table():
    scope = "共129个单位，表中为前10名和后10名，全部单位的得分见得分表"
    html = render_html("bulletin.html.j2", _ctx(shown_scope=scope, unranked=3, all_listed=False))
    assert html.count(scope) == 2  # under the ranking and under the annex
    assert "另有3个单位未排名" in html
    listed = render_html("bulletin.html.j2", _ctx())
    assert "全部单位的得分见得分表" not in listed and "道路照明亮灯率" in listed


def test_the_ranking_has_a_remark_column_only_when_a_row_has_a_remark():
    plain = render_html("bulletin.html.j2", _ctx(remarks=False))
    assert "<th>备注</th>" not in plain
    remarked = render_html("bulletin.html.j2", _ctx(remarks=True))
    assert "<th>备注</th>" in remarked and '<td class="left">未报送</td>' in remarked


def test_the_annex_names_every_area_in_its_key():
    html = render_html(
        "bulletin.html.j2",
        _ctx(area_labels=("一、甲领域", "二、乙领域"), annex_scores=(AnnexRow(1, "文山市", 90.0, 0.0, (0.9, 0.8)),)),
    )
    annex = html[html.index('class="annex"') :]
    assert "一、甲领域；二、乙领域" in annex and "90.0%" in annex and "80.0%" in annex
