"""The delivery asset through Dagster against a loopback SMTP server: the brief arrives with the
PDF and the takeaways; a second materialisation sends nothing."""

import email
import json
from email import policy

import pytest
from aiosmtpd.controller import Controller

from common.processes import free_port
from tests.conftest import E2E_MONTH

pytestmark = pytest.mark.e2e


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def test_scheduled_delivery_sends_once(cli_brief, monkeypatch):
    from dagster import AssetKey, DagsterInstance

    from orchestration.definitions import defs
    from orchestration.resources import MailResource

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {"FLOPCAST_HOME": str(cli_brief["home"]), "FLOPCAST_SMTP_HOST": "127.0.0.1",
           "FLOPCAST_SMTP_PORT": str(controller.port), "FLOPCAST_SMTP_TLS": "none",
           "FLOPCAST_MAIL_FROM": "flopcast@example.org", "FLOPCAST_MAIL_TO": "a@example.org,b@example.org"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    job = defs.resolve_job_def("monthly_brief_job").get_subset(
        asset_selection={AssetKey(["delivery", "brief_email"])})
    resources = {"mail": MailResource.from_env()}
    try:
        with DagsterInstance.ephemeral() as instance:
            for _ in range(2):
                result = job.execute_in_process(partition_key=E2E_MONTH, instance=instance,
                                                resources=resources, raise_on_error=False)
                assert result.success
            metadata = [m.metadata for m in (e.materialization for e in result.get_asset_materialization_events())]
    finally:
        controller.stop()
    assert len(inbox.messages) == 2  # the second materialisation sent nothing
    assert metadata[-1]["sent"].value == 0 and metadata[-1]["already_delivered"].value == 2
    message = inbox.messages[0]
    assert message["To"] in ("a@example.org", "b@example.org") and E2E_MONTH in message["Subject"]
    attachment = next(message.iter_attachments())
    assert attachment.get_content() == cli_brief["pdf"].read_bytes()
    takeaways = json.loads((cli_brief["archive"] / "metrics.json").read_text())["takeaways"]
    body = " ".join(message.get_body(("plain",)).get_content().split())
    assert takeaways and all(" ".join(t.split()) in body for t in takeaways)
    ledger = (cli_brief["home"] / "delivery" / "ledger.jsonl").read_text().splitlines()
    assert len(ledger) == 2
