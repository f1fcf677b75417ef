"""Alerts to the operator (FLOPCAST_OPERATOR_EMAIL), sent with the project's own delivery code
(Dagster's ready-made email sensor insists on TLS and login).

- run failure: any failed run of this code location; when the run failed because a blocking
  check failed, the subject says the brief was blocked and names the checks.
- missing brief: past the due day, last month's brief is not in the archive (one alert per month).

Neither sensor takes the run lock (no ``WarehouseResource``: its set-up acquires the lock for the
length of a run). An alert reads the archive and the run's events and writes only an email or an
outbox file, never the warehouse, so it goes out while a long run holds the lock, instead of the
evaluation waiting on the lock and timing out as a sensor error.

Alerts are plain text (``send_alert`` strips ANSI colour codes) and, when ``FLOPCAST_UI_URL`` is
set, link to the run (``<FLOPCAST_UI_URL>/runs/<run id>``) or to the runs page.
"""

from datetime import UTC, date, datetime

from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    EventRecordsFilter,
    RunFailureSensorContext,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from common.errors import root_cause
from orchestration.partitions import latest_complete_month
from orchestration.resources import MailResource
from orchestration.settings import load_settings
from orchestration.steps.brief import brief_is_missing
from orchestration.steps.delivery import plain_text, send_alert

DUE_DAY = 3  # the monthly run is on the 1st; by the 3rd (UTC) the brief must exist


def failed_checks(instance, run_id: str) -> list[str]:
    """Names of the asset checks that failed in ``run_id`` (``asset/check``)."""
    records = instance.get_event_records(
        EventRecordsFilter(event_type=DagsterEventType.ASSET_CHECK_EVALUATION), limit=5000
    )
    names = []
    for record in records:
        entry = record.event_log_entry
        if entry.run_id != run_id:
            continue
        evaluation = entry.dagster_event.event_specific_data
        if not evaluation.passed:
            names.append(f"{evaluation.asset_key.to_user_string()}/{evaluation.check_name}")
    return sorted(set(names))


def step_errors(instance, run_id: str) -> list[str]:
    """'step: root-cause message' for each failed step of ``run_id``."""
    errors = []
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE):
        error = root_cause(entry.dagster_event.step_failure_data.error)
        text = plain_text((error.message if error else "") or "").strip().splitlines()
        errors.append(f"{entry.step_key}: {text[-1] if text else 'failed'}")
    return errors


def failure_alert(run_id: str, job_name: str, message: str, checks: list[str],
                  errors: list[str] = (), ui_url: str = "") -> tuple[str, str]:
    """(subject, body) of a run-failure alert; with ``ui_url`` (the Dagster UI) a link to the run."""
    if checks:
        subject = f"brief blocked by failing check(s) in {job_name}: {', '.join(checks[:3])}"
    else:
        subject = f"run failed: {job_name}"
    body = "\n".join([
        f"Job: {job_name}",
        f"Run: {run_id}",
        f"Error: {message}",
        *(["Failed steps:", *(f"  - {e}" for e in errors)] if errors else []),
        *(["Failed checks:", *(f"  - {c}" for c in checks)] if checks else []),
        "",
        "Nothing was published: the last good warehouse and brief are unchanged.",
        f"Full log: {ui_url}/runs/{run_id}" if ui_url
        else "Open the run in the Dagster UI (make ui) for the full log.",
    ])
    return subject, body


@run_failure_sensor(name="run_failure_alert", default_status=DefaultSensorStatus.RUNNING,
                    description="Email the operator when a run fails or a blocking check stops the brief.")
def run_failure_alert(context: RunFailureSensorContext, mail: MailResource):
    settings = mail.mail_settings()
    if not settings.operator:
        return SkipReason("no FLOPCAST_OPERATOR_EMAIL configured")
    run = context.dagster_run
    message = context.failure_event.message or "run failed"
    subject, body = failure_alert(run.run_id, run.job_name, message,
                                  failed_checks(context.instance, run.run_id),
                                  step_errors(context.instance, run.run_id), settings.ui_url)
    where = send_alert(load_settings(), settings, subject, body)
    context.log.info(f"alert sent to the operator ({where})")


def missing_brief_decision(today: date, brief_missing, cursor: str | None) -> tuple[str | None, str]:
    """(partition to alert about or None, reason). ``brief_missing(partition) -> bool``."""
    partition = latest_complete_month(today)
    if today.day < DUE_DAY:
        return None, f"{partition} is not due until day {DUE_DAY}"
    if not brief_missing(partition):
        return None, f"the {partition} brief is archived"
    if cursor == partition:
        return None, f"already alerted for {partition}"
    return partition, f"the {partition} brief is missing"


@sensor(name="missing_brief_alert", minimum_interval_seconds=3600,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Email the operator if last month's brief is not archived by day {DUE_DAY}.")
def missing_brief_alert(context: SensorEvaluationContext, mail: MailResource):
    settings = load_settings()
    partition, reason = missing_brief_decision(
        datetime.now(UTC).date(), lambda p: brief_is_missing(settings, p), context.cursor)
    if partition is None:
        return SkipReason(reason)
    mail_settings = mail.mail_settings()
    if not mail_settings.operator:
        return SkipReason(f"{reason}; no FLOPCAST_OPERATOR_EMAIL configured")
    send_alert(
        settings, mail_settings, reason,
        f"The brief for {partition} was due by day {DUE_DAY} of the next month and is not in "
        f"{settings.briefs_dir / partition}. Check the monthly_brief_job runs in the Dagster UI"
        + (f": {mail_settings.ui_url}/runs" if mail_settings.ui_url else "."),
    )
    context.update_cursor(partition)
    return SkipReason(f"alerted the operator: {reason}")


sensors = [run_failure_alert, missing_brief_alert]
