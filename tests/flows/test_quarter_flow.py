"""End to end: sample returns through the quarterly flow to a bulletin we look inside."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess

import pytest
from sample_data import write_sample

from expectations.catalog import load_catalog

CAT = load_catalog()
NAMES = [c.name for c in CAT.counties]


INJECTION = '<script>alert(1)</script><img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'


def _write_note(path, item_id, text):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["填报表"]
    header = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == item_id)
    row[header.index("备注")].value = text
    wb.save(path)


@pytest.fixture(scope="module")
def run(tmp_path_factory, prefect_harness):
    from flows.quarter import backfill

    raw = tmp_path_factory.mktemp("data") / "raw"
    write_sample(CAT, raw, ["2021Q4", "2022Q3", "2022Q4"])
    q4 = raw / "2022Q4"
    (q4 / "富宁县.xlsx").write_bytes(b"not a spreadsheet")  # one county sends a broken file
    (q4 / "广南县.xlsx").unlink()  # one does not report
    _write_note(q4 / "砚山县.xlsx", "6.3.2a", INJECTION)  # a 备注 that tries to be markup
    shutil.copy(q4 / "砚山县.xlsx", q4 / "砚山县(1).xlsx")  # one sends its file twice
    out = raw.parent / "out"
    import flows.quarter

    render = flows.quarter._render
    with pytest.MonkeyPatch.context() as mp:  # keep the HTML each PDF was rendered from, for the layout tests
        mp.setattr(flows.quarter, "_render", lambda pages: _keep(pages) or render(pages))
        written = backfill(start="2021Q4", end="2022Q4", raw_dir=raw, out_dir=out)["2022Q4"]
    return raw, out, written


PAGES: dict[str, str] = {}  # the last quarter's PDFs (name relative to its folder) → their HTML


def _keep(pages: dict[str, str]) -> None:
    if "bulletin.pdf" in pages:  # a new quarter
        PAGES.clear()
    PAGES.update(pages)


def test_bulletin_pdf_embeds_a_cjk_font_and_ranks_every_county(run):
    _, out, written = run
    pdf = written["bulletin.pdf"]
    assert pdf == out / "2022Q4" / "bulletin.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk), fonts
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "文山州精神文明建设指导委员会办公室" in text
    assert "2022年第四季度" in text
    ranking = text[text.index("测评结果") : text.index("大比武和红黑榜")]
    for name in NAMES:
        assert name in ranking
    assert "富宁县" in ranking and "未报送" in ranking
    intake = text[text.index("报送和数据问题") : text.index("附件：")]
    for words in ("富宁县.xlsx", "文件未采用", "砚山县(1).xlsx", "广南县", "未报送"):
        assert words in intake, words


def test_scores_csv_ranks_reporting_counties_and_names_the_missing_one(run):
    _, out, _ = run
    with (out / "2022Q4" / "scores.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["县（市）"] for r in rows) == sorted(NAMES)
    ranked = [r for r in rows if r["排名"]]
    assert [int(r["排名"]) for r in ranked] == sorted(int(r["排名"]) for r in ranked)
    assert min(int(r["排名"]) for r in ranked) == 1
    missing = next(r for r in rows if r["县（市）"] == "广南县")
    assert missing["排名"] == "" and missing["不予排名原因"] == "未报送"
    broken = next(r for r in rows if r["县（市）"] == "富宁县")  # sent a file that could not be read
    assert broken["排名"] == "" and broken["不予排名原因"] == "报送的文件未能读取"
    totals = [float(r["总分"]) for r in ranked]
    assert totals == sorted(totals, reverse=True)
    assert 0 < min(totals) <= max(totals) <= 100


def test_html_has_the_ranking_and_each_feedback_sheet_its_countys_unmet_requirements(run):
    _, out, _ = run
    html = (out / "2022Q4" / "bulletin.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for name in NAMES:
        assert name in html
    with (out / "2022Q4" / "indicator_scores.csv").open(encoding="utf-8-sig") as fh:
        unmet = [r for r in csv.DictReader(fh) if r["判定"] == "未达标"]
    assert unmet, "the sample data should leave some requirement unmet"
    for r in unmet:
        county = CAT.county_by_code[r["行政区划代码"]].name
        sheet = PAGES[f"counties/{county}反馈单.pdf"]
        assert f'<td>{r["指标编号"]}</td><td class="left">{CAT.indicator_by_id[r["指标编号"]].name}' in sheet
        assert r["单元格"] and r["文件"].endswith(".xlsx")  # traceable to the cell it came from
        assert f'title="{r["文件"]} {r["单元格"]}"' in sheet


def test_bad_duplicate_and_missing_files_are_reported_without_stopping_the_others(run):
    _, out, _ = run
    problems = json.loads((out / "2022Q4" / "problems.json").read_text(encoding="utf-8"))
    assert any(p["file"] == "富宁县.xlsx" and "重新保存" in p["message"] for p in problems)
    assert any(p["file"] == "砚山县(1).xlsx" and "已由 砚山县.xlsx 报送" in p["message"] for p in problems)
    assert any("广南县本季度未报送" in p["message"] for p in problems)
    inputs = json.loads((out / "2022Q4" / "inputs.json").read_text(encoding="utf-8"))
    assert "砚山县.xlsx" in inputs["files"] and "砚山县(1).xlsx" not in inputs["files"]
    assert len(inputs["files"]) == 6 and all(len(h) == 64 for h in inputs["files"].values())


def test_every_received_file_is_archived_once_with_its_outcome(run):
    raw, _, _ = run
    received = raw.parent / "received"
    ledger = [json.loads(line) for line in (received / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["quarter"] for r in ledger} == {"2021Q4", "2022Q3", "2022Q4"}
    ledger = [r for r in ledger if r["quarter"] == "2022Q4"]
    outcomes = {r["file"]: r["outcome"] for r in ledger}
    assert outcomes["富宁县.xlsx"] == "rejected" and outcomes["砚山县(1).xlsx"] == "rejected"
    assert outcomes["砚山县.xlsx"] == "accepted" and len(ledger) == 8
    for r in ledger:
        stored = next((received / "files" / r["sha256"][:2]).glob(r["sha256"] + ".*"))
        assert stored.read_bytes() == (raw / "2022Q4" / r["file"]).read_bytes()


def _dump(store, quarters):
    from adapters.history import TABLES

    return {t: store.read(t, quarters).to_csv(index=False) for t in TABLES}


def test_rerunning_a_quarter_changes_nothing_else(run):
    from adapters.history import HistoryStore
    from flows.quarter import quarterly_assessment

    raw, out, _ = run
    store = HistoryStore(out / "history.duckdb")
    assert store.quarters() == ["2021Q4", "2022Q3", "2022Q4"]
    others = _dump(store, ["2021Q4", "2022Q4"])
    own = _dump(store, ["2022Q3"])
    names = [
        "bulletin.pdf",
        "bulletin.html",
        "scores.csv",
        "scores.xlsx",
        "orders.csv",
        *[f"counties/{p.name}" for p in (out / "2022Q3" / "counties").glob("*.pdf")],
    ]
    before = {n: (out / "2022Q3" / n).read_bytes() for n in names}
    ledger = raw.parent / "received" / "ledger.jsonl"
    received = ledger.read_bytes()
    quarterly_assessment(quarter="2022Q3", raw_dir=raw, out_dir=out, force=True)  # recompute, not the cache
    assert _dump(store, ["2021Q4", "2022Q4"]) == others  # other quarters' rows, byte for byte
    assert _dump(store, ["2022Q3"]) == own  # and the quarter itself, as it was
    for name, data in before.items():
        assert (out / "2022Q3" / name).read_bytes() == data, name
    assert ledger.read_bytes() == received  # re-ingesting the same files records nothing new


def test_history_gives_year_on_year_rules_and_order_follow_up(run):
    from adapters.history import HistoryStore

    _, out, _ = run
    store = HistoryStore(out / "history.duckdb")
    rules = store.read("rules", ["2022Q4"])
    yoy = rules[rules["rule"] == "yoy"]
    assert len(yoy) and (yoy["missing"] != "history").all()  # 2021Q4 is last year's history
    ranking = store.read("ranking", ["2022Q4"])
    assert ranking["previous_rank"].notna().sum() >= 5  # rank change against 2022Q3
    orders = store.read("orders", ["2022Q4"])
    followed = orders[orders["issued_quarter"] == "2022Q3"]
    assert set(followed["status"]) <= {"已销号", "逾期"} and len(followed)
    with (out / "2022Q4" / "orders.csv").open(encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == len(orders)


def test_bulletin_has_lists_goals_and_orders(run):
    _, out, written = run
    text = subprocess.run(
        ["pdftotext", "-layout", str(written["bulletin.pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    sections = (
        "一、总体情况",
        "二、测评结果",
        "三、大比武和红黑榜",
        "四、年度目标进展",
        "待省级测评结果",
        "五、存在的主要问题",
        "六、整改要求",
        "整改率",
        "排名区间",
        "附件：各县（市）得分及领域得分率",
        "予以通报表扬",
        "予以通报批评",
        "联系人：州文明办创建科，电话：0876-2128000",
        "于2023年3月31日前将整改情况报送州文明办",
        "抄送：",
        "2023年1月10日印发",  # GB/T 9704-2012: 印发日期 (and 成文日期) in Arabic numerals
    )
    for words in sections:
        assert words in text, words
    from openpyxl import load_workbook

    wb = load_workbook(out / "2022Q4" / "scores.xlsx", read_only=True)
    assert {"总分排名", "指标得分", "派单台账", "大比武红黑榜", "排名稳健性"} <= set(wb.sheetnames)
    header, *rows = list(wb["总分排名"].iter_rows(values_only=True))
    ranks = [r[header.index("排名")] for r in rows]
    assert all(isinstance(v, int) for v in ranks if v is not None) and any(isinstance(v, int) for v in ranks)
    header, *rows = list(wb["派单台账"].iter_rows(values_only=True))
    assert all(isinstance(r[header.index("整改期限")], dt.datetime) for r in rows)


def test_raw_files_are_left_unchanged(run):
    raw, _, _ = run
    assert (raw / "2022Q4" / "富宁县.xlsx").read_bytes() == b"not a spreadsheet"
    assert shutil.which("pdftotext")


def test_validation_folder_holds_results_report_suites_and_data_docs(run):
    _, out, _ = run
    folder = out / "2022Q4" / "validation"
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert set(results) == {"quality", "compliance"}
    assert (folder / "suites" / "compliance.json").exists() and (folder / "suites" / "quality.json").exists()
    assert (folder / "data_docs" / "index.html").exists()
    assert "需联网" in (folder / "report.html").read_text(encoding="utf-8")
    assert "联网" in (folder / "data_docs" / "说明.txt").read_text(encoding="utf-8")


def test_chinese_report_works_offline_and_shows_every_failed_figure(run):
    import re

    _, out, _ = run
    folder = out / "2022Q4" / "validation"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', html), "the report must not load anything from the network"
    assert not re.search(r"@import|url\(", html)
    with (folder / "rules.csv").open(encoding="utf-8-sig") as fh:
        rules = list(csv.DictReader(fh))
    passed_by_alternative = {
        (r["行政区划代码"], r["指标编号"]) for r in rules if r["规则代码"] != "main" and r["规则结果"] == "met"
    }
    failed = [
        r
        for r in rules
        if r["规则代码"] == "main"
        and r["规则结果"] in ("not_met", "invalid")
        and (r["行政区划代码"], r["指标编号"]) not in passed_by_alternative
    ]
    assert failed
    shown = set()
    for code, section in re.findall(r'<section class="county" id="c(\d{6})">(.*?)</section>', html, flags=re.S):
        for row in re.findall(r'<tr class="fail">(.*?)</tr>', section, flags=re.S):
            shown.add((code, re.search(r'<span class="id"[^>]*>(.*?)</span>', row).group(1)))
    for r in failed:
        assert (r["行政区划代码"], r["指标编号"]) in shown, (r["行政区划代码"], r["指标编号"])


def test_feedback_sheets_and_deterministic_documents(run, tmp_path):
    _, out, written = run
    counties = out / "2022Q4" / "counties"
    sheets = sorted(p.name for p in counties.glob("*.pdf"))
    assert sheets == sorted(f"{n}反馈单.pdf" for n in NAMES if n not in ("富宁县", "广南县"))  # two did not report
    text = subprocess.run(
        ["pdftotext", "-layout", str(counties / "砚山县反馈单.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("砚山县", "各领域得分率", "全州平均", "未达标的要求和未完成的任务", "以前季度的其他派单"):
        assert words in text, words
    fonts = subprocess.run(["pdffonts", str(counties / "砚山县反馈单.pdf")], capture_output=True, text=True).stdout
    assert all(" yes yes " in line for line in fonts.splitlines()[2:]), fonts


def test_markup_in_a_note_stays_text(run, tmp_path):
    """The 备注 holding markup is quoted in 砚山县's feedback sheet (the bulletin lists no county's items)."""
    from docx import Document

    _, out, written = run
    sheet = out / "2022Q4" / "counties" / "砚山县反馈单.pdf"
    html = PAGES["counties/砚山县反馈单.pdf"]
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src="file:///etc/passwd">' not in html and '<link rel="attachment"' not in html
    cells = [c.text for t in Document(str(sheet.with_suffix(".docx"))).tables for r in t.rows for c in r.cells]
    assert any("<script>alert(1)</script>" in c for c in cells)  # the Word twin: text, not markup
    for pdf in (written["bulletin.pdf"], sheet):
        listing = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True).stdout
        assert "0 embedded files" in listing, pdf
    text = subprocess.run(["pdftotext", "-raw", str(sheet), "-"], capture_output=True, text=True, check=True).stdout
    assert "<script>alert(1)" in text.replace("\n", ""), text


def test_page_one_has_the_red_header(run, tmp_path):
    from PIL import Image

    _, _, written = run
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(written["bulletin.pdf"]), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    width, height = image.size
    # the masthead 35 mm below the block's top (72–82 mm of 297), the red rule under the 发文字号 (about 114 mm)
    top = [image.getpixel((x, y)) for x in range(0, width, 2) for y in range(int(height * 0.23), int(height * 0.29))]
    red = [p for p in top if p[0] > 180 and p[1] < 80 and p[2] < 80]
    assert len(red) > 50, "the masthead should be printed in red"
    below = [image.getpixel((x, y)) for x in range(0, width, 2) for y in range(int(height * 0.42), height)]
    assert not [p for p in below if p[0] > 180 and p[1] < 80 and p[2] < 80], "only the header is red"


def test_manifest_records_inputs_outputs_and_timings(run):
    _, out, written = run
    manifest = json.loads(written["manifest.json"].read_text(encoding="utf-8"))
    assert manifest["quarter"] == "2022Q4" and manifest["catalog_version"] == CAT.version
    assert {"砚山县.xlsx", "砚山县(1).xlsx", "富宁县.xlsx"} <= set(manifest["inputs"]["files"])
    assert set(manifest["timings_seconds"]) == {"ingest", "validate", "score", "render", "record"}
    assert manifest["packages"]["great-expectations"] and manifest["packages"]["prefect"]
    import hashlib

    for name, facts in manifest["outputs"].items():
        data = (out / "2022Q4" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == facts["sha256"] and len(data) == facts["size"], name


def test_an_unchanged_rerun_returns_the_stored_outputs_and_force_recomputes(run):
    from flows.quarter import quarterly_assessment

    raw, out, written = run
    pdf = written["bulletin.pdf"]
    stamp, manifest = pdf.stat().st_mtime_ns, written["manifest.json"].read_bytes()
    again = quarterly_assessment(quarter="2022Q4", raw_dir=raw, out_dir=out)
    assert again["bulletin.pdf"] == pdf and pdf.stat().st_mtime_ns == stamp  # skipped: nothing rewritten
    assert written["manifest.json"].read_bytes() == manifest
    content = pdf.read_bytes()
    forced = quarterly_assessment(quarter="2022Q4", raw_dir=raw, out_dir=out, force=True)
    assert pdf.stat().st_mtime_ns != stamp and forced["bulletin.pdf"].read_bytes() == content


def test_backfill_stops_at_the_first_failing_quarter_and_says_why(run, tmp_path):
    from flows.quarter import QuarterFailed, backfill

    raw, out, _ = run
    bad = tmp_path / "office.yaml"
    bad.write_text("defaults: {}\n", encoding="utf-8")
    with pytest.raises(QuarterFailed, match="(?s)2021Q4 未能完成.*其后的 2022Q3、2022Q4 未处理"):
        backfill(start="2021Q1", end="2022Q4", raw_dir=raw, out_dir=tmp_path / "out", config_path=bad)


def test_distribution_folders_for_the_office_and_every_county(run):
    import hashlib

    from adapters.distribute import distribute

    _, out, _ = run
    target = distribute(out, "2022Q4", CAT)
    folders = sorted(p.name for p in target.iterdir() if p.is_dir())
    assert folders == sorted(["州文明办", *NAMES])
    assert (target / "砚山县" / "2022年第四季度砚山县反馈单.pdf").exists()
    assert sorted(p.name for p in (target / "富宁县").iterdir()) == [
        "2022年第四季度文明城市创建测评通报.pdf",
        "2022年第四季度测评细则.pdf",
    ]
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    run_key = json.loads((out / "2022Q4" / "manifest.json").read_text(encoding="utf-8"))["input_key"]
    assert manifest["source_run"] == run_key
    for entry in manifest["files"]:
        data = (target / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
    before = (target / "manifest.json").read_bytes()
    assert (distribute(out, "2022Q4", CAT) / "manifest.json").read_bytes() == before  # idempotent


def test_distribution_needs_a_run(tmp_path):
    from adapters.distribute import NotRunYet, distribute

    with pytest.raises(NotRunYet, match="请先运行 chuangwen run --quarter 2022Q4"):
        distribute(tmp_path, "2022Q4", CAT)


def _csv(path):
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_every_csv_has_chinese_headers_and_keeps_the_ids(run):
    """A clerk opens the CSVs in WPS: Chinese headers, each once; the codes a machine joins on stay as codes."""
    _, out, _ = run
    folder = out / "2022Q4"
    files = [*sorted(folder.glob("*.csv")), folder / "validation" / "rules.csv"]
    assert len(files) == 5
    for path in files:
        with path.open(encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh))
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header), (path.name, header)
        assert len(set(header)) == len(header), path.name
        rows = _csv(path)
        if "行政区划代码" in header:  # every table by county names it too, and the code is the catalog's
            assert {r["行政区划代码"] for r in rows} <= set(CAT.county_by_code), path.name
            assert all(r["县（市）"] == CAT.county_by_code[r["行政区划代码"]].name for r in rows), path.name
        if "指标编号" in header:
            assert {r["指标编号"] for r in rows} <= set(CAT.indicator_by_id), path.name


def test_totals_in_scores_csv_recompute_from_the_detail_csvs_with_the_weights_the_method_prints(run):
    """What a county head can do: indicator_scores.csv, task_scores.csv and the points of method.html."""
    import re

    _, out, written = run
    folder = out / "2022Q4"
    html = (folder / "method.html").read_text(encoding="utf-8")
    annex = html[html.index('class="method-parts"') :]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", annex, flags=re.S)]
    part_points = {c[0]: float(c[2]) for c in cells if len(c) == 8}
    task_row = r'<tr class="task"><td>([\d.]+)</td><td[^>]*>[^<]*（([\d.]+)分'
    task_points = {m[0]: float(m[1]) for m in re.findall(task_row, annex)}
    assert len(part_points) == 124 and len(task_points) == 72
    indicators = _csv(folder / "indicator_scores.csv")
    deductions = {}
    for county in _csv(folder / "scores.csv"):
        if not county["总分"]:
            continue
        got = judged = 0.0
        for task in (t for t in _csv(folder / "task_scores.csv") if t["行政区划代码"] == county["行政区划代码"]):
            parts = [(part_points[task["任务编号"]], float(task["完成情况得分率"]))]
            parts += [
                (part_points[r["指标编号"]], float(r["达成度"]))
                for r in indicators
                if r["行政区划代码"] == county["行政区划代码"] and r["任务编号"] == task["任务编号"] and r["达成度"]
            ]
            got += task_points[task["任务编号"]] * sum(p * a for p, a in parts) / sum(p for p, _ in parts)
            judged += task_points[task["任务编号"]]
        deductions[county["县（市）"]] = float(county["扣分"] or 0)
        expected = max(round(got / judged * 100, 2) - deductions[county["县（市）"]], 0)
        assert float(county["总分"]) == pytest.approx(expected, abs=0.006), county["县（市）"]
        assert int(county["达标指标"]) + int(county["未达标指标"]) + int(county["无法判定指标"]) == 52
    assert (
        "method.pdf" in written
        and subprocess.run(["pdftotext", str(written["method.pdf"]), "-"], capture_output=True, text=True).stdout.count(
            "测评细则"
        )
        >= 1
    )


def test_the_sample_quarter_shows_the_fixed_results(run):
    """The sample's scenarios (tests/sample_data.py SCENARIOS) come out right in 2022Q4's outputs."""
    from openpyxl import load_workbook

    _, out, written = run
    folder = out / "2022Q4"
    indicators = {(r["行政区划代码"], r["指标编号"]): r for r in _csv(folder / "indicator_scores.csv")}
    code = {c.name: c.code for c in CAT.counties}
    aqi = indicators[(code["马关县"], "8.1.1a")]
    assert (aqi["判定"], aqi["替代条件"], aqi["填报值"]) == ("替代达标", "aqi_target", "")
    green = indicators[(code["丘北县"], "6.3.2a")]
    assert (green["判定"], green["填报值"]) == ("未达标", "35.0")
    wb = load_workbook(folder / "scores.xlsx", read_only=True)
    rows = list(wb["年度进度"].iter_rows(values_only=True))
    header = rows[0]
    at = {name: header.index(name) for name in ("行政区划代码", "指标编号", "进度")}
    progress = {(r[at["行政区划代码"]], r[at["指标编号"]]): r[at["进度"]] for r in rows[1:]}
    assert progress[(code["丘北县"], "6.3.2a")] == progress[(code["砚山县"], "8.2.1c")] == "倒退"
    orders = {r["派单编号"]: r for r in _csv(folder / "orders.csv")}
    status_order = next(
        r for r in orders.values() if r["县（市）"] == "砚山县" and r["编号"] == "1.5.2" and r["派单季度"] == "2022Q3"
    )
    assert (status_order["完成情况"], status_order["销号季度"]) == ("已销号", "2022Q4")
    annual = orders[f"2021Q4-{code['砚山县']}-1.5.2a"]
    assert (annual["整改期限季度"], annual["完成情况"], annual["销号季度"]) == ("2022Q4", "已销号", "2022Q4")
    text = subprocess.run(["pdftotext", str(written["bulletin.pdf"]), "-"], capture_output=True, text=True).stdout
    lists = text[text.index("三、大比武和红黑榜") : text.index("四、年度目标进展")].replace("\n", "")
    black = lists[lists.index("黑榜：") :]
    assert "广南县（未报送" in black and "富宁县（报送的文件未能读取" in black  # 富宁县's file was broken
    overall = text[text.index("一、总体情况") : text.index("二、测评结果")].replace("\n", "")
    assert "广南县未按时报送" in overall and "富宁县报送的文件未能读取" in overall


def test_every_pdf_keeps_to_the_text_block_and_its_cells(run):
    """GB/T 9704-2012's block is 156 × 225 mm; no word outside it (page numbers excepted), no text over a
    cell's border, no cell one character a line, no heading or table header alone at a page's foot."""
    import layout

    _, out, _ = run
    folder = out / "2022Q4"
    assert {"bulletin.pdf", "method.pdf", "counties/砚山县反馈单.pdf"} <= set(PAGES)
    faults = []
    for name, html in sorted(PAGES.items()):
        faults += layout.words_outside_block(folder / name)
        faults += [f"{name} {f}" for f in layout.html_layout_faults(html)]
    assert faults == [], "\n".join(faults)


def test_the_layout_check_finds_a_table_too_wide():
    import layout

    html = (
        "<html><head><style>@page { size: A4; margin: 37mm 26mm 35mm 28mm; } td { white-space: nowrap; }"
        "</style></head><body><p>正文</p><table style='width: 100%; table-layout: fixed'><tr>"
        + "".join(f"<td style='width: 10%'>{'很长的单元格文字' * 2}</td>" for _ in range(10))
        + "</tr></table><table><tr><td style='width: 3em'>逾期未整改</td></tr></table>"
        "<div style='width: 200mm'>过宽</div></body></html>"
    )
    faults = layout.html_layout_faults(html)
    assert any("越出单元格边框" in f for f in faults) and any("宽于版心" in f for f in faults), faults


def test_the_bulletin_places_the_elements_of_gbt_9704(run):
    """GB/T 9704-2012, measured on the PDF: masthead 35 mm below the block's top, centred; 发文字号 and the
    title centred; 成文日期 four characters in from the right with the issuer centred over it (or, when the
    issuer is too long for that, the issuer ending at the block's edge and the date centred under it); page
    numbers right on odd pages and left on even ones; the 版记 on an even last page at the block's foot;
    28.99 pt lines; no justified line short by more than the line-breaking rules make it; the signature's
    page holds body text (7.3.5: never a page with the signature alone)."""
    import layout

    _, out, written = run
    pdf = written["bulletin.pdf"]
    words = layout.pdf_words(pdf)
    centre = (layout.BLOCK[0] + layout.BLOCK[2]) / 2
    mid = lambda w: (w.x0 + w.x1) / 2  # noqa: E731
    first = [w for w in words if w.page == 1]
    masthead = next(w for w in first if w.text == CAT.issuer)
    assert abs(masthead.y0 - (37 + 35)) < 1.5 and abs(mid(masthead) - centre) < 1
    number = next(w for w in first if w.text.startswith("文文明办〔"))
    assert abs(mid(number) - centre) < 1 and number.y0 > masthead.y1
    title = next(w for w in first if w.text.startswith("关于"))
    assert abs(mid(title) - centre) < 1 and title.y0 > number.y1 + 10
    date = next(w for w in words if w.text == "2023年1月10日")
    issuer = next(w for w in words if w.page == date.page and w.text == CAT.issuer and w.y1 <= date.y0 + 0.5)
    char = 16 / layout.MM
    if issuer.x1 < layout.BLOCK[2] - 0.5:
        assert abs(layout.BLOCK[2] - 4 * char - date.x1) < 1 and abs(mid(issuer) - mid(date)) < 1
    else:
        assert abs(issuer.x1 - layout.BLOCK[2]) < 1 and abs(mid(issuer) - mid(date)) < 1
    above = {round(w.y0) for w in words if w.page == date.page and w.y1 < issuer.y0 and w.x0 < layout.BLOCK[0] + 40}
    assert len(above) >= 2, "the signature needs the body's last lines on its page, not the 附件 line alone"
    pages = max(w.page for w in words)
    numbered = {w.page: w for w in words if w.y0 > layout.BLOCK[3] and w.text.isdigit()}
    for page, w in numbered.items():
        assert int(w.text) == page
        assert w.x1 > centre if page % 2 else w.x0 < centre, (page, w)
    assert pages % 2 == 0 and pages not in numbered  # the 版记 on an even page, without a number
    colophon = [w for w in words if w.page == pages]
    printed = next(w for w in colophon if w.text == "2023年1月10日印发")
    assert layout.BLOCK[3] - 10 < printed.y1 <= layout.BLOCK[3] + 0.5
    body = sorted({round(w.y0, 1) for w in first if abs(w.y1 - w.y0 - 16 * 1.437 / layout.MM) < 0.6})
    pitches = [b - a for a, b in zip(body, body[1:], strict=False) if b - a < 11]
    assert pitches and all(abs(p - 28.99 / layout.MM) < 0.2 for p in pitches), pitches
    assert [r for r in layout.ragged_body_lines(pdf) if float(r.split("空出 ")[1].split()[0]) > 3 * char] == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "二〇" not in text and "印发" in text


def test_the_bulletin_is_short_and_its_word_twin_opens(run, tmp_path):
    """正文 of at most six pages for eight counties (the annex and the 版记 after it); bulletin.docx opens in
    LibreOffice and prints the same sections within a page of the PDF."""
    import shutil as sh

    _, out, written = run
    pdf = written["bulletin.pdf"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    body_end = next(i for i, p in enumerate(pages, 1) if "附件：各县（市）得分及领域得分率" in p)
    assert body_end <= 6, body_end
    for sheet in (out / "2022Q4" / "counties").glob("*.pdf"):
        info = subprocess.run(["pdfinfo", str(sheet)], capture_output=True, text=True, check=True).stdout
        assert int(next(x for x in info.splitlines() if x.startswith("Pages")).split()[-1]) <= 6, sheet.name
    docx = out / "2022Q4" / "bulletin.docx"
    assert docx.is_file()
    if not sh.which("soffice"):
        pytest.skip("LibreOffice is not installed (scripts/setup.sh --test installs it)")
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = tmp_path / "bulletin.pdf"
    assert converted.is_file(), done.stderr[-2000:]
    twin = subprocess.run(["pdftotext", str(converted), "-"], capture_output=True, text=True, check=True).stdout
    for section in (
        "一、总体情况",
        "二、测评结果",
        "三、大比武和红黑榜",
        "五、存在的主要问题",
        "六、整改要求",
        "附件",
        "印发",
    ):
        assert section in twin, section
    # within a page of the PDF, not counting the blank page either may need to put its 版记 on an even page
    printed = lambda t: sum(1 for page in t.split("\f") if page.strip())  # noqa: E731
    assert abs(printed(twin) - printed(text)) <= 1, (printed(twin), printed(text))
