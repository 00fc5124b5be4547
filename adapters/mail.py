"""Optional e-mail delivery of a quarter's distribution folders over SMTP: each recipient gets its own
folder's files as attachments. A quarter is sent once; sending it again must be asked for."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from adapters.files import write_atomic
from core import outputs
from core.zh import quarter_label
from expectations.settings import MailSettings

SENT_LOG = "mail_sent.json"


class AlreadySent(RuntimeError):
    pass


def send_distribution(
    target: Path, quarter: str, settings: MailSettings, password: str | None = None, again: bool = False
) -> list[str]:
    """Send every recipient folder of `target` (…/分发) that has addresses; returns who was sent to.
    Refuses if this distribution (same manifest) was already sent, unless `again`."""
    manifest = (target / outputs.MANIFEST).read_bytes()
    log_path = target.parent / SENT_LOG
    log = json.loads(log_path.read_text(encoding="utf-8")) if log_path.exists() else []
    digest = hashlib.sha256(manifest).hexdigest()
    if not again and any(entry["manifest_sha256"] == digest for entry in log):
        raise AlreadySent(f"{quarter} 的分发文件已经发送过；如需重新发送，请加 --again")
    sent = []
    with _connect(settings, password) as smtp:
        for folder in sorted(p for p in target.iterdir() if p.is_dir()):
            addresses = settings.recipients.get(folder.name)
            if not addresses:
                continue
            msg = EmailMessage()
            msg["Subject"] = f"{quarter_label(quarter)}文明城市创建测评通报（{folder.name}）"
            msg["From"] = settings.sender
            msg["To"] = ", ".join(addresses)
            msg.set_content(
                f"{folder.name}：\n\n附件为{quarter_label(quarter)}文明城市创建测评通报及相关材料，请查收。\n"
            )
            for file in sorted(folder.iterdir()):
                kind = (mimetypes.guess_type(file.name)[0] or "application/octet-stream").split("/")
                msg.add_attachment(file.read_bytes(), maintype=kind[0], subtype=kind[1], filename=file.name)
            smtp.send_message(msg)
            sent.append(folder.name)
    log.append({"quarter": quarter, "manifest_sha256": digest, "recipients": sent})
    write_atomic(log_path, json.dumps(log, ensure_ascii=False, indent=1).encode("utf-8"))
    return sent


def _connect(settings: MailSettings, password: str | None) -> smtplib.SMTP:
    if settings.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, context=ssl.create_default_context(), timeout=30
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, password or "")
    return smtp
