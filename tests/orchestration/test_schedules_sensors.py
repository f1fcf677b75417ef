"""Schedules and sensors evaluated with Dagster's test contexts."""

import datetime as dt

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    MaterializeResult,
    Definitions,
    asset,
    build_run_status_sensor_context,
    build_schedule_context,
    define_asset_job,
)

from orchestration.definitions import defs
from orchestration.resources import MailResource, WarehouseResource
from orchestration.sensors import failure_alert, missing_brief_decision, run_failure_alert


def test_monthly_schedule_requests_the_previous_month_with_delivery():
    schedule = defs.resolve_schedule_def("monthly_brief_schedule")
    assert schedule.cron_schedule == "0 6 1 * *" and schedule.execution_timezone in (None, "UTC")
    assert schedule.default_status.value == "RUNNING"
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2025, 7, 1, 6, 0, tzinfo=dt.UTC))
        requests = list(schedule.evaluate_tick(context).run_requests)
    assert len(requests) == 1 and requests[0].partition_key == "2025-06"
    job = defs.resolve_job_def(schedule.job_name)
    assert job.name == "monthly_brief_job"
    keys = job.asset_layer.asset_graph.get_all_asset_keys()
    assert AssetKey(["delivery", "brief_email"]) in keys and AssetKey(["brief", "monthly_brief"]) in keys


def test_weekly_ingest_schedule_selects_only_sources():
    schedule = defs.resolve_schedule_def("weekly_ingest_schedule")
    assert schedule.cron_schedule == "0 5 * * 1" and schedule.default_status.value == "RUNNING"
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2025, 7, 7, 5, 0, tzinfo=dt.UTC))
        requests = list(schedule.evaluate_tick(context).run_requests)
    assert len(requests) == 1 and requests[0].job_name in (None, "ingest_job")
    job = defs.resolve_job_def("ingest_job")
    executable = {k for k in job.asset_layer.asset_graph.get_all_asset_keys()
                  if job.asset_layer.asset_graph.get(k).is_executable}
    assert executable and all(k.path[0] == "raw" for k in executable)


def test_brief_job_does_not_email():
    job = defs.resolve_job_def("brief_job")
    assert AssetKey(["delivery", "brief_email"]) not in {
        k for k in job.asset_layer.asset_graph.get_all_asset_keys()
        if job.asset_layer.asset_graph.get(k).is_executable}


@pytest.mark.parametrize(
    ("today", "missing", "cursor", "expected"),
    [
        (dt.date(2025, 7, 2), True, None, None),          # not due yet
        (dt.date(2025, 7, 3), False, None, None),         # archived
        (dt.date(2025, 7, 3), True, None, "2025-06"),     # due and missing: alert
        (dt.date(2025, 7, 20), True, "2025-06", None),    # already alerted this month
        (dt.date(2025, 8, 5), True, "2025-06", "2025-07"),
    ],
)
def test_missing_brief_decision(today, missing, cursor, expected):
    partition, reason = missing_brief_decision(today, lambda p: missing, cursor)
    assert partition == expected and reason


def _failed_run(instance, with_failing_check: bool):
    @asset(check_specs=[AssetCheckSpec("range", asset="thing", blocking=True)])
    def thing():
        if not with_failing_check:
            raise RuntimeError("boom: the source file is corrupt")
        yield MaterializeResult()
        yield AssetCheckResult(check_name="range", passed=False)

    @asset(deps=[thing])
    def downstream():
        return None

    job = define_asset_job("probe_job", selection=[thing, downstream])
    result = Definitions(assets=[thing, downstream], jobs=[job]).resolve_job_def("probe_job") \
        .execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    return result


@pytest.mark.parametrize("with_failing_check", [False, True])
def test_run_failure_alert_emails_the_operator(tmp_path, monkeypatch, with_failing_check):
    monkeypatch.setenv("FLOPCAST_HOME", str(tmp_path))
    with DagsterInstance.ephemeral() as instance:
        result = _failed_run(instance, with_failing_check)
        failure = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)[0]
        with build_run_status_sensor_context(
            sensor_name="run_failure_alert", dagster_event=failure.dagster_event,
            dagster_instance=instance, dagster_run=result.dagster_run,
            resources={"warehouse": WarehouseResource(),
                       "mail": MailResource(operator_email="ops@example.org", mail_from="f@example.org")},
        ) as context:
            run_failure_alert(context.for_run_failure())
    alerts = list((tmp_path / "outbox" / "alerts").glob("*.eml"))
    assert len(alerts) == 1
    text = alerts[0].read_text()
    assert "ops@example.org" in text and "[flopcast alert]" in text
    if with_failing_check:
        assert "blocked by failing check" in text and "thing/range" in text
    else:
        assert "run failed: probe_job" in text and "boom" in text


def test_failure_alert_text():
    subject, body = failure_alert("r1", "monthly_brief_job", "step failed", ["marts/dim_accelerator/x"])
    assert subject.startswith("brief blocked by failing check(s)") and "marts/dim_accelerator/x" in body
    subject, body = failure_alert("r1", "ingest_job", "boom", [])
    assert subject == "run failed: ingest_job" and "boom" in body
