"""Operator alerts are plain text (no ANSI colour codes from dbt or Dagster error messages) and
link to the run in the Dagster UI when FLOPCAST_UI_URL is set."""

from email import message_from_bytes, policy

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, build_run_status_sensor_context
from dagster._core.events import DagsterEvent, DagsterEventType
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.resources import MailResource
from orchestration.sensors import failure_alert, run_failure_alert
from orchestration.steps.delivery import plain_text
from reports.mail_settings import DeliveryError, mail_settings_from_env

RED, BOLD_YELLOW, RESET = "\x1b[31m", "\x1b[1;33m", "\x1b[0m"


@pytest.mark.parametrize(("coloured", "plain"), [
    (f"{RED}Database Error{RESET} in model {BOLD_YELLOW}fct_x{RESET}", "Database Error in model fct_x"),
    ("\x1b]8;;https://docs.getdbt.com\x1b\\docs\x1b]8;;\x1b\\ here", "docs here"),  # OSC 8 hyperlink
    ("\x1b[2K\x1b[1Gprogress\r\ndone", "progress\ndone"),  # erase line, cursor to column 1, CRLF
    ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
])
def test_plain_text_strips_escape_sequences(coloured, plain):
    assert plain_text(coloured) == plain


@settings(deadline=None, max_examples=200)
@given(st.lists(st.one_of(st.text(), st.sampled_from([RED, BOLD_YELLOW, RESET, "\x1b[38;5;208m", "\x1b(B"]))))
def test_plain_text_leaves_no_control_characters(parts):
    text = plain_text("".join(parts))
    assert not any(ord(c) < 32 and c not in "\t\n" or 0x7f <= ord(c) <= 0x9f for c in text)
    assert plain_text(text) == text


@settings(deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc",))))
def test_plain_text_keeps_text_without_control_characters(text):
    assert plain_text(text) == text


def test_failure_alert_links_the_run_when_the_ui_url_is_known():
    _, body = failure_alert("r-42", "monthly_brief_job", "boom", [], ui_url="https://dagster.example.org")
    assert "https://dagster.example.org/runs/r-42" in body
    _, body = failure_alert("r-42", "monthly_brief_job", "boom", [])
    assert "http" not in body and "r-42" in body


def test_ui_url_variable_is_checked_and_normalised():
    assert mail_settings_from_env({"FLOPCAST_UI_URL": " https://dagster.example.org/ "}).ui_url \
        == "https://dagster.example.org"
    assert mail_settings_from_env({}).ui_url == ""
    with pytest.raises(DeliveryError, match=r"^FLOPCAST_UI_URL='dagster.example.org' is not an http\(s\) URL"):
        mail_settings_from_env({"FLOPCAST_UI_URL": "dagster.example.org"})


def test_run_failure_alert_is_plain_text_with_a_link_to_the_run(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOPCAST_HOME", str(tmp_path))
    monkeypatch.setenv("FLOPCAST_UI_URL", "https://dagster.example.org/")
    run = DagsterRun(job_name="monthly_brief_job", run_id="0f1e2d3c", status=DagsterRunStatus.FAILURE)
    event = DagsterEvent(event_type_value=DagsterEventType.RUN_FAILURE.value, job_name=run.job_name,
                         message=f"{RED}Runtime Error{RESET} in test {BOLD_YELLOW}not_null_x{RESET}")
    with DagsterInstance.ephemeral() as instance:
        with build_run_status_sensor_context(
            sensor_name="run_failure_alert", dagster_event=event, dagster_instance=instance, dagster_run=run,
            resources={"mail": MailResource(operator_email="ops@example.org", mail_from="f@example.org")},
        ) as context:
            run_failure_alert(context.for_run_failure())
    [alert] = (tmp_path / "outbox" / "alerts").glob("*.eml")
    raw = alert.read_bytes()
    assert b"\x1b" not in raw
    body = message_from_bytes(raw, policy=policy.default).get_content()
    assert "Error: Runtime Error in test not_null_x" in body
    assert "https://dagster.example.org/runs/0f1e2d3c" in body
