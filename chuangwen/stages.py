"""The pipeline's stages after intake (chuangwen/intake.py): validate, score and write the quarter's
outputs. What a Prefect task calls; the pure work is in transforms/."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from chuangwen.intake import Ingested, intake_notes
from chuangwen.render import render_html, render_pdf
from chuangwen.validation import ValidationOutcome, validate_quarter
from chuangwen.workbook import write_atomic
from chuangwen.zh import quarter_label
from expectations.catalog import Catalog
from transforms.bulletin import build_bulletin, default_issue_date
from transforms.quarter import QuarterScores, history_frame, score_quarter
from transforms.reshape import to_wide
from transforms.validation_report import build_validation_report


def history_of(earlier: dict[int, Ingested]) -> pd.DataFrame:
    """The same quarter of earlier years, for 逐年 and 连续三年 rules: {years back: ingested}."""
    return history_frame({k: v.values for k, v in earlier.items()})


def validate(current: Ingested, history: pd.DataFrame, catalog: Catalog,
             docs_dir: Path | None = None) -> ValidationOutcome:
    """Both suites over all counties at once (one wide table); Data Docs into docs_dir when given."""
    counties = [c.code for c in catalog.counties if c.code in set(current.values["county_code"])]
    wide = to_wide(current.values, history, catalog, current.quarter, counties)
    return validate_quarter(wide, catalog, current.quarter, docs_dir)


def score(current: Ingested, outcome: ValidationOutcome, catalog: Catalog,
          previous_ranking: pd.DataFrame | None) -> QuarterScores:
    return score_quarter(current.values, outcome.rules, catalog, current.quarter, previous_ranking)


def write_outputs(out_dir: Path, current: Ingested, outcome: ValidationOutcome, scores: QuarterScores,
                  catalog: Catalog, doc_number: str | None, issue_date: dt.date | None) -> dict[str, Path]:
    """Write the quarter's bulletin (HTML, PDF), scores and the check results, each atomically."""
    quarter = current.quarter
    folder = Path(out_dir) / quarter
    year, q = quarter.split("Q")
    issue_date = issue_date or default_issue_date(quarter)
    doc_number = doc_number or f"文文明办〔{issue_date.year}〕{int(q)}号"
    ctx = build_bulletin(quarter, quarter_label(quarter), scores.ranking, scores.indicators, scores.tasks,
                         catalog, doc_number, issue_date, intake_notes(current, catalog))
    html = render_html("bulletin.html.j2", ctx)
    paths = {
        "bulletin.html": html.encode("utf-8"),
        "bulletin.pdf": render_pdf(html),
        "scores.csv": _csv(scores.ranking),
        "indicator_scores.csv": _csv(scores.indicators),
        "task_scores.csv": _csv(scores.tasks),
        "problems.json": _json([asdict(p) for p in current.problems]),
        **validation_files(outcome, current, catalog),
        "inputs.json": _json({"quarter": quarter, "catalog_version": catalog.version, "files": current.accepted}),
    }
    written = {}
    for name, data in paths.items():
        write_atomic(folder / name, data)
        written[name] = folder / name
    return written


def validation_files(outcome: ValidationOutcome, current: Ingested, catalog: Catalog) -> dict[str, bytes]:
    """validation/: raw results, the rule table, our offline Chinese report, the suites as run."""
    count = sum(len(s["expectations"]) for s in outcome.suites.values())
    report = build_validation_report(outcome.rules, outcome.dq_failures, current.values, catalog, current.quarter,
                                     quarter_label(current.quarter), count)
    return {
        "validation/results.json": _json(outcome.documents),
        "validation/rules.csv": _csv(_with_names(outcome.rules, catalog)),
        "validation/report.html": render_html("validation.html.j2", report).encode("utf-8"),
        **{f"validation/suites/{key}.json": _json(suite) for key, suite in outcome.suites.items()},
    }


def _with_names(rules: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    names = {i.id: i.name for i in catalog.indicators}
    return rules.assign(indicator_name=rules["indicator_id"].map(names))


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")


def _json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str).encode("utf-8")
