"""The pipeline's stages after intake (adapters/returns.py): validate, score and write the quarter's
outputs. What a Prefect task calls; the pure work is in transforms/."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from adapters import charts
from adapters.files import write_atomic
from adapters.history import HistoryStore
from adapters.outputs import RULE_HEADERS, csv_bytes, detail_workbook, json_bytes, with_county_names
from adapters.processes import map_batches, render_batch
from adapters.render import render_html
from adapters.returns import Ingested, absent_reasons, intake_notes
from adapters.validation_runner import ValidationOutcome, install_data_docs, validate_quarter
from adapters.word import bulletin_docx, feedback_docx
from core import faults, outputs
from core.problems import Problem
from core.zh import quarter_label
from expectations.catalog import Catalog
from expectations.settings import QuarterSettings
from transforms.assess import Assessment, OfficeInputs
from transforms.documents.bulletin import (
    LIST_ALL_UNITS_UP_TO,
    Charts,
    build_bulletin,
    bulletin_extras,
    issues_by_county,
)
from transforms.documents.charts import chart_data
from transforms.documents.feedback import build_feedback, feedback_tables
from transforms.documents.method import build_method
from transforms.documents.validation_report import build_validation_report
from transforms.history import QuarterHistory
from transforms.reshape import to_wide
from transforms.scoring import QuarterScores, score_quarter

DATA_DOCS_MAX_UNITS = 200  # GE's Data Docs list every failing unit per expectation: unreadable beyond this


def validate(
    current: Ingested, history: QuarterHistory, catalog: Catalog, office: OfficeInputs, docs_dir: Path | None = None
) -> ValidationOutcome:
    """Both suites over all counties at once (one wide table); Data Docs into docs_dir when given and
    there are at most DATA_DOCS_MAX_UNITS units (our own validation/report.html covers every size)."""
    present = set(current.values["county_code"])
    counties = [c.code for c in catalog.counties if c.code in present]
    wide = to_wide(current.values, history.same_quarter, catalog, current.quarter, counties, office.references)
    return validate_quarter(
        wide, catalog, current.quarter, docs_dir if len(counties) <= DATA_DOCS_MAX_UNITS else None, stage_docs=True
    )


def install_docs(outcome: ValidationOutcome, docs_dir: Path) -> None:
    """The quarter's Data Docs into place, once its other outputs are written (a failed run leaves the
    last good run's)."""
    if outcome.docs_staged is not None:
        install_data_docs(outcome.docs_staged, docs_dir)


def score(
    current: Ingested,
    outcome: ValidationOutcome,
    catalog: Catalog,
    history: QuarterHistory,
    office: OfficeInputs | None = None,
) -> QuarterScores:
    office = office or OfficeInputs(None, None, None, ())
    previous = history.previous_ranking if len(history.previous_ranking) else None
    return score_quarter(
        current.values,
        outcome.rules,
        catalog,
        current.quarter,
        previous,
        office.ratings,
        office.finding_counts,
        history.carried,
        office.references,
        absent_reasons(current, catalog),
    )


def record(
    store: HistoryStore, current: Ingested, outcome: ValidationOutcome, scores: QuarterScores, assessment: Assessment
) -> None:
    """Replace this quarter in the history store, in one transaction."""
    sha = current.accepted
    figures = current.values.assign(sha256=current.values["file"].map(sha))
    store.write_quarter(
        current.quarter,
        {
            "figures": figures,
            "rules": outcome.rules,
            "indicator_scores": scores.indicators,
            "task_scores": scores.tasks,
            "ranking": scores.ranking,
            "deductions": scores.deductions,
            "lists": assessment.lists,
            "escalations": assessment.escalations,
            "goals": assessment.goals,
            "orders": assessment.orders,
            "progress": assessment.progress,
            "robustness": assessment.robustness,
        },
    )


@dataclass(frozen=True)
class Documents:
    """A quarter's outputs before PDF rendering: the HTML of each PDF, and every other file's bytes.
    Names are relative to the quarter's output folder."""

    pages: dict[str, str]
    files: dict[str, bytes]


def documents(
    current: Ingested,
    outcome: ValidationOutcome,
    scores: QuarterScores,
    assessment: Assessment,
    catalog: Catalog,
    doc_number: str | None,
    issue_date: dt.date,
    office_problems: tuple[Problem, ...] = (),
) -> Documents:
    """The bulletin (HTML and, to render, PDF), feedback sheets to render, scores, orders and check results."""
    quarter = current.quarter
    doc_number = doc_number or assessment.settings.doc_number or f"文文明办〔{issue_date.year}〕{int(quarter[-1])}号"
    notes = {(r.county_code, r.item_id): r.note for r in current.values.itertuples(index=False) if r.note}
    drawn, pngs = bulletin_charts(scores, assessment, catalog)
    ctx = build_bulletin(
        quarter,
        quarter_label(quarter),
        scores.ranking,
        scores.indicators,
        scores.tasks,
        catalog,
        doc_number,
        issue_date,
        intake_notes(current, catalog),
        extras=bulletin_extras(assessment, scores, catalog, quarter),
        charts=drawn,
        cc=assessment.settings.cc,
        recipients=assessment.settings.recipients,
    )
    html = render_html("bulletin.html.j2", ctx)
    method = method_html(catalog, assessment.settings, quarter)
    sheets, sheet_docs = feedback_pages(current, scores, assessment, catalog, issue_date, notes)
    files = {
        outputs.BULLETIN_HTML: html.encode("utf-8"),
        outputs.BULLETIN_DOCX: bulletin_docx(ctx, pngs),
        **sheet_docs,
        outputs.METHOD_HTML: method.encode("utf-8"),
        outputs.SCORES_CSV: csv_bytes(scores.ranking),
        outputs.SCORES_XLSX: detail_workbook(scores, assessment, catalog),
        outputs.ORDERS_CSV: csv_bytes(assessment.orders),
        outputs.INDICATOR_SCORES_CSV: csv_bytes(with_county_names(scores.indicators, catalog)),
        outputs.TASK_SCORES_CSV: csv_bytes(with_county_names(scores.tasks, catalog)),
        outputs.PROBLEMS_JSON: json_bytes([asdict(p) for p in (*current.problems, *office_problems)]),
        **validation_files(outcome, current, catalog, scores),
        outputs.INPUTS_JSON: json_bytes(
            {"quarter": quarter, "catalog_version": catalog.version, "files": current.accepted}
        ),
    }
    pages = {
        outputs.BULLETIN_PDF: html,
        outputs.METHOD_PDF: method,
        **sheets,
    }
    return Documents(pages, files)


def method_html(catalog: Catalog, settings: QuarterSettings, quarter: str) -> str:
    """The 测评细则 the quarter was scored by, as HTML (rendered to method.pdf beside the bulletin)."""
    return render_html("method.html.j2", build_method(catalog, settings, quarter))


def render_pdfs(pages: list[tuple[str, str]], workers: int = 1) -> list[tuple[str, bytes]]:
    """Render (name, HTML) pages to PDF, in `workers` processes when there are several pages."""
    return map_batches(render_batch, pages, workers)


def write_files(folder: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write each file atomically under the quarter's folder; returns name → path."""
    written = {}
    for name, data in files.items():
        write_atomic(Path(folder) / name, data)
        written[name] = Path(folder) / name
        faults.point("write-files")
    return written


def bulletin_charts(scores: QuarterScores, assessment: Assessment, catalog: Catalog) -> tuple[Charts, dict[str, bytes]]:
    """The bulletin's charts: what they show chosen by transforms/documents/charts.py, drawn as SVG for the
    PDF and HTML, and as PNG (by Charts field name) for the Word twin. Each figure is drawn once."""
    data = chart_data(scores, assessment, catalog)
    figures = {
        "heatmap": lambda: charts.heatmap_figure(data.heatmap_units, data.heatmap_areas, data.heatmap_rates),
        "trend": lambda: charts.trend_figure(data.trend_quarters, data.trend_series),
    }
    svg = {name: charts.data_uri(charts.svg(draw())) for name, draw in figures.items()}
    pngs = {name: charts.png(draw()) for name, draw in figures.items()}
    return Charts(svg["heatmap"], svg["trend"], scope=data.scope, trend_scope=data.trend_scope), pngs


def feedback_pages(
    current: Ingested,
    scores: QuarterScores,
    assessment: Assessment,
    catalog: Catalog,
    issue_date: dt.date,
    notes: dict[tuple[str, str], str],
) -> tuple[dict[str, str], dict[str, bytes]]:
    """For every county that reported: counties/<县名>反馈单.pdf → its HTML, and its Word twin's bytes. Beyond
    LIST_ALL_UNITS_UP_TO units (a province, the country) no Word twins: nobody edits thousands of sheets by
    hand, and at 0.17 s each they would double the documents' time."""
    out = {}
    docs = {}
    reported = set(scores.indicators["county_code"])
    issues = issues_by_county(scores.indicators, scores.tasks, catalog, notes)
    tables = feedback_tables(scores, assessment, catalog)
    for c in catalog.counties:
        if c.code not in reported:
            continue
        ctx = build_feedback(
            c.code,
            current.quarter,
            quarter_label(current.quarter),
            issue_date,
            scores,
            assessment,
            catalog,
            notes,
            issues.get(c.code, ()),
            tables,
        )
        out[outputs.feedback_sheet(c.name)] = render_html("feedback.html.j2", ctx)
        if len(catalog.counties) <= LIST_ALL_UNITS_UP_TO:  # a prefecture's: the office edits them before sending
            docs[outputs.feedback_sheet_docx(c.name)] = feedback_docx(ctx)
    return out, docs


def validation_files(
    outcome: ValidationOutcome, current: Ingested, catalog: Catalog, scores: QuarterScores
) -> dict[str, bytes]:
    """validation/: raw results, the rule table, our offline Chinese report, the suites as run."""
    count = sum(len(s["expectations"]) for s in outcome.suites.values())
    report = build_validation_report(
        outcome.rules,
        outcome.dq_failures,
        current.values,
        catalog,
        current.quarter,
        quarter_label(current.quarter),
        count,
        scores.indicators,
        scores.ranking,
    )
    return {
        outputs.VALIDATION_RESULTS: json_bytes(outcome.documents),
        outputs.VALIDATION_RULES: csv_bytes(
            with_county_names(_with_names(outcome.rules, catalog), catalog), RULE_HEADERS
        ),
        outputs.VALIDATION_REPORT: render_html("validation.html.j2", report).encode("utf-8"),
        **{outputs.validation_suite(key): json_bytes(suite) for key, suite in outcome.suites.items()},
    }


def _with_names(rules: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    names = {i.id: i.name for i in catalog.indicators}
    return rules.assign(indicator_name=rules["indicator_id"].map(names))
