"""The delivery step and the operator's alerts (plain Python, no Dagster): the archived brief
emailed once per recipient (SMTP when a host is configured, else ``.eml`` files in the outbox),
with a ledger. The delivery asset, ``flopcast deliver`` and the sensors call these.

Alerts are plain text: ``send_alert`` strips the ANSI escape sequences (colours, cursor moves,
terminal hyperlinks) that dbt and Dagster error messages carry, and other control characters."""

import re
from pathlib import Path

from orchestration.faults import checkpoint
from orchestration.settings import Settings
from reports.delivery import DeliveryReport, Ledger, deliver
from reports.mail_message import BriefArchive, compose, compose_alert
from reports.mail_settings import DeliveryError, MailSettings
from reports.mail_transport import OutboxTransport, SmtpTransport


def ledger_path(settings: Settings) -> Path:
    return settings.home / "delivery" / "ledger.jsonl"


def transport_for(settings: Settings, mail: MailSettings):
    """SMTP when a host is configured, otherwise the outbox folder (.eml files)."""
    return SmtpTransport(mail.smtp) if mail.smtp else OutboxTransport(settings.outbox_dir)


def deliver_brief(
    settings: Settings,
    mail: MailSettings,
    partition: str,
    *,
    to: str | None = None,
    resend: bool = False,
    retries: int = 3,
    backoff_s: float = 2.0,
) -> DeliveryReport:
    """Email the archived brief of ``partition`` to the configured recipients, once each.

    ``to``: a test send to that one address, which neither reads nor writes the ledger of the
    real recipients.
    """
    archive = BriefArchive.load(settings.briefs_dir / partition)
    recipients = [to] if to else list(mail.recipients)
    if not recipients:
        raise DeliveryError("no recipients: set FLOPCAST_MAIL_TO (comma-separated) or use --to ADDR")
    ledger = None if to else Ledger(ledger_path(settings))
    return deliver(archive, recipients, mail.sender, transport_for(settings, mail), ledger,
                   resend=resend, retries=retries, backoff_s=backoff_s,
                   after_send=lambda: checkpoint("delivery.after_send"),
                   note="test copy" if to else "")


def preview_delivery(settings: Settings, mail: MailSettings, partition: str) -> Path:
    """Render the message the first recipient would get to ``outbox/preview/`` and return its path."""
    archive = BriefArchive.load(settings.briefs_dir / partition)
    recipient = mail.recipients[0] if mail.recipients else "recipient@example.invalid"
    message = compose(archive, mail.sender, recipient, note="preview")
    return Path(OutboxTransport(settings.outbox_dir / "preview").send(message))


ANSI_ESCAPE = re.compile(r"""
    \x1b\[[0-?]*[ -/]*[@-~]              # CSI: colours, erase, cursor moves (ESC [ params final)
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?    # OSC: window titles, hyperlinks (ended by BEL or ESC \)
  | \x1b[ -/]*[0-~]                      # other escapes: charset selection (ESC ( B), ESC 7, ...
  | \x9b[0-?]*[ -/]*[@-~]                # CSI as one 8-bit character
""", re.VERBOSE)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every control character but tab and newline


def plain_text(text: str) -> str:
    """``text`` without ANSI escape sequences and control characters (CRLF and CR become LF)."""
    text = ANSI_ESCAPE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text)


def send_alert(settings: Settings, mail: MailSettings, subject: str, body: str) -> str | None:
    """Email the operator (FLOPCAST_OPERATOR_EMAIL) as plain text; None when no operator is configured."""
    if not mail.operator:
        return None
    message = compose_alert(mail.sender, mail.operator, plain_text(subject), plain_text(body))
    return transport_for(settings, mail).send(message)
