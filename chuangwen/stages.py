"""The pipeline's stages with their I/O: what a Prefect task calls. Each reads or writes files and
hands the pure work to transforms/."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from chuangwen.readers import SPREADSHEET_SUFFIXES, UnreadableFile, file_sha256, read_grids
from chuangwen.render import render_html, render_pdf
from chuangwen.validation import ValidationOutcome, validate_quarter
from chuangwen.workbook import write_atomic
from chuangwen.zh import quarter_label
from expectations.catalog import Catalog
from transforms.bulletin import build_bulletin, default_issue_date
from transforms.ingest import RECORD_COLUMNS, Problem, extract_return
from transforms.normalise import normalise_values
from transforms.quarter import QuarterScores, history_frame, score_quarter
from transforms.reshape import to_wide


@dataclass
class Ingested:
    quarter: str
    values: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file name → sha256 of accepted files


def ingest_folder(folder: Path, catalog: Catalog, quarter: str) -> Ingested:
    """Read every county file of one quarter's folder; a bad file is reported and skipped, never
    allowed to stop the others. A second file for a county already read is rejected, not merged."""
    problems: list[Problem] = []
    frames: list[pd.DataFrame] = []
    files: dict[str, str] = {}
    taken: dict[str, str] = {}
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SPREADSHEET_SUFFIXES
                   and not p.name.startswith((".", "~$"))) if folder.is_dir() else []
    for path in paths:
        try:
            grids = read_grids(path)
        except UnreadableFile as exc:
            problems.append(Problem(path.name, "", "", str(exc).removeprefix(f"{path.name}：")))
            continue
        expected = path.stem if path.stem in catalog.county_by_name else None
        ret, found = extract_return(grids, path.name, catalog, expected, quarter)
        problems += found
        if ret is None:
            continue
        if ret.county in taken:
            problems.append(Problem(path.name, "", "", f"{ret.county}已由 {taken[ret.county]} 报送，本文件未采用"))
            continue
        taken[ret.county] = path.name
        files[path.name] = file_sha256(path)
        frames.append(ret.records)
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RECORD_COLUMNS)
    values, found = normalise_values(records, catalog)
    return Ingested(quarter, values, problems + found, files)


def validate(current: Ingested, history: pd.DataFrame, catalog: Catalog) -> ValidationOutcome:
    counties = [c.code for c in catalog.counties if c.code in set(current.values["county_code"])]
    wide = to_wide(current.values, history, catalog, current.quarter, counties)
    return validate_quarter(wide, catalog, current.quarter)


def history_of(earlier: dict[int, Ingested]) -> pd.DataFrame:
    """The same quarter of earlier years, for 逐年 and 连续三年 rules: {years back: ingested}."""
    return history_frame({k: v.values for k, v in earlier.items()})


def score(current: Ingested, outcome: ValidationOutcome, history: pd.DataFrame, catalog: Catalog,
          previous_ranking: pd.DataFrame | None) -> QuarterScores:
    return score_quarter(current.values, outcome.rule_results, outcome.dq_failures, history, catalog,
                         current.quarter, previous_ranking)


def write_outputs(out_dir: Path, current: Ingested, outcome: ValidationOutcome, scores: QuarterScores,
                  catalog: Catalog, doc_number: str | None, issue_date: dt.date | None) -> dict[str, Path]:
    """Write the quarter's bulletin (HTML, PDF), scores and the check results, each atomically."""
    quarter = current.quarter
    folder = Path(out_dir) / quarter
    year, q = quarter.split("Q")
    issue_date = issue_date or default_issue_date(quarter)
    doc_number = doc_number or f"文文明办〔{issue_date.year}〕{int(q)}号"
    ctx = build_bulletin(quarter, quarter_label(quarter), scores.ranking, scores.indicators, scores.tasks,
                         catalog, doc_number, issue_date)
    html = render_html("bulletin.html.j2", ctx)
    paths = {
        "bulletin.html": html.encode("utf-8"),
        "bulletin.pdf": render_pdf(html),
        "scores.csv": _csv(scores.ranking),
        "indicator_scores.csv": _csv(scores.indicators),
        "task_scores.csv": _csv(scores.tasks),
        "problems.json": _json([p.__dict__ for p in current.problems]),
        "validation.json": _json(outcome.documents),
        "inputs.json": _json({"quarter": quarter, "catalog_version": catalog.version, "files": current.files}),
    }
    written = {}
    for name, data in paths.items():
        write_atomic(folder / name, data)
        written[name] = folder / name
    return written


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")


def _json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str).encode("utf-8")
