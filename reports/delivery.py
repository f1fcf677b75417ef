"""Email delivery of an archived brief: compose, send (SMTP or outbox), and an idempotency ledger.

Plain Python (stdlib ``email`` + ``smtplib``; Jinja for the body). No Dagster.

- A message is composed from the archive of one partition (``brief.pdf`` + ``metrics.json``):
  subject and HTML + text body from templates, the key takeaways in the body, the PDF attached.
- ``SmtpTransport`` speaks STARTTLS, implicit TLS or plain (loopback); credentials are held in a
  field that never prints. ``OutboxTransport`` writes ``.eml`` files atomically (the default when
  no SMTP host is configured).
- ``Ledger`` (JSON lines, fsynced appends) keys each send by (partition, recipient, PDF hash): a
  retried or re-run delivery never sends twice unless asked to resend. A write-ahead intent
  (Message-ID) precedes every send, so a send whose outcome is unknown (killed after the send,
  or no reply from the server) is reported as unconfirmed instead of being repeated. Each
  recipient is tried on its own, with retries and backoff for transient failures; the report
  lists every outcome.
"""

import hashlib
import json
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import SecretStr
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from common.clock import utc_now_iso
from common.fs import append_synced, atomic_write_bytes
from reports.formatting import format_number, format_percent, format_si

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TLS_MODES = ("starttls", "ssl", "none")


class DeliveryError(RuntimeError):
    """Delivery could not be attempted at all (bad configuration, missing brief)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str = ""
    password: SecretStr = SecretStr("")  # prints as stars: never in reprs, logs or errors
    tls: str = "starttls"
    timeout_s: float = 30.0

    def __post_init__(self):
        if self.tls not in TLS_MODES:
            raise DeliveryError(f"SMTP TLS mode {self.tls!r} is not one of {', '.join(TLS_MODES)}")
        if not self.host:
            raise DeliveryError("SMTP host is empty")


@dataclass(frozen=True)
class MailSettings:
    sender: str
    recipients: tuple[str, ...]
    operator: str = ""
    smtp: SmtpConfig | None = None

    def __post_init__(self):
        for address in (self.sender, *self.recipients, *((self.operator,) if self.operator else ())):
            if "@" not in parseaddr(address)[1]:
                raise DeliveryError(f"not an email address: {address!r}")


def mail_settings_from_env(env: dict[str, str]) -> MailSettings:
    """Read the pinned FLOPCAST_SMTP_* / FLOPCAST_MAIL_* variables (no SMTP host: outbox only)."""
    host = (env.get("FLOPCAST_SMTP_HOST") or "").strip()
    smtp = None
    if host:
        tls = (env.get("FLOPCAST_SMTP_TLS") or "starttls").strip().lower()
        default_port = {"starttls": 587, "ssl": 465, "none": 25}.get(tls, 587)
        try:
            port = int(env.get("FLOPCAST_SMTP_PORT") or default_port)
        except ValueError:
            raise DeliveryError(f"FLOPCAST_SMTP_PORT={env.get('FLOPCAST_SMTP_PORT')!r} is not a number") from None
        smtp = SmtpConfig(host=host, port=port, user=env.get("FLOPCAST_SMTP_USER") or "",
                          password=SecretStr(env.get("FLOPCAST_SMTP_PASSWORD") or ""), tls=tls)
    recipients = tuple(a.strip() for a in (env.get("FLOPCAST_MAIL_TO") or "").split(",") if a.strip())
    return MailSettings(
        sender=(env.get("FLOPCAST_MAIL_FROM") or "flopcast@localhost").strip(),
        recipients=recipients,
        operator=(env.get("FLOPCAST_OPERATOR_EMAIL") or "").strip(),
        smtp=smtp,
    )


# --- composing ------------------------------------------------------------------------------------

def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"], default_for_string=autoescape, default=autoescape),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(num=format_number, si=format_si, pct=format_percent)
    return env


@dataclass(frozen=True)
class BriefArchive:
    """What delivery needs from ``briefs/YYYY-MM/``."""

    partition: str
    pdf: bytes
    metrics: dict

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @classmethod
    def load(cls, folder: Path) -> "BriefArchive":
        pdf, metrics = folder / "brief.pdf", folder / "metrics.json"
        if not pdf.exists() or not metrics.exists():
            raise DeliveryError(f"no complete brief in {folder} (build it first: flopcast brief)")
        return cls(partition=folder.name, pdf=pdf.read_bytes(), metrics=json.loads(metrics.read_text()))


HEADLINE_METRIC = "inference_share_accelerator_hours_now"


def headline(metrics: dict) -> str:
    """The subject's headline: the current year's generative inference share of accelerator-hours
    and its change since the last brief ('inference 48% of accelerator-hours (+3.1 pts)')."""
    metric = metrics.get("metrics", {}).get(HEADLINE_METRIC)
    if not metric or metric.get("value") is None:
        return "training vs inference"
    text = f"inference {100 * metric['value']:.0f}% of generative accelerator-hours"
    if metric.get("year"):
        text += f" in {metric['year']}"
    change = next((c for c in metrics.get("changes", []) if c.get("name") == HEADLINE_METRIC), None)
    if change and change.get("delta") not in (None, "", "new", "changed"):
        text += f" ({change['delta'].replace(' points', ' pts')})"
    elif metrics.get("changes") == [] and metrics.get("previous_partition"):
        text += " (unchanged)"
    return text


def top_changes(metrics: dict, n: int = 3) -> list[str]:
    """The first ``n`` changes since the last brief, as one line each."""
    return [f"{c['label']}: {c['before']} -> {c['after']}" + (f" ({c['delta']})" if c.get("delta") else "")
            for c in metrics.get("changes", [])[:n]]


def compose(archive: BriefArchive, sender: str, recipient: str, note: str = "") -> EmailMessage:
    """The brief as an email: subject and bodies from templates, the PDF attached."""
    context = {
        "partition": archive.partition,
        "takeaways": archive.metrics.get("takeaways", []),
        "snapshot_hash": archive.metrics.get("snapshot_hash", ""),
        "scenario": archive.metrics.get("scenario", ""),
        "note": note,
        "headline": headline(archive.metrics),
        "changes": top_changes(archive.metrics),
    }
    subject = _environment(False).get_template("email_subject.txt.j2").render(**context).strip()
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="flopcast.local")
    message["X-Flopcast-Partition"] = archive.partition
    message["X-Flopcast-PDF-SHA256"] = archive.pdf_sha256
    message.set_content(_environment(False).get_template("email.txt.j2").render(**context))
    message.add_alternative(_environment(True).get_template("email.html.j2").render(**context),
                            subtype="html")
    message.add_attachment(archive.pdf, maintype="application", subtype="pdf",
                           filename=f"flopcast-brief-{archive.partition}.pdf")
    return message


# --- transports -----------------------------------------------------------------------------------

class TransientSendError(RuntimeError):
    """Worth retrying: connection refused/dropped, timeout, or a 4xx reply, all before the server
    had the message."""


class PermanentSendError(RuntimeError):
    """Not worth retrying: the server rejected the message or recipient (5xx), or bad login."""


class UncertainSendError(RuntimeError):
    """The message was handed over but the server never answered (timeout or dropped connection
    after the end of DATA): it may have been delivered. Retrying could send it twice."""


class SmtpTransport:
    name = "smtp"

    def __init__(self, config: SmtpConfig):
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.tls == "ssl":
            client = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_s,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
            if c.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
        if c.user:
            client.login(c.user, c.password.get_secret_value())
        return client

    def send(self, message: EmailMessage) -> str:
        where = f"{self.config.host}:{self.config.port}"
        in_data = False  # the message body is being (or was) handed over: past the point of no return
        try:
            client = self._connect()
            try:
                data = client.data

                def tracked_data(msg):
                    nonlocal in_data
                    in_data = True
                    return data(msg)

                client.data = tracked_data
                refused = client.send_message(message)
            finally:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):  # the outcome is known: QUIT is a courtesy
                    client.close()
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentSendError(f"SMTP login refused for user {self.config.user!r} ({exc.smtp_code})") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = {r: code for r, (code, _) in exc.recipients.items()}
            if all(400 <= code < 500 for code in codes.values()):
                raise TransientSendError(f"recipient temporarily refused: {codes}") from None
            raise PermanentSendError(f"recipient refused: {codes}") from None
        except smtplib.SMTPResponseException as exc:  # an explicit reply: the server did not take it
            text = f"SMTP {exc.smtp_code}: {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
            if 400 <= exc.smtp_code < 500:
                raise TransientSendError(text) from None
            raise PermanentSendError(text) from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout,
                ConnectionError, OSError) as exc:
            if in_data:
                raise UncertainSendError(
                    f"SMTP server {where} did not confirm the message after it was sent "
                    f"({type(exc).__name__}: {exc}); it may have been delivered"
                ) from None
            raise TransientSendError(
                f"cannot reach SMTP server {where}: {type(exc).__name__}: {exc}"
            ) from None
        if refused:
            raise PermanentSendError(f"recipient refused: {refused}")
        return f"smtp {where}"


class OutboxTransport:
    """Writes each message as ``<outbox>/<partition>/<recipient>.eml`` (atomically)."""

    name = "outbox"

    def __init__(self, outbox_dir: Path):
        self.outbox_dir = outbox_dir

    def path_for(self, message: EmailMessage) -> Path:
        recipient = parseaddr(message["To"])[1].replace("/", "_")
        return self.outbox_dir / message["X-Flopcast-Partition"] / f"{recipient}.eml"

    def send(self, message: EmailMessage) -> str:
        path = self.path_for(message)
        atomic_write_bytes(path, bytes(message))
        return str(path)


# --- ledger ---------------------------------------------------------------------------------------

def _read_jsonl(path: Path) -> list[dict]:
    """The records of a JSON-lines file; a torn last line (a crash mid-append) is ignored."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            if number != len(lines):
                raise DeliveryError(f"{path}: line {number} is not JSON") from None
    return entries


def _append_jsonl(path: Path, entry: dict) -> None:
    append_synced(path, (json.dumps(entry, sort_keys=True) + "\n").encode())


class Ledger:
    """Append-only JSON lines: one line per completed delivery, fsynced before it counts, plus a
    write-ahead journal of intents beside it (``<ledger>.intents.jsonl``).

    Before a message is handed to the transport, a ``sending`` intent with its Message-ID is
    appended to the journal; a definite failure appends ``failed``; a completed send appends the
    delivery to the ledger (the ``sent`` record, same Message-ID). An intent with neither is a send
    whose outcome is unknown (the process died between the send and the record, or the server
    never confirmed): it is reported as unconfirmed and not sent again unless asked to resend, so
    a crash can neither lose a message silently nor send it twice. A torn last line is ignored.
    """

    def __init__(self, path: Path):
        self.path = path
        self.intents_path = path.with_name(path.stem + ".intents.jsonl")

    def entries(self) -> list[dict]:
        return _read_jsonl(self.path)

    def delivered(self, partition: str, recipient: str, pdf_sha256: str) -> bool:
        return any(e.get("partition") == partition and e.get("recipient") == recipient
                   and e.get("pdf_sha256") == pdf_sha256 for e in self.entries())

    def record(self, entry: dict) -> None:
        _append_jsonl(self.path, entry)

    def begin(self, entry: dict) -> None:
        """Record the intent to send (write-ahead: before the message leaves)."""
        _append_jsonl(self.intents_path, {**entry, "status": "sending"})

    def abandon(self, message_id: str, error: str) -> None:
        """Record that the send of ``message_id`` definitely failed (nothing was delivered)."""
        _append_jsonl(self.intents_path, {"message_id": message_id, "status": "failed",
                                          "error": error, "at": utc_now_iso()})

    def unconfirmed(self, partition: str, recipient: str, pdf_sha256: str) -> dict | None:
        """The latest intent for this delivery with no recorded outcome, if any."""
        journal = _read_jsonl(self.intents_path)
        closed = {e.get("message_id") for e in journal if e.get("status") == "failed"}
        closed |= {e.get("message_id") for e in self.entries()}
        open_intents = [e for e in journal if e.get("status") == "sending"
                        and e.get("partition") == partition and e.get("recipient") == recipient
                        and e.get("pdf_sha256") == pdf_sha256 and e.get("message_id") not in closed]
        return open_intents[-1] if open_intents else None


# --- delivering -----------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: dict[str, str] = field(default_factory=dict)      # recipient -> where it went
    skipped: list[str] = field(default_factory=list)        # already delivered (ledger)
    failed: dict[str, str] = field(default_factory=dict)    # recipient -> last error
    attempts: dict[str, int] = field(default_factory=dict)  # recipient -> tries made
    unconfirmed: list[str] = field(default_factory=list)    # outcome unknown (also in `failed`)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        parts = [f"{len(self.sent)} sent", f"{len(self.skipped)} already delivered"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed ("
                         + "; ".join(f"{r}: {e}" for r, e in self.failed.items()) + ")")
        return ", ".join(parts)


UNCONFIRMED_ADVICE = "check the inbox; --resend to send again"


def deliver(
    archive: BriefArchive,
    recipients: Iterable[str],
    sender: str,
    transport,
    ledger: Ledger | None,
    *,
    resend: bool = False,
    retries: int = 3,
    backoff_s: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
    after_send: Callable[[], None] | None = None,
    note: str = "",
) -> DeliveryReport:
    """Send ``archive`` to each recipient once (``note``: marks the subject, e.g. a test copy).

    ``ledger=None`` (a test send to one address) neither reads nor writes the ledger. Transient
    failures are retried with exponential backoff (``backoff_s``, doubling); a recipient that
    still fails is reported and the others go on; ``resend`` ignores earlier deliveries and
    unconfirmed sends. A send whose outcome is unknown (an intent in the ledger's journal with no
    outcome: the process died after the send, or the server never confirmed it) is not repeated:
    it is reported as failed with "unconfirmed: ... check the inbox; --resend to send again".
    ``after_send`` (optional) is called after each accepted send, before the ledger records it.
    """
    report = DeliveryReport()
    retrying = Retrying(stop=stop_after_attempt(retries + 1), wait=wait_exponential(multiplier=backoff_s),
                        retry=retry_if_exception_type(TransientSendError), sleep=sleep, reraise=True)
    for recipient in dict.fromkeys(recipients):
        key = (archive.partition, recipient, archive.pdf_sha256)
        if ledger is not None and not resend:
            if ledger.delivered(*key):
                report.skipped.append(recipient)
                continue
            pending = ledger.unconfirmed(*key)
            if pending is not None:
                report.unconfirmed.append(recipient)
                report.failed[recipient] = (
                    f"unconfirmed: a send began at {pending.get('at')} (Message-ID "
                    f"{pending.get('message_id')}) but its outcome was never recorded; "
                    + UNCONFIRMED_ADVICE)
                continue
        message = compose(archive, sender, recipient, note=note)
        record = {"partition": archive.partition, "recipient": recipient,
                  "pdf_sha256": archive.pdf_sha256, "transport": transport.name,
                  "message_id": message["Message-ID"]}
        if ledger is not None:
            ledger.begin({**record, "at": utc_now_iso()})

        def send_once() -> str:
            report.attempts[recipient] = report.attempts.get(recipient, 0) + 1
            return transport.send(message)

        try:
            where = retrying(send_once)
        except (TransientSendError, PermanentSendError) as exc:
            report.failed[recipient] = str(exc)
        except UncertainSendError as exc:  # never retried: it could arrive twice
            report.unconfirmed.append(recipient)
            report.failed[recipient] = f"unconfirmed: {exc}; {UNCONFIRMED_ADVICE}"
        except Exception as exc:  # e.g. the outbox disk is full: nothing left, so say so
            if ledger is not None:
                ledger.abandon(record["message_id"], f"{type(exc).__name__}: {exc}")
            raise
        else:
            if after_send is not None:
                after_send()
            report.sent[recipient] = where
            if ledger is not None:
                ledger.record({**record, "delivered_at": utc_now_iso()})
        if ledger is not None and recipient in report.failed and recipient not in report.unconfirmed:
            ledger.abandon(record["message_id"], report.failed[recipient])
    return report


def compose_alert(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text operator alert (no attachment)."""
    message = EmailMessage()
    message["Subject"] = f"[flopcast alert] {' '.join(subject.split())}"
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="flopcast.local")
    message["X-Flopcast-Partition"] = "alerts"
    message.set_content(body)
    return message
