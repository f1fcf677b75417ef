"""The alert sensors never take the run lock: while a long run holds it (another process), both
sensors still evaluate at once and email the operator. An alert does not write the warehouse."""

import subprocess
import sys
import time

import pytest
from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    build_run_status_sensor_context,
    build_sensor_context,
)
from dagster._core.events import DagsterEvent, DagsterEventType

from orchestration.definitions import defs
from orchestration.resources import MailResource, WarehouseResource
from orchestration.sensors import missing_brief_alert, run_failure_alert

HOLD = """
import fcntl, sys
handle = open(sys.argv[1], "a")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def run_in_progress(tmp_path, monkeypatch):
    """Another process holds ``$FLOPCAST_HOME/run.lock`` (flock, as filelock takes it) like a long run."""
    monkeypatch.setenv("FLOPCAST_HOME", str(tmp_path))
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "run.lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield tmp_path
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


# The resources as production wires them, except that the warehouse gives up at once instead of
# after ten minutes: an evaluation that asks for the run lock fails instead of hanging the test.
# Like the code server (dagster/_grpc/impl.py), build only the ones the sensor requires.
def _resources(sensor):
    resources = {"warehouse": WarehouseResource(lock_timeout_s=0),
                 "mail": MailResource(operator_email="ops@example.org", mail_from="f@example.org")}
    return {key: value for key, value in resources.items() if key in sensor.required_resource_keys}


def _alerts(home):
    return sorted((home / "outbox" / "alerts").glob("*.eml"))


def test_no_sensor_of_the_definitions_requires_the_warehouse_resource():
    for sensor in defs.sensors:
        assert "warehouse" not in sensor.required_resource_keys, sensor.name


def test_missing_brief_alert_sends_while_a_run_holds_the_lock(run_in_progress):
    started = time.monotonic()
    with build_sensor_context(resources=_resources(missing_brief_alert), cursor=None) as context:
        result = missing_brief_alert(context)
    assert time.monotonic() - started < 5
    # the bundled month is never archived in an empty home: past the due day it alerts,
    # before it it skips; either way it answered without the lock
    assert "alerted the operator" in result.skip_message or "not due" in result.skip_message


def test_run_failure_alert_sends_while_a_run_holds_the_lock(run_in_progress):
    run = DagsterRun(job_name="monthly_brief_job", run_id="abc123", status=DagsterRunStatus.FAILURE)
    event = DagsterEvent(event_type_value=DagsterEventType.RUN_FAILURE.value, job_name=run.job_name,
                         message="boom")
    with DagsterInstance.ephemeral() as instance:
        with build_run_status_sensor_context(
            sensor_name="run_failure_alert", dagster_event=event, dagster_instance=instance,
            dagster_run=run, resources=_resources(run_failure_alert),
        ) as context:
            run_failure_alert(context.for_run_failure())
    assert len(_alerts(run_in_progress)) == 1
