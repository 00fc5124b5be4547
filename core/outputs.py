"""Every file and folder a quarter's run writes under data/out/<quarter>/, by name, in one place: the
stages that write them, the cache that checks them, the distribution that copies them and the command
line that lists them all use these names."""

from __future__ import annotations

BULLETIN_HTML = "bulletin.html"
BULLETIN_DOCX = "bulletin.docx"  # the editable twin (Word, WPS)
BULLETIN_PDF = "bulletin.pdf"
METHOD_HTML = "method.html"
METHOD_PDF = "method.pdf"
SCORES_CSV = "scores.csv"
SCORES_XLSX = "scores.xlsx"
ORDERS_CSV = "orders.csv"
INDICATOR_SCORES_CSV = "indicator_scores.csv"
TASK_SCORES_CSV = "task_scores.csv"
PROBLEMS_JSON = "problems.json"
INPUTS_JSON = "inputs.json"
MANIFEST = "manifest.json"  # the run's manifest; a distribution folder has its own of the same name

FEEDBACK_DIR = "counties"
VALIDATION_DIR = "validation"
VALIDATION_RESULTS = f"{VALIDATION_DIR}/results.json"
VALIDATION_RULES = f"{VALIDATION_DIR}/rules.csv"
VALIDATION_REPORT = f"{VALIDATION_DIR}/report.html"
VALIDATION_SUITES_DIR = f"{VALIDATION_DIR}/suites"
DATA_DOCS_DIR = "data_docs"  # built beside and swapped in whole
DATA_DOCS = f"{VALIDATION_DIR}/{DATA_DOCS_DIR}"
DISTRIBUTION_DIR = "分发"  # built beside and swapped in whole

# What the command line lists after a run, in this order.
HEADLINE_FILES = (BULLETIN_PDF, BULLETIN_HTML, BULLETIN_DOCX, METHOD_PDF, SCORES_CSV, SCORES_XLSX, ORDERS_CSV)


def feedback_sheet(county: str) -> str:
    """A county's feedback sheet, relative to the quarter's folder."""
    return f"{FEEDBACK_DIR}/{county}反馈单.pdf"


def feedback_sheet_docx(county: str) -> str:
    """A county's editable feedback sheet (Word), relative to the quarter's folder."""
    return f"{FEEDBACK_DIR}/{county}反馈单.docx"


def validation_suite(key: str) -> str:
    return f"{VALIDATION_SUITES_DIR}/{key}.json"
