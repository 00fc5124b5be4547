"""Running the catalog's Great Expectations suites on a quarter's wide frame, and reading the results
back as plain tables: which county met which rule, which figures failed data quality."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import pandas as pd

from expectations.catalog import Catalog
from expectations.suites import KEY, quality_expectations, threshold_expectations

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": [KEY]}
RANGE_MESSAGE = {"scale": "不在可选范围内", "range": "超出合理取值范围", "unique": "同一县（市）重复报送"}


@dataclass(frozen=True)
class ValidationOutcome:
    rule_results: pd.DataFrame  # county_code, indicator_id, rule_met (True/False/None)
    dq_failures: pd.DataFrame  # county_code, item_id, check, problem
    documents: dict  # suite name → GE validation result as JSON


@functools.cache
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    batch_definition = (
        ctx.data_sources.add_pandas(name="chuangwen")
        .add_dataframe_asset(name="county_figures")
        .add_batch_definition_whole_dataframe(name="quarter")
    )
    return gx, batch_definition


def _run(name: str, expectations: list, wide: pd.DataFrame):
    gx, batch_definition = _context()
    suite = gx.ExpectationSuite(name=name, expectations=expectations)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": wide})
    return batch.validate(suite, result_format=RESULT_FORMAT)


def _failing(result) -> list[str]:
    return [str(row[KEY]) for row in (result.result or {}).get("unexpected_index_list") or []]


def _present(wide: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Rows where every column the rule reads has a value (an absent column judges nothing)."""
    if any(c not in wide for c in columns):
        return pd.Series(False, index=wide.index)
    return wide[columns].notna().all(axis=1)


def _raise_on_errors(result) -> None:
    """An expectation that raised is a bug in the suite, not a county's failure: stop loudly."""
    for res in result.results:
        info = res.exception_info or {}
        nested = [v for v in info.values() if isinstance(v, dict)] if "raised_exception" not in info else [info]
        for entry in nested:
            if entry.get("raised_exception"):
                raise RuntimeError(
                    f"expectation {res.expectation_config.type} {res.expectation_config.kwargs} failed to run: "
                    f"{entry.get('exception_message')}"
                )


def _quality_failures(quality) -> pd.DataFrame:
    failures = []
    for res in quality.results:
        meta = res.expectation_config.meta
        if meta["check"] == "required":
            continue  # a missing figure is scored as 未填报, not as bad data
        for county in _failing(res):
            failures.append({KEY: county, "item_id": meta["item_id"], "check": meta["check"],
                             "problem": RANGE_MESSAGE[meta["check"]]})
    return pd.DataFrame(failures, columns=[KEY, "item_id", "check", "problem"])


def validate_quality(wide: pd.DataFrame, catalog: Catalog, quarter: str) -> pd.DataFrame:
    """Only the data-quality suite: which county's figure broke which check."""
    quality = _run(f"{quarter}_data_quality", quality_expectations(catalog, quarter), wide)
    _raise_on_errors(quality)
    return _quality_failures(quality)


def validate_quarter(wide: pd.DataFrame, catalog: Catalog, quarter: str) -> ValidationOutcome:
    """Validate one quarter's wide frame with both suites generated from the catalog."""
    quality = _run(f"{quarter}_data_quality", quality_expectations(catalog, quarter), wide)
    rules = _run(f"{quarter}_thresholds", threshold_expectations(catalog, quarter), wide)
    _raise_on_errors(quality)
    _raise_on_errors(rules)
    outcomes = []
    for res in rules.results:
        cfg = res.expectation_config
        ind_id = cfg.meta["indicator_id"]
        kw = cfg.kwargs
        columns = [kw["column"]] if "column" in kw else [kw["column_A"], kw["column_B"]]
        judged = _present(wide, columns)
        failing = set(_failing(res))
        for county, ok in zip(wide[KEY], judged, strict=True):
            met = None if not ok else county not in failing
            outcomes.append({KEY: county, "indicator_id": ind_id, "rule_met": met})
    return ValidationOutcome(
        rule_results=pd.DataFrame(outcomes, columns=[KEY, "indicator_id", "rule_met"]),
        dq_failures=_quality_failures(quality),
        documents={"data_quality": quality.to_json_dict(), "thresholds": rules.to_json_dict()},
    )
