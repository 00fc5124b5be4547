"""Intake: reading what counties sent, one file or one quarter's folder, keeping every file received,
and saying what was not accepted. Never stops on a bad file: its problems say what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from adapters.archive import Archive, Receipt
from adapters.archive import now as archive_now
from adapters.files import sha256_file
from adapters.office_files import OFFICE_FILES, REFERENCES, read_references
from adapters.processes import map_batches
from adapters.spreadsheets import MAX_FILE_BYTES, SPREADSHEET_SUFFIXES, UnreadableFile, read_workbook
from adapters.validation_runner import check_quality
from core.problems import ERROR, WARNING, Problem
from core.quarters import is_quarter, shift_quarter
from core.vocab import OFFICE, Absence
from expectations.catalog import Catalog
from transforms.documents.bulletin import IntakeNote
from transforms.ingest import RECORD_COLUMNS, extract_return
from transforms.normalise import normalise_values
from transforms.reshape import to_wide
from transforms.scoring import history_frame, shown_values


@dataclass(frozen=True)
class FileResult:
    """One received file: who and when it is for, whether it was accepted, its rows and its problems."""

    path: Path
    sha256: str
    county: str | None
    quarter: str | None
    accepted: bool
    values: pd.DataFrame
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def clean(self) -> bool:
        """Read and without an error: a file the portal takes as the county's return."""
        return self.accepted and not self.errors

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == WARNING)

    def receipt(self, quarter: str, received_at: str, accepted: bool | None = None) -> Receipt:
        """The archive's ledger line for this file: accepted as the run took it (read), unless the caller
        says what became of it (the portal places only a file without errors)."""
        return Receipt(
            sha256=self.sha256,
            file=self.path.name,
            quarter=quarter,
            county=self.county,
            outcome="accepted" if (self.accepted if accepted is None else accepted) else "rejected",
            errors=tuple(str(p) for p in self.errors),
            warnings=len(self.warnings),
            received_at=received_at,
        )


@dataclass
class Ingested:
    quarter: str
    values: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)

    @property
    def accepted(self) -> dict[str, str]:
        """File name → SHA-256 of the files whose figures were used."""
        return {f.path.name: f.sha256 for f in self.files if f.accepted}


def _empty_values(catalog: Catalog) -> pd.DataFrame:
    return normalise_values(pd.DataFrame(columns=RECORD_COLUMNS), catalog)[0]


def check_file(
    path: Path, catalog: Catalog, expected_county: str | None = None, expected_quarter: str | None = None
) -> FileResult:
    """Read and normalise one file. Never raises for a bad file: its problems say what is wrong."""
    path = Path(path)
    if path.is_symlink():  # never followed: it could point at any file on the machine
        message = "是符号链接（快捷方式），不予读取；请把文件本身放入文件夹"
        return FileResult(path, "", None, None, False, _empty_values(catalog), (Problem(path.name, "", "", message),))
    # a file far above the size limit is refused unread (not even hashed, nor archived)
    sha = sha256_file(path) if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES else ""
    try:
        grids, details = read_workbook(path)
    except (UnreadableFile, OSError) as exc:
        message = str(exc).removeprefix(f"{path.name}：")
        return FileResult(path, sha, None, None, False, _empty_values(catalog), (Problem(path.name, "", "", message),))
    ret, problems = extract_return(grids, path.name, catalog, expected_county, expected_quarter, details)
    if ret is None:
        return FileResult(path, sha, None, None, False, _empty_values(catalog), tuple(problems))
    values, found = normalise_values(ret.records, catalog)
    return FileResult(path, sha, ret.county, ret.quarter, True, values, tuple(problems + found))


def check_files(paths: list[Path], catalog: Catalog, quarter: str | None = None) -> list[FileResult]:
    """Ingest files and run the data-quality suite on them, without scoring (the `check` command).

    The county expected of a file is its name's; the quarter, the one given or the folder's name."""
    results = []
    for path in map(Path, paths):
        county = path.stem if path.stem in catalog.county_by_name else None
        folder = path.parent.name if is_quarter(path.parent.name) else None
        if path.stem == REFERENCES:
            results.append(_check_references(path, catalog, quarter or folder))
            continue
        results.append(check_file(path, catalog, county, quarter or folder))
    return [_with_quality_problems(r, catalog) for r in results]


def _check_references(path: Path, catalog: Catalog, quarter: str | None) -> FileResult:
    """The office's 参照数据 table, checked as what it is (not as a county's return)."""
    sha = sha256_file(path) if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES else ""
    if quarter is None:
        problem = Problem(path.name, "", "", "参照数据表所属季度不明：请放在季度文件夹中，或用 --quarter 指定")
        return FileResult(path, sha, None, None, False, _empty_values(catalog), (problem,))
    _, problems = read_references(path, catalog, quarter)
    errors = [p for p in problems if p.severity == ERROR]
    return FileResult(
        path, sha, OFFICE, quarter, not any(p.cell == "" for p in errors), _empty_values(catalog), tuple(problems)
    )


def _with_quality_problems(result: FileResult, catalog: Catalog) -> FileResult:
    if not result.accepted or result.values.empty:
        return result
    assert result.county is not None and result.quarter is not None  # an accepted file has both
    code = catalog.county_by_name[result.county].code
    no_history = history_frame({})
    failures = check_quality(
        to_wide(result.values, no_history, catalog, result.quarter, [code]), catalog, result.quarter
    )
    cells = result.values.set_index("item_id")
    found = []
    for f in failures.itertuples(index=False):
        row = cells.loc[f.item_id] if f.item_id in cells.index else None
        found.append(
            Problem(
                result.path.name,
                "" if row is None else row["sheet"],
                "" if row is None else row["cell"],
                f"数据质量校验未通过：{f.problem}",
                ERROR,
                f.item_id,
                None,
                None if row is None else str(row["raw"]),
            )
        )
    return replace(result, problems=(*result.problems, *found)) if found else result


def _intake_order(path: Path, catalog: Catalog) -> tuple[bool, str]:
    """A file named exactly after its county comes first, so it wins over copies such as 砚山县(1).xlsx."""
    return path.stem not in catalog.county_by_name, path.name


def quarter_files(folder: Path, catalog: Catalog) -> list[tuple[Path, str | None]]:
    """Everything in a quarter's folder but the office's own files (read elsewhere), in intake order,
    each with the county its name promises (None when the name is not a county's). Nothing is dropped
    here: lock files, metadata files and folders are listed too, and read_return says why they are not
    read, so that every file is in problems.json and the ledger."""
    if not Path(folder).is_dir():
        return []
    paths = sorted(
        (p for p in Path(folder).iterdir() if not (p.is_file() and p.stem in OFFICE_FILES)),
        key=lambda p: _intake_order(p, catalog),
    )
    return [(p, p.stem if p.stem in catalog.county_by_name else None) for p in paths]


# Files that office programs leave beside the ones they open: named as such, never read as returns.
NOT_RETURNS = (
    ("~$", "Excel 或 WPS 打开文件时生成的临时锁定文件"),
    (".~lock.", "LibreOffice 打开文件时生成的锁定文件"),
    ("._", "苹果电脑（macOS）复制文件时生成的元数据文件"),
)


def read_return(path: Path, expected_county: str | None, catalog: Catalog, quarter: str) -> FileResult:
    """One file of a quarter's folder; a file type we do not read, a lock file or a folder is reported,
    not raised. A file refused unread keeps the county its name promises, so that the bulletin can say
    that county sent a file that could not be read rather than nothing."""
    what = next((why for prefix, why in NOT_RETURNS if path.name.startswith(prefix)), None)
    if path.is_dir() and not path.is_symlink():
        what = "是文件夹，不是报送文件；请把报送文件直接放在季度文件夹中"
    if what is not None:
        problem = Problem(path.name, "", "", f"{what}，不是报送文件，未读取", WARNING)
        sha = sha256_file(path) if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES else ""
        return FileResult(path, sha, None, quarter, False, _empty_values(catalog), (problem,))
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        result = check_file(path, catalog)  # reported as an unsupported file type
    else:
        result = check_file(path, catalog, expected_county, quarter)
    if not result.accepted and result.county is None and expected_county is not None:
        result = replace(result, county=expected_county)
    return result


def absent_reasons(ingested: Ingested, catalog: Catalog) -> dict[str, str]:
    """County code → why it has no figures this quarter: it sent nothing (未报送), or what it sent could
    not be used (报送的文件未能读取), which the ranking, the lists and the bulletin then say. Short: it is a
    table's remark; the files and their reasons are in the intake notes (intake_notes)."""
    accepted = {f.county for f in ingested.files if f.accepted}
    tried = {f.county for f in ingested.files}
    return {
        c.code: Absence.REFUSED if c.name in tried else Absence.NOT_REPORTED
        for c in catalog.counties
        if c.name not in accepted
    }


def combine_returns(results: list[FileResult], catalog: Catalog, quarter: str) -> Ingested:
    """The quarter's figures from the files read, in intake order. A second file for a county already
    read is rejected, not merged, and a county with no accepted file is reported as 未报送."""
    kept: list[FileResult] = []
    taken: dict[str, str] = {}
    for result in results:
        if result.accepted and result.county in taken:
            duplicate = Problem(
                result.path.name,
                "",
                "",
                f"{result.county} {quarter} 已由 {taken[result.county]} 报送，本文件未采用（如需更正，请替换原文件）",
            )
            result = replace(
                result, accepted=False, values=_empty_values(catalog), problems=(*result.problems, duplicate)
            )
        elif result.accepted:
            assert result.county is not None  # an accepted file has its county
            taken[result.county] = result.path.name
        kept.append(result)
    sent = {r.county for r in kept}
    missing = [
        Problem(
            "", "", "", f"{c.name}本季度报送的文件未能读取，按未报送处理" if c.name in sent else f"{c.name}本季度未报送"
        )
        for c in catalog.counties
        if c.name not in taken
    ]
    frames = [r.values for r in kept if r.accepted]
    values = pd.concat(frames, ignore_index=True) if frames else _empty_values(catalog)
    problems = [p for r in kept for p in r.problems] + missing
    return Ingested(quarter, values, problems, kept)


PARALLEL_MIN_FILES = 32  # below this, starting worker processes costs more than reading the files


def read_returns(jobs: list[tuple[Path, str | None, Catalog, str]]) -> list[FileResult]:
    """A batch of (path, expected county, catalog, quarter), read one after another: the unit of work
    handed to worker processes or a task runner."""
    return [read_return(path, county, catalog, quarter) for path, county, catalog, quarter in jobs]


def read_all(jobs: list[tuple[Path, str | None, Catalog, str]], workers: int = 1) -> list[FileResult]:
    """Every job of read_returns, in `workers` processes when there are many files, in order."""
    return map_batches(read_returns, jobs, workers if len(jobs) >= PARALLEL_MIN_FILES else 1)


def ingest_folder(folder: Path, catalog: Catalog, quarter: str, workers: int = 1) -> Ingested:
    """Read every county file of one quarter's folder; a bad file is reported and skipped, never
    allowed to stop the others. With workers > 1 and many files, files are read in that many processes."""
    jobs = [(path, county, catalog, quarter) for path, county in quarter_files(folder, catalog)]
    return combine_returns(read_all(jobs, workers), catalog, quarter)


def archive_received(ingested: Ingested, archive_root: Path) -> int:
    """Keep every file of the quarter in the archive with its outcome; returns how many were new."""
    archive = Archive(archive_root)
    when = archive_now()
    new = 0
    for f in ingested.files:
        if not f.sha256 or not f.path.is_file():  # not read (a symlink, too large) or gone since
            continue
        new += archive.keep(f.path, f.receipt(ingested.quarter, when))
    return new


def last_year_values(raw_dir: Path, catalog: Catalog, quarter: str) -> dict[str, dict[str, str]]:
    """County → (figure id → the value accepted for the same quarter a year earlier, as shown)."""
    earlier = shift_quarter(quarter, -4)
    if not (Path(raw_dir) / earlier).is_dir():
        return {}
    return shown_values(ingest_folder(Path(raw_dir) / earlier, catalog, earlier).values)


def intake_notes(ingested: Ingested, catalog: Catalog, shown: int = 5) -> tuple[IntakeNote, ...]:
    """For the bulletin: files not accepted, values not accepted, counties that did not report."""
    notes = []
    for f in ingested.files:
        county = f.county or "—"
        if not f.accepted:
            notes.append(IntakeNote(county, f.path.name, "文件未采用", "；".join(p.message for p in f.errors)))
        elif f.errors:
            listed = "；".join(f"{p.cell} {p.item_id or ''}{p.item_name or ''}：{p.message}" for p in f.errors[:shown])
            more = f"等 {len(f.errors)} 项" if len(f.errors) > shown else ""
            notes.append(IntakeNote(county, f.path.name, f"{len(f.errors)} 项数据未采用", listed + more))
    accepted = {f.county for f in ingested.files if f.accepted}
    for c in catalog.counties:
        if c.name not in accepted:
            tried = [f.path.name for f in ingested.files if f.county == c.name]
            reason = f"报送的 {'、'.join(tried)} 未采用" if tried else "截至处理时未收到报送文件"
            notes.append(IntakeNote(c.name, "—", Absence.REFUSED if tried else Absence.NOT_REPORTED, reason))
    return tuple(notes)
