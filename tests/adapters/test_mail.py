"""E-mail delivery against a local SMTP server started by the test: each recipient gets its folder."""

from __future__ import annotations

import json
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from adapters.mail import AlreadySent, send_distribution
from expectations.settings import MailSettings


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as probe:  # a free port on the loopback interface
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _distribution(tmp_path):
    target = tmp_path / "2022Q4" / "分发"
    for folder, names in {
        "州文明办": ["通报.pdf", "得分明细.xlsx"],
        "砚山县": ["通报.pdf", "砚山县反馈单.pdf"],
        "丘北县": ["通报.pdf"],
    }.items():
        (target / folder).mkdir(parents=True)
        for name in names:
            (target / folder / name).write_bytes(f"{folder}/{name}".encode())
    (target / "manifest.json").write_text(json.dumps({"quarter": "2022Q4"}), encoding="utf-8")
    return target


def test_each_recipient_gets_its_folder_once(tmp_path, smtp):
    inbox, port = smtp
    target = _distribution(tmp_path)
    settings = MailSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        sender="office@example.org",
        recipients={"州文明办": ["a@example.org"], "砚山县": ["b@example.org", "c@example.org"]},
    )
    assert send_distribution(target, "2022Q4", settings) == ["州文明办", "砚山县"]  # 丘北县 has no address
    by_rcpt = {tuple(r): m for r, m in inbox.messages}
    county = by_rcpt[("b@example.org", "c@example.org")]
    names = sorted(part.get_filename() for part in county.iter_attachments())
    assert names == ["砚山县反馈单.pdf", "通报.pdf"]
    assert "2022年第四季度" in str(county["Subject"]) and "砚山县" in str(county["Subject"])
    with pytest.raises(AlreadySent, match="--again"):
        send_distribution(target, "2022Q4", settings)
    assert len(inbox.messages) == 2
    send_distribution(target, "2022Q4", settings, again=True)
    assert len(inbox.messages) == 4
    log = json.loads((target.parent / "mail_sent.json").read_text(encoding="utf-8"))
    assert len(log) == 2 and log[0]["recipients"] == ["州文明办", "砚山县"]
