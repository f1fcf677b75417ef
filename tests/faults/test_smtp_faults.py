"""SMTP down, slow (stalls past the timeout) and rejecting recipients, against loopback servers.

Clear outcomes, a ledger that records only real deliveries, and never a duplicate: a server that
stalls before it has the message is retried; one that stalls after it has the message is
"unconfirmed" (it may have been delivered) and is not sent again unless asked. Server down and a
single rejected recipient are covered in tests/reports/test_delivery.py.
"""

import json
import socket
import time

import pytest

from reports.delivery import Ledger, deliver
from reports.mail_message import BriefArchive
from reports.mail_settings import SmtpConfig
from reports.mail_transport import SmtpTransport
from tests.faults.conftest import Inbox, wait_for

SENDER = "flopcast@example.org"


@pytest.fixture
def archive() -> BriefArchive:
    metrics = {"schema_version": 1, "partition": "2025-06", "scenario": "base", "snapshot_hash": "ab" * 32,
               "metrics": {}, "takeaways": ["Inference was 61% of AI compute in 2025."]}
    return BriefArchive(partition="2025-06", pdf=b"%PDF-1.7 test brief", metrics=metrics)


def _transport(port: int, timeout_s: float = 5) -> SmtpTransport:
    return SmtpTransport(SmtpConfig(host="127.0.0.1", port=port, tls="none", timeout_s=timeout_s))


def _journal(ledger: Ledger) -> list[tuple[str, str]]:
    lines = [json.loads(line) for line in ledger.intents_path.read_text().splitlines()]
    by_id = {e["message_id"]: e.get("recipient") for e in lines if e["status"] == "sending"}
    return [(by_id[e["message_id"]], e["status"]) for e in lines]


def test_a_server_that_never_greets_times_out_clearly_and_a_later_run_sends_once(archive, smtp, tmp_path):
    with socket.socket() as silent:  # accepts connections (the kernel does) but never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        ledger = Ledger(tmp_path / "ledger.jsonl")
        started = time.monotonic()
        report = deliver(archive, ["a@example.org"], SENDER, _transport(port, timeout_s=0.5), ledger,
                         retries=1, sleep=lambda s: None)
        assert time.monotonic() - started < 5  # bounded by the timeout, not hanging
    assert not report.ok and report.attempts["a@example.org"] == 2 and report.unconfirmed == []
    assert f"cannot reach SMTP server 127.0.0.1:{port}" in report.failed["a@example.org"]
    assert "timed out" in report.failed["a@example.org"]
    assert ledger.entries() == []
    assert _journal(ledger) == [("a@example.org", "sending"), ("a@example.org", "failed")]

    inbox = Inbox()
    again = deliver(archive, ["a@example.org"], SENDER, _transport(smtp(inbox)), ledger,
                    sleep=lambda s: None)
    assert again.ok and list(again.sent) == ["a@example.org"]  # not mistaken for "unconfirmed"
    assert inbox.to() == ["a@example.org"]
    assert [e["recipient"] for e in ledger.entries()] == ["a@example.org"]


def test_a_server_that_stalls_after_taking_the_message_is_unconfirmed_and_never_resent(archive, smtp, tmp_path):
    inbox = Inbox(stall_s=1.5)  # has the message, answers after the client gave up
    transport = _transport(smtp(inbox), timeout_s=0.5)
    ledger = Ledger(tmp_path / "ledger.jsonl")
    report = deliver(archive, ["a@example.org"], SENDER, transport, ledger, retries=3, sleep=lambda s: None)
    assert report.unconfirmed == ["a@example.org"] and report.attempts["a@example.org"] == 1
    error = report.failed["a@example.org"]
    assert error.startswith("unconfirmed: SMTP server 127.0.0.1") and "did not confirm" in error
    assert error.endswith("check the inbox; --resend to send again")
    time.sleep(1.6)  # let the stalled sessions finish: a retry would have delivered more copies
    assert inbox.to() == ["a@example.org"]
    assert ledger.entries() == [] and _journal(ledger) == [("a@example.org", "sending")]

    rerun = deliver(archive, ["a@example.org"], SENDER, transport, ledger, sleep=lambda s: None)
    assert rerun.unconfirmed == ["a@example.org"] and rerun.sent == {}
    assert "unconfirmed" in rerun.failed["a@example.org"] and "--resend" in rerun.failed["a@example.org"]
    assert len(inbox.messages) == 1

    inbox.stall_s = 0
    resent = deliver(archive, ["a@example.org"], SENDER, transport, ledger, resend=True, sleep=lambda s: None)
    assert resent.ok and list(resent.sent) == ["a@example.org"] and len(inbox.messages) == 2
    settled = deliver(archive, ["a@example.org"], SENDER, transport, ledger, sleep=lambda s: None)
    assert settled.ok and settled.skipped == ["a@example.org"] and len(inbox.messages) == 2


def test_rejected_recipients_fail_clearly_are_closed_and_sent_once_when_accepted(archive, smtp, tmp_path):
    inbox = Inbox(reject={"gone@example.org": "550 5.1.1 mailbox unavailable",
                          "busy@example.org": "451 4.2.0 mailbox busy, try later"})
    transport = _transport(smtp(inbox))
    ledger = Ledger(tmp_path / "ledger.jsonl")
    recipients = ["gone@example.org", "busy@example.org", "ok@example.org"]
    waits = []
    report = deliver(archive, recipients, SENDER, transport, ledger, retries=2, backoff_s=0.1,
                     sleep=waits.append)
    assert list(report.sent) == ["ok@example.org"] and report.unconfirmed == []
    assert "550" in report.failed["gone@example.org"] and report.attempts["gone@example.org"] == 1
    assert "temporarily refused" in report.failed["busy@example.org"]
    assert report.attempts["busy@example.org"] == 3 and waits == [0.1, 0.2]
    assert [e["recipient"] for e in ledger.entries()] == ["ok@example.org"]
    assert sorted(_journal(ledger)) == sorted([
        ("gone@example.org", "sending"), ("gone@example.org", "failed"),
        ("busy@example.org", "sending"), ("busy@example.org", "failed"),
        ("ok@example.org", "sending")])
    assert inbox.to() == ["ok@example.org"]

    inbox.reject = {}
    again = deliver(archive, recipients, SENDER, transport, ledger, sleep=lambda s: None)
    assert again.ok and again.skipped == ["ok@example.org"]
    assert sorted(again.sent) == ["busy@example.org", "gone@example.org"]
    assert sorted(inbox.to()) == sorted(recipients)  # each exactly once
    assert wait_for(lambda: len(ledger.entries()) == 3, 1)
