"""Delivery of an archived brief to its recipients, once each, with an idempotency ledger.

Plain Python, no Dagster. The message is built in ``mail_message``, sent by a transport from
``mail_transport``, with the settings of ``mail_settings``.

- ``Ledger`` (JSON lines, fsynced appends) keys each send by (partition, recipient, PDF hash): a
  retried or re-run delivery never sends twice unless asked to resend. A write-ahead intent
  (Message-ID) precedes every send, so a send whose outcome is unknown (killed after the send,
  or no reply from the server) is reported as unconfirmed instead of being repeated.
- ``deliver`` tries each recipient on its own, with retries and backoff (``tenacity``) for
  transient failures; the report lists every outcome.
"""

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from common.clock import utc_now_iso
from common.fs import append_synced
from reports.mail_message import BriefArchive, compose
from reports.mail_settings import DeliveryError
from reports.mail_transport import PermanentSendError, TransientSendError, UncertainSendError


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
