"""Every file in a quarter's folder is read or listed as not read, with the reason: nothing is skipped in
silence (a mail client's "..\\..\\丘北县.xlsx", lock files, metadata files, a folder), and a county whose
file could not be read is said to have sent one, not to have sent nothing."""

from __future__ import annotations

import json
import shutil

import pytest
from sample_data import write_sample

from adapters.returns import absent_reasons, archive_received, ingest_folder, intake_notes
from expectations.catalog import load_catalog

CAT = load_catalog()
Q = "2022Q4"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    write_sample(CAT, raw, [Q])
    q = raw / Q
    (q / "丘北县.xlsx").rename(q / "..\\..\\丘北县.xlsx")  # as some mail clients save an attachment
    (q / "~$砚山县.xlsx").write_bytes(b"\x00" * 162)  # Excel's lock file beside an open workbook
    (q / "._砚山县.xlsx").write_bytes(b"\x00\x05\x16\x07")  # macOS AppleDouble metadata
    (q / ".~lock.文山市.xlsx#").write_text("someone,host,2023", encoding="utf-8")
    (q / "附件").mkdir()
    shutil.copy(q / "马关县.xlsx", q / "附件" / "马关县.xlsx")
    (q / "富宁县.xlsx").write_bytes(b"")  # a zero-byte file
    return q


@pytest.fixture(scope="module")
def ingested(folder):
    return ingest_folder(folder, CAT, Q)


GROUP = "报送文件夹"


def test_every_file_is_read_or_listed_with_the_reason(folder, ingested, reliability):
    reliability(
        GROUP,
        "邮件客户端存成“..\\..\\丘北县.xlsx”的文件、Office 锁定文件、macOS 元数据文件、子文件夹、空文件",
        "与其他县（市）的正常文件放在同一季度文件夹",
        "每个文件都读取或注明未读取的原因；“..\\..\\丘北县.xlsx”照常采用",
        "problems.json 和存档台账逐个列出；空文件说明是空的",
    )
    listed = {f.path.name for f in ingested.files}
    assert listed == {p.name for p in folder.iterdir() if p.name != "参照数据.xlsx"}
    by_name = {f.path.name: f for f in ingested.files}
    assert by_name["..\\..\\丘北县.xlsx"].accepted and by_name["..\\..\\丘北县.xlsx"].county == "丘北县"
    for name, words in (
        ("~$砚山县.xlsx", "临时锁定文件"),
        ("._砚山县.xlsx", "元数据文件"),
        (".~lock.文山市.xlsx#", "锁定文件"),
        ("附件", "文件夹"),
    ):
        f = by_name[name]
        assert not f.accepted and words in f.problems[0].message and "未读取" in f.problems[0].message, name
    assert "空" in by_name["富宁县.xlsx"].problems[0].message  # says what the file is, in Chinese


def test_a_county_whose_file_could_not_be_read_sent_one(ingested, reliability):
    reliability(
        GROUP,
        "县（市）报送的文件未能读取",
        "富宁县.xlsx 为 0 字节",
        "注明“报送的文件未能读取”，不写“未按时报送”",
        "排名备注、黑榜原因和通报“报送和数据问题”的说法",
    )
    reasons = absent_reasons(ingested, CAT)
    assert reasons[CAT.county_by_name["富宁县"].code] == "报送的文件未能读取"
    assert CAT.county_by_name["丘北县"].code not in reasons
    notes = {n.county: n for n in intake_notes(ingested, CAT) if n.file == "—"}
    assert notes["富宁县"].outcome == "报送的文件未能读取"
    assert any("富宁县本季度报送的文件未能读取" in p.message for p in ingested.problems)


def test_the_ledger_records_every_file_that_can_be_read(folder, ingested, tmp_path, reliability):
    reliability(
        GROUP,
        "锁定文件和元数据文件的存档",
        "~$砚山县.xlsx、._砚山县.xlsx",
        "存档并在台账中记为未采用",
        "ledger.jsonl 中的记录",
    )
    archive_received(ingested, tmp_path / "received")
    ledger = [
        json.loads(line) for line in (tmp_path / "received" / "ledger.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    files = {r["file"]: r["outcome"] for r in ledger}
    assert files["..\\..\\丘北县.xlsx"] == "accepted"
    assert files["~$砚山县.xlsx"] == files["._砚山县.xlsx"] == "rejected"
