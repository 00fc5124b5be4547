"""Running the catalog's two Great Expectations suites on a quarter's wide frame, and reading the results
back as one tidy table: county × indicator × rule → met / not_met / missing / invalid, with the observed
and the expected value. Scoring and the bulletin read that table; nothing re-computes a rule."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from adapters.files import staging_dir, swap_dir
from core.runtime import configure
from core.vocab import COMPARISON_SYMBOL, MissingKind, RuleStatus
from core.zh import figure_text
from expectations.catalog import Catalog
from expectations.suites import (
    KEY,
    MAIN,
    check_expectations,
    comparisons,
    compliance_expectations,
    quality_expectations,
    suite_json,
)
from expectations.template_rows import due_figures
from transforms.reshape import check_rows

RESULT_FORMAT = {"result_format": "COMPLETE"}
INDEX_COLUMNS = {"quality": [KEY], "compliance": [KEY], "check": [KEY, "item_id"]}  # what names a failing row
QUALITY_MESSAGE = {
    "scale": "不在可选范围内",
    "range": "超出合理取值范围",
    "type": "不是数值",
    "unique": "同一县（市）重复报送",
    "county": "不是本州的县（市）",
    "columns": "表中有未知的指标列",
}
RULE_COLUMNS = [KEY, "indicator_id", "rule", "status", "missing", "observed", "expected", "columns"]
SUITE_NAMES = {"quality": "数据质量", "compliance": "达标"}


@dataclass(frozen=True)
class ValidationOutcome:
    rules: pd.DataFrame  # RULE_COLUMNS: one row per county, indicator and rule
    dq_failures: pd.DataFrame  # county_code, item_id, check, problem
    documents: dict  # suite → Great Expectations validation result as JSON
    suites: dict  # suite → the suite as JSON (reviewable, see expectations/suites/)
    docs_staged: Path | None = None  # Data Docs built beside their folder, to install with the outputs


@functools.cache
def _gx():
    configure()  # state folders, telemetry off
    import great_expectations as gx  # about 4 s: imported once, when first needed

    return gx


def _context():
    """A fresh in-memory context per validation: its result store holds only this quarter's results."""
    gx = _gx()
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
    return gx.get_context(mode="ephemeral", project_config=config)


SUITES = {"quality": quality_expectations, "compliance": compliance_expectations, "check": check_expectations}
_FRAMES = {"quality": "counties", "compliance": "counties", "check": "check"}  # the frame each validates


def _run_suites(
    frame: pd.DataFrame,
    catalog: Catalog,
    quarter: str,
    docs_dir: Path | None,
    keys: tuple[str, ...] = ("quality", "compliance"),
    install_docs: bool = True,
):
    """Run the named suites over the frame (the wide frame; check_rows for the check suite) in one fresh
    context; optionally build Data Docs (into docs_dir, or beside it when not install_docs: then the third
    value is where they wait)."""
    gx = _gx()
    ctx = _context()
    batch_definition = (
        ctx.data_sources.add_pandas(name="chuangwen")
        .add_dataframe_asset(name=f"{quarter}_{_FRAMES[keys[0]]}")
        .add_batch_definition_whole_dataframe(name=quarter)
    )
    results, suites = {}, {}
    batch = None if docs_dir is not None else batch_definition.get_batch(batch_parameters={"dataframe": frame})
    for key in keys:
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"{quarter}_{key}", expectations=SUITES[key](catalog, quarter)))
        suites[key] = suite_json(suite)
        result_format = {**RESULT_FORMAT, "unexpected_index_column_names": INDEX_COLUMNS[key]}
        if batch is not None:  # no Data Docs wanted: validate without storing results (a third of the time)
            results[key] = batch.validate(suite, result_format=result_format)
        else:
            definition = ctx.validation_definitions.add(
                gx.ValidationDefinition(name=f"{quarter}_{key}", data=batch_definition, suite=suite)
            )
            results[key] = definition.run(batch_parameters={"dataframe": frame}, result_format=result_format)
        _raise_on_errors(results[key])
    staged = build_data_docs(ctx, Path(docs_dir), install_docs) if docs_dir is not None else None
    return results, suites, staged


def build_data_docs(ctx, folder: Path, install: bool = True) -> Path:
    """Great Expectations' own Data Docs, built beside the folder, then swapped in whole (install), or
    left beside it for install_data_docs once the run's other outputs are written: a run that fails
    later must not replace the Data Docs of the last good run. Returns where they are."""
    folder = folder.resolve()  # GE insists on an absolute base directory
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(folder.parent, folder.name)
    ctx.add_data_docs_site(
        "chuangwen",
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(staging)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    ctx.build_data_docs(site_names=["chuangwen"])
    (staging / "说明.txt").write_text(
        "这是 Great Expectations 自带的 Data Docs，页面样式和脚本从互联网加载，离线时没有样式。\n"
        "离线查看请打开上一级文件夹中的 report.html（创文校验报告）。\n",
        encoding="utf-8",
    )
    if not install:
        return staging
    install_data_docs(staging, folder)
    return folder


def install_data_docs(staging: Path, folder: Path) -> None:
    """Swap Data Docs built beside (build_data_docs) into their folder, whole."""
    swap_dir(staging, Path(folder).resolve())


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


def _unexpected(result) -> list[dict]:
    return (result.result or {}).get("unexpected_index_list") or []


def _failing(result) -> set[str]:
    return {str(row[KEY]) for row in _unexpected(result)}


def _quality_failures(quality) -> pd.DataFrame:
    failures = []
    for res in quality.results:
        meta = res.expectation_config.meta
        if meta["check"] == "required":
            continue  # a missing figure is scored as 未填报, not as bad data
        counties = _failing(res) if meta["check"] != "columns" or res.success else {"*"}
        for county in sorted(counties):
            failures.append(
                {
                    KEY: county,
                    "item_id": meta["item_id"],
                    "check": meta["check"],
                    "problem": QUALITY_MESSAGE[meta["check"]],
                }
            )
    return pd.DataFrame(failures, columns=[KEY, "item_id", "check", "problem"])


def _shown(value: object) -> str:
    return figure_text(value, missing="")


def _missing_kind(column: str, indicator_id: str, office: set[str]) -> str:
    """What an empty column of a comparison is: the county's figure, its earlier years', or a bar the
    office supplies."""
    if "@prev" in column:
        return MissingKind.HISTORY
    return MissingKind.REFERENCE if column in office else MissingKind.VALUE


def rule_table(
    wide: pd.DataFrame, compliance, dq_failures: pd.DataFrame, catalog: Catalog, quarter: str
) -> pd.DataFrame:
    """The compliance results as one row per county, indicator and rule (parts and options combined).
    Column-wise per comparison: no Python loop over counties."""
    failing = {}
    for res in compliance.results:
        meta = res.expectation_config.meta
        failing[(meta["indicator_id"], meta["rule"], meta["part"], meta.get("option", 1))] = _failing(res)
    bad: dict[str, set] = {}
    for county, item in zip(dq_failures[KEY], dq_failures["item_id"], strict=True):
        bad.setdefault(item, set()).add(county)
    office = {i.id for i in catalog.inputs if i.source == "office"}
    rows = wide.reset_index(drop=True)
    county = rows[KEY]
    parts = []
    for c in comparisons(catalog, quarter):
        observed = rows[c.column]
        absent = [rows[col].isna() for col in c.columns]
        missing = pd.Series(None, index=rows.index, dtype="object")
        for col, is_na in zip(reversed(c.columns), reversed(absent), strict=True):  # the first absent wins
            missing = missing.mask(is_na, _missing_kind(col, c.indicator_id, office))
        is_missing = missing.notna()
        invalid = pd.Series(False, index=rows.index)
        for col in c.columns:
            invalid |= county.isin(bad.get(col.split("@")[0], ()))
        not_met = county.isin(failing[(c.indicator_id, c.rule, c.part, c.option)])
        status = pd.Series(RuleStatus.MET, index=rows.index, dtype="object").mask(not_met, RuleStatus.NOT_MET)
        status = status.mask(invalid, RuleStatus.INVALID).mask(is_missing, RuleStatus.MISSING)
        if c.op == "in":
            expected = pd.Series("、".join(c.allowed), index=rows.index, dtype="object")
        elif c.other is None:
            expected = pd.Series(f"{COMPARISON_SYMBOL[c.op]}{_shown(c.value)}", index=rows.index, dtype="object")
        else:
            other = rows[c.other]
            expected = other.map(
                lambda v, sym=COMPARISON_SYMBOL[c.op]: f"{sym}？" if pd.isna(v) else f"{sym}{_shown(v)}"
            )
        parts.append(
            pd.DataFrame(
                {
                    KEY: county,
                    "indicator_id": c.indicator_id,
                    "rule": c.rule,
                    "part": c.part,
                    "status": status,
                    "missing": missing.where(is_missing, None),
                    "observed": observed.astype("object").where(observed.notna(), None),
                    "expected": expected.astype("object"),
                    "columns": " ".join(c.columns),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=RULE_COLUMNS)
    return _combine_parts(pd.concat(parts, ignore_index=True))


# Which status a combination takes, best first. A part holds when any option does (a met option wins; a
# figure that failed data quality spoils the part; then a missing one leaves it open). A rule holds when
# every part does (a part that failed data quality, then one not met, decide it before a missing one).
_ANY_ORDER = {RuleStatus.MET: 0, RuleStatus.INVALID: 1, RuleStatus.MISSING: 2, RuleStatus.NOT_MET: 3}
_ALL_ORDER = {RuleStatus.INVALID: 0, RuleStatus.NOT_MET: 1, RuleStatus.MISSING: 2, RuleStatus.MET: 3}


def _combine_parts(comparisons_frame: pd.DataFrame) -> pd.DataFrame:
    """One row per county, indicator and rule: the options of each part combined (any), then the parts
    (all). The status's row gives the missing reason; expected texts join (或 between options, ； between
    parts); observed is the first comparison's."""
    keys = [KEY, "indicator_id", "rule"]
    if comparisons_frame.empty:
        return comparisons_frame
    frame = comparisons_frame.assign(_order=range(len(comparisons_frame)))
    frame = _reduce(frame, [*keys, "part"], _ANY_ORDER, "或")
    frame = _reduce(frame, keys, _ALL_ORDER, "；")
    return _typed(frame)


def _reduce(frame: pd.DataFrame, keys: list[str], order: dict[RuleStatus, int], joiner: str) -> pd.DataFrame:
    several = frame.duplicated(keys, keep=False)
    if not several.any():
        return frame
    multi = frame[several]
    first = multi.drop_duplicates(keys, keep="first").set_index(keys)
    chosen = (
        multi.assign(_rank=multi["status"].map(order))
        .sort_values(["_rank", "_order"], kind="stable")
        .drop_duplicates(keys, keep="first")
        .set_index(keys)
    )
    joined = multi.groupby(keys, sort=False).agg(expected=("expected", joiner.join), columns=("columns", _unique_words))
    first = first.assign(
        status=chosen["status"], missing=chosen["missing"], expected=joined["expected"], columns=joined["columns"]
    ).reset_index()
    return pd.concat([frame[~several], first], ignore_index=True).sort_values("_order", kind="stable")


def _unique_words(texts: pd.Series) -> str:
    return " ".join(dict.fromkeys(word for text in texts for word in text.split()))


_TEXT_COLUMNS = (KEY, "indicator_id", "rule", "status", "expected", "columns")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas' string type, missing reasons and observed figures as objects with None."""
    missing = frame["missing"].astype("object")
    return frame.assign(
        missing=missing.where(missing.notna(), None), **{c: frame[c].astype("str") for c in _TEXT_COLUMNS}
    )[RULE_COLUMNS].reset_index(drop=True)


def check_quality(wide: pd.DataFrame, catalog: Catalog, quarter: str) -> pd.DataFrame:
    """The quality suite's verdicts on a county's return (`check`, the portal), through the check suite:
    the same checks in eight expectations instead of three or four per figure, so a return is checked in
    a fraction of a second. The same frame as validate_quarter's dq_failures (tests/adapters/
    test_check_suite.py holds them to it)."""
    results, _, _ = _run_suites(check_rows(wide, catalog, quarter), catalog, quarter, None, ("check",))
    failures = []
    for res in results["check"].results:
        meta = res.expectation_config.meta
        if meta["check"] == "columns":
            rows = [] if res.success else [{KEY: "*", "item_id": meta["item_id"]}]
        else:
            rows = [{KEY: str(row[KEY]), "item_id": meta.get("item_id", row["item_id"])} for row in _unexpected(res)]
        failures += [{**row, "check": meta["check"], "problem": QUALITY_MESSAGE[meta["check"]]} for row in rows]
    # in the quality suite's order (its table checks, then figure by figure), as _quality_failures lists them
    figures = {f.id: n for n, f in enumerate(due_figures(catalog, quarter))}
    checks = {check: n for n, check in enumerate(("county", "unique", "columns", "scale", "type", "range"))}
    failures.sort(key=lambda f: (figures.get(f["item_id"], -1), checks[f["check"]], f[KEY]))
    return pd.DataFrame(failures, columns=[KEY, "item_id", "check", "problem"]).drop_duplicates(ignore_index=True)


def validate_quarter(
    wide: pd.DataFrame, catalog: Catalog, quarter: str, docs_dir: Path | None = None, stage_docs: bool = False
) -> ValidationOutcome:
    """Validate one quarter's wide frame with both suites; optionally build Data Docs into docs_dir
    (stage_docs: beside it, for install_data_docs when the run's outputs are written)."""
    results, suites, staged = _run_suites(wide, catalog, quarter, docs_dir, install_docs=not stage_docs)
    dq = _quality_failures(results["quality"])
    return ValidationOutcome(
        rules=rule_table(wide, results["compliance"], dq, catalog, quarter),
        dq_failures=dq,
        documents={key: stable_result(result.to_json_dict()) for key, result in results.items()},
        suites=suites,
        docs_staged=staged if stage_docs else None,
    )


def main_rules(rules: pd.DataFrame) -> pd.DataFrame:
    return rules[rules["rule"] == MAIN]


def stable_result(doc: dict) -> dict:
    """A validation result without what differs from run to run (generated ids, clock times), so that an
    unchanged quarter's results.json is byte-identical; when a run happened is in manifest.json."""
    meta = doc.get("meta", {})
    meta.pop("validation_id", None)
    meta.pop("validation_time", None)
    meta.pop("run_id", None)
    meta.get("batch_markers", {}).pop("ge_load_time", None)
    for result in doc.get("results", []):
        result.get("expectation_config", {}).pop("id", None)
    return doc
