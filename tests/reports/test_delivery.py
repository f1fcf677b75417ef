"""Email delivery against a real SMTP server on loopback (aiosmtpd)."""

import email
import json
import logging
from email import policy

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from common.processes import free_port
from reports.delivery import Ledger, deliver
from reports.mail_message import BriefArchive
from reports.mail_settings import DeliveryError, SmtpConfig, mail_settings_from_env
from reports.mail_transport import OutboxTransport, SmtpTransport

PASSWORD = "s3cr3t-p4ss-w0rd"


class Recorder:
    """SMTP handler: records messages; can refuse the first N attempts or some recipients."""

    def __init__(self, refuse_first: int = 0, reject: tuple[str, ...] = ()):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_first = refuse_first
        self.reject = reject
        self.attempts = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.attempts += 1
        if self.attempts <= self.refuse_first:
            return "451 4.3.0 try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    started = []

    def _start(handler, auth=False):
        kwargs = {}
        if auth:
            kwargs = dict(authenticator=_authenticator, auth_require_tls=False, auth_required=True,
                          auth_exclude_mechanism=["LOGIN"])
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return SmtpConfig(host="127.0.0.1", port=controller.port, tls="none", timeout_s=5,
                          user="flopcast" if auth else "",
                          password=SecretStr(PASSWORD if auth else ""))

    yield _start
    for controller in started:
        controller.stop()


@pytest.fixture
def archive() -> BriefArchive:
    metrics = {"schema_version": 1, "partition": "2025-06", "scenario": "base", "snapshot_hash": "ab" * 32,
               "metrics": {}, "takeaways": ["Inference was 61% of AI compute in 2025.",
                                            "<b>Markup</b> stays text & safe."]}
    return BriefArchive(partition="2025-06", pdf=b"%PDF-1.7 test brief", metrics=metrics)


def test_brief_arrives_with_pdf_and_takeaways_and_is_sent_once(smtp_server, archive, tmp_path):
    handler = Recorder()
    transport = SmtpTransport(smtp_server(handler))
    ledger = Ledger(tmp_path / "ledger.jsonl")
    report = deliver(archive, ["a@example.org", "b@example.org"], "flopcast@example.org", transport,
                     ledger, sleep=lambda s: None)
    assert report.ok and set(report.sent) == {"a@example.org", "b@example.org"}
    message = handler.messages[0]
    assert "2025-06" in message["Subject"]
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == archive.pdf
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Inference was 61% of AI compute in 2025." in text
    assert "&lt;b&gt;Markup&lt;/b&gt; stays text &amp; safe." in html

    again = deliver(archive, ["a@example.org", "b@example.org"], "flopcast@example.org", transport,
                    ledger, sleep=lambda s: None)
    assert again.sent == {} and again.skipped == ["a@example.org", "b@example.org"]
    assert len(handler.messages) == 2
    resent = deliver(archive, ["a@example.org"], "flopcast@example.org", transport, ledger,
                     resend=True, sleep=lambda s: None)
    assert list(resent.sent) == ["a@example.org"] and len(handler.messages) == 3


def test_refused_first_attempt_is_retried_with_backoff(smtp_server, archive, tmp_path):
    handler = Recorder(refuse_first=2)
    waits = []
    report = deliver(archive, ["a@example.org"], "f@example.org", SmtpTransport(smtp_server(handler)),
                     Ledger(tmp_path / "l.jsonl"), backoff_s=0.5, sleep=waits.append)
    assert report.ok and report.attempts["a@example.org"] == 3
    assert waits == [0.5, 1.0]
    assert len(handler.messages) == 1


def test_rejected_recipient_fails_alone_and_is_not_recorded(smtp_server, archive, tmp_path):
    handler = Recorder(reject=("bad@example.org",))
    ledger = Ledger(tmp_path / "l.jsonl")
    report = deliver(archive, ["bad@example.org", "good@example.org"], "f@example.org",
                     SmtpTransport(smtp_server(handler)), ledger, sleep=lambda s: None)
    assert not report.ok and list(report.sent) == ["good@example.org"]
    assert "550" in report.failed["bad@example.org"] and report.attempts["bad@example.org"] == 1
    assert [e["recipient"] for e in ledger.entries()] == ["good@example.org"]


def test_server_down_gives_a_clear_failure_and_an_intact_ledger(archive, tmp_path):
    ledger = Ledger(tmp_path / "l.jsonl")
    ledger.record({"partition": "2025-05", "recipient": "a@example.org", "pdf_sha256": "x"})
    before = ledger.path.read_bytes()
    config = SmtpConfig(host="127.0.0.1", port=free_port(), tls="none", timeout_s=2)
    report = deliver(archive, ["a@example.org"], "f@example.org", SmtpTransport(config), ledger,
                     retries=2, sleep=lambda s: None)
    assert not report.ok and report.attempts["a@example.org"] == 3
    assert "cannot reach SMTP server 127.0.0.1" in report.failed["a@example.org"]
    assert ledger.path.read_bytes() == before


def test_credentials_never_appear_in_reports_or_logs(smtp_server, archive, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    handler = Recorder()
    config = smtp_server(handler, auth=True)
    assert PASSWORD not in repr(config) and PASSWORD not in str(config)
    assert PASSWORD not in f"{config.password} {config.password!r}"
    report = deliver(archive, ["a@example.org"], "f@example.org", SmtpTransport(config),
                     Ledger(tmp_path / "l.jsonl"), sleep=lambda s: None)
    assert report.ok, report.failed
    wrong = SmtpConfig(host=config.host, port=config.port, tls="none", user="flopcast",
                       password=type(config.password)("not-the-password"), timeout_s=5)
    bad = deliver(archive, ["b@example.org"], "f@example.org", SmtpTransport(wrong),
                  None, sleep=lambda s: None)
    assert "login refused" in bad.failed["b@example.org"]
    everything = caplog.text + report.summary() + bad.summary() + (tmp_path / "l.jsonl").read_text()
    assert PASSWORD not in everything and "not-the-password" not in everything


def test_outbox_when_no_smtp_host(archive, tmp_path):
    settings = mail_settings_from_env({"FLOPCAST_MAIL_TO": "a@example.org, b@example.org"})
    assert settings.smtp is None and settings.recipients == ("a@example.org", "b@example.org")
    report = deliver(archive, settings.recipients, settings.sender, OutboxTransport(tmp_path / "outbox"),
                     Ledger(tmp_path / "l.jsonl"))
    eml = tmp_path / "outbox" / "2025-06" / "a@example.org.eml"
    assert report.ok and eml.exists()
    parsed = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert next(parsed.iter_attachments()).get_content() == archive.pdf


def test_bad_configuration_is_reported_clearly():
    with pytest.raises(DeliveryError, match=r"^FLOPCAST_SMTP_TLS='tls1.3' is not one of starttls, ssl, none$"):
        mail_settings_from_env({"FLOPCAST_SMTP_HOST": "mail", "FLOPCAST_SMTP_TLS": "tls1.3"})
    with pytest.raises(DeliveryError, match=r"^FLOPCAST_SMTP_PORT='x' is not a whole number$"):
        mail_settings_from_env({"FLOPCAST_SMTP_HOST": "mail", "FLOPCAST_SMTP_PORT": "x", "FLOPCAST_SMTP_PASSWORD": PASSWORD})
    with pytest.raises(DeliveryError, match=r"^not an email address: 'nobody'$"):
        mail_settings_from_env({"FLOPCAST_MAIL_TO": "a@example.org, nobody"})


def test_port_by_tls_mode_and_the_process_environment_not_consulted(monkeypatch):
    monkeypatch.setenv("FLOPCAST_SMTP_HOST", "elsewhere.example.org")
    assert mail_settings_from_env({}).smtp is None
    ports = {tls: mail_settings_from_env({"FLOPCAST_SMTP_HOST": " mail ", "FLOPCAST_SMTP_TLS": tls.upper()}).smtp
             for tls in ("starttls", "ssl", "none")}
    assert {tls: (smtp.host, smtp.port, smtp.tls) for tls, smtp in ports.items()} == {
        "starttls": ("mail", 587, "starttls"), "ssl": ("mail", 465, "ssl"), "none": ("mail", 25, "none")}
    assert mail_settings_from_env({"FLOPCAST_SMTP_HOST": "mail", "FLOPCAST_SMTP_PORT": "2525"}).smtp.port == 2525


def test_archive_loading_names_the_missing_brief(tmp_path):
    with pytest.raises(DeliveryError, match="no complete brief"):
        BriefArchive.load(tmp_path / "2025-06")
    folder = tmp_path / "2025-06"
    folder.mkdir()
    (folder / "brief.pdf").write_bytes(b"%PDF")
    (folder / "metrics.json").write_text(json.dumps({"takeaways": []}))
    assert BriefArchive.load(folder).partition == "2025-06"


def test_subject_carries_the_headline_and_its_change_and_the_body_the_top_changes():
    from reports.mail_message import compose

    metrics = {"partition": "2026-10", "scenario": "base", "snapshot_hash": "ab" * 32, "takeaways": ["t"],
               "metrics": {"inference_share_accelerator_hours_now": {
                   "value": 0.613, "unit": "share", "label": "x", "p10": 0.5, "p90": 0.7, "year": 2026}},
               "changes": [{"name": "inference_share_accelerator_hours_now", "label": "inference share, 2026",
                            "before": "58%", "after": "61%", "delta": "+3.1 points"},
                           {"name": "a", "label": "A", "before": "1", "after": "2", "delta": "+100%"},
                           {"name": "b", "label": "B", "before": "1", "after": "3", "delta": "+200%"},
                           {"name": "c", "label": "C", "before": "1", "after": "4", "delta": "+300%"}]}
    archive = BriefArchive(partition="2026-10", pdf=b"%PDF-1.7", metrics=metrics)
    message = compose(archive, "f@example.org", "r@example.org")
    assert message["Subject"] == ("AI compute 2026-10: inference 61% of generative accelerator-hours in 2026 "
                                  "(+3.1 pts)")
    body = message.get_body(("plain",)).get_content()
    assert "Top changes since the last brief" in body and "B: 1 -> 3 (+200%)" in body and "C: 1" not in body
    test_copy = compose(archive, "f@example.org", "r@example.org", note="test copy")
    assert test_copy["Subject"].startswith("[TEST COPY] AI compute 2026-10")
    first = BriefArchive(partition="2026-10", pdf=b"%PDF-1.7", metrics={**metrics, "changes": []})
    assert compose(first, "f@example.org", "r@example.org")["Subject"].endswith("accelerator-hours in 2026")


def test_each_operator_alert_is_a_file_of_its_own_in_the_outbox(tmp_path):
    """Two alerts to the same operator within one second: both stay, neither overwrites the other
    (the second used to replace the first, unread)."""
    from reports.mail_message import compose_alert

    outbox = OutboxTransport(tmp_path / "outbox")
    first = outbox.send(compose_alert("f@example.org", "ops@example.org", "run failed", "one"))
    second = outbox.send(compose_alert("f@example.org", "ops@example.org", "run failed", "two"))
    files = sorted((tmp_path / "outbox" / "alerts").glob("*.eml"))
    assert len(files) == 2 and first != second
    bodies = {email.message_from_bytes(p.read_bytes(), policy=policy.default).get_content().strip() for p in files}
    assert bodies == {"one", "two"}
    assert all(p.name.endswith("-ops@example.org.eml") for p in files)
