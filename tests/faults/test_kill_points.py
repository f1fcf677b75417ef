"""Runs killed for real (SIGKILL of the process) at every stage, then re-run.

Kill points are deterministic (``FLOPCAST_FAULT_KILL_AT``, see ``orchestration/faults.py``), except
one kill in the middle of the dbt build, timed on the dbt child being at work. After each kill:
no half-written landing file, the published warehouse opens and is the old version, the brief
archive is the old one whole; the next run completes and publishes the new version; and across
a killed delivery and its re-run, no recipient gets the brief twice.
"""

import json
import os
import signal
import subprocess

import pytest

from common.processes import alive, children_of
from models.run import DEFAULT_SEED
from orchestration.faults import ENV as KILL_AT
from orchestration.faults import POINTS
from orchestration.settings import PROJECT_ROOT, load_settings
from orchestration.steps.delivery import deliver_brief
from reports.mail_settings import mail_settings_from_env
from tests.conftest import E2E_MONTH
from tests.faults.conftest import (
    FLOPCAST,
    Inbox,
    assert_archive_complete,
    assert_landing_complete,
    assert_no_scratch,
    completed,
    env_for,
    killed,
    latest_of,
    plain_cmd,
    run,
    sha256,
    smtp_env,
    stages_cmd,
    tree_digest,
    wait_for,
    warehouse_version,
)

pytestmark = pytest.mark.e2e

OLD = {"p100_tdp_w": 300.0, "seeds": [DEFAULT_SEED]}


def _dbt_child(pid: int) -> int | None:
    for child in children_of(pid):
        try:
            args = open(f"/proc/{child}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"dbt") for a in args) and b"build" in args:
            return child
    return None


def test_every_kill_point_is_placed_once():
    code = "".join(p.read_text() for folder in ("orchestration", "reports")
                   for p in (PROJECT_ROOT / folder).rglob("*.py"))
    assert all(code.count(f'checkpoint("{point}")') == 1 for point in POINTS)


def test_killed_during_ingest_and_dbt_then_a_rerun_completes(home, changed_snapshot, tmp_path):
    env = env_for(home, FLOPCAST_SNAPSHOT_DIR=str(changed_snapshot))
    warehouse = home / "warehouse.duckdb"
    old_warehouse, old_brief = sha256(warehouse), tree_digest(home / "briefs" / E2E_MONTH)
    old_latest = latest_of(home, "snapshot_accelerators")
    old_metrics = json.loads((home / "briefs" / E2E_MONTH / "metrics.json").read_text())
    assert warehouse_version(home) == OLD
    folder = home / "landing" / "snapshot_accelerators"
    before = {p.name for p in folder.iterdir()}

    # 1. ingest: the changed file is landed, the run dies before LATEST moves.
    killed(run(plain_cmd(), {**env, KILL_AT: "landing.before_latest"}))
    assert_landing_complete(home)
    new_sha = sha256(changed_snapshot / "accelerators.csv")
    assert {p.name for p in folder.iterdir()} - before == {f"{new_sha}.csv", f"{new_sha}.csv.json"}
    assert latest_of(home, "snapshot_accelerators") == old_latest
    assert sha256(warehouse) == old_warehouse
    assert tree_digest(home / "briefs" / E2E_MONTH) == old_brief

    # 2. dbt, for real: SIGKILL the run while its dbt child is writing the scratch warehouse.
    log = (tmp_path / "mid_dbt.log").open("w")
    proc = subprocess.Popen(plain_cmd(), env=env, cwd=PROJECT_ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: _dbt_child(proc.pid) is not None, 90), "dbt never started"
        dbt = _dbt_child(proc.pid)
        wal = home / "warehouse.scratch.duckdb.wal"
        wait_for(wal.exists, 30)  # dbt is writing (best effort: kill anyway after the wait)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -9
    assert wait_for(lambda: not alive(dbt), 3), "dbt outlived the killed run (it would write the next run's copy)"
    # Past ingest, but LATEST moves only when the run publishes (a file that might fail the
    # blocking tests is never the fallback).
    assert latest_of(home, "snapshot_accelerators") == old_latest
    assert_landing_complete(home)
    assert sha256(warehouse) == old_warehouse and warehouse_version(home) == OLD

    assert (home / "warehouse.scratch.duckdb").exists()  # the dead run's copy, never published
    assert tree_digest(home / "briefs" / E2E_MONTH) == old_brief
    # (A kill after dbt finished, "dbt.before_publish", leaves the same: since the brief is the
    # run's one publish point, dbt publishes nothing in a full run. make kill-test covers it.)

    # 3. The re-run completes and publishes the new version everywhere.
    completed(run(plain_cmd(), env))
    assert warehouse_version(home) == {**OLD, "p100_tdp_w": 299.0}
    assert_no_scratch(home)
    assert_landing_complete(home)
    metrics = assert_archive_complete(home)
    assert metrics["snapshot_hash"] != old_metrics["snapshot_hash"]


def test_killed_in_the_model_stage_then_a_rerun_completes(home):
    old_warehouse, old_brief = sha256(home / "warehouse.duckdb"), tree_digest(home / "briefs" / E2E_MONTH)

    killed(run(stages_cmd("model", "brief", seed=7), {**env_for(home), KILL_AT: "model.before_publish"}))
    assert sha256(home / "warehouse.duckdb") == old_warehouse
    assert warehouse_version(home) == OLD  # the partition's model rows are the old run's, all of them
    assert tree_digest(home / "briefs" / E2E_MONTH) == old_brief

    completed(run(stages_cmd("model", "brief", seed=7), env_for(home)))
    assert warehouse_version(home) == {**OLD, "seeds": [7]}
    assert_no_scratch(home)
    assert assert_archive_complete(home)["seed"] == 7


def test_killed_before_and_during_the_publish_then_a_rerun_completes(home):
    old_warehouse, old_brief = sha256(home / "warehouse.duckdb"), tree_digest(home / "briefs" / E2E_MONTH)

    # 1. The brief is staged, not swapped in: nothing of the run is visible (the model's tables
    #    were staged for the brief, never published: one publish point per run).
    killed(run(stages_cmd("model", "brief", seed=7), {**env_for(home), KILL_AT: "archive.before_swap"}))
    assert sha256(home / "warehouse.duckdb") == old_warehouse and warehouse_version(home) == OLD
    assert tree_digest(home / "briefs" / E2E_MONTH) == old_brief  # the old brief, whole
    assert assert_archive_complete(home, temp_ok=True)["seed"] == DEFAULT_SEED
    assert [p for p in (home / "briefs").iterdir() if p.name.startswith(".")]  # the dead run's staging

    # 2. The one instant a run is half visible: the new brief, whole, beside the old warehouse, whole.
    killed(run(stages_cmd("model", "brief", seed=7), {**env_for(home), KILL_AT: "run.before_warehouse_publish"}))
    assert assert_archive_complete(home)["seed"] == 7  # whole, and the first run's temp folder is gone
    assert sha256(home / "warehouse.duckdb") == old_warehouse and warehouse_version(home) == OLD

    # 3. The next run completes and publishes both.
    completed(run(stages_cmd("model", "brief", seed=7), env_for(home)))
    assert assert_archive_complete(home)["seed"] == 7 and warehouse_version(home) == {**OLD, "seeds": [7]}
    assert_no_scratch(home)


def test_killed_between_send_and_ledger_no_duplicate_and_unconfirmed_is_reported(home, smtp):
    inbox = Inbox()
    env = env_for(home, **smtp_env(smtp(inbox), "a@example.org,b@example.org"))
    deliver = [FLOPCAST, "deliver", "--month", E2E_MONTH]
    ledger = home / "delivery" / "ledger.jsonl"
    intents = home / "delivery" / "ledger.intents.jsonl"

    # The server accepts the message for a@; the run dies before the ledger records it.
    killed(run(deliver, {**env, KILL_AT: "delivery.after_send"}))
    assert inbox.to() == ["a@example.org"]
    message_id = inbox.messages[0]["Message-ID"]
    assert not ledger.exists() or ledger.read_text() == ""
    journal = [json.loads(line) for line in intents.read_text().splitlines()]
    assert [(j["status"], j["recipient"], j["message_id"]) for j in journal] == [
        ("sending", "a@example.org", message_id)]

    # The re-run sends b@ and does not resend a@: it says the outcome is unknown, and what to do.
    again = run(deliver, env)
    assert again.returncode == 1, again.stderr[-3000:]
    line = next(line for line in again.stdout.splitlines() if "a@example.org" in line)
    assert "FAILED" in line and "unconfirmed" in line and message_id in line
    assert "check the inbox; --resend to send again" in line
    assert "sent     b@example.org" in again.stdout
    assert sorted(inbox.to()) == ["a@example.org", "b@example.org"]  # one each: no duplicate
    assert [e["recipient"] for e in map(json.loads, ledger.read_text().splitlines())] == ["b@example.org"]

    # Still unconfirmed on every later run, never resent silently.
    report = deliver_brief(load_settings(env), mail_settings_from_env(env), E2E_MONTH,
                                    backoff_s=0)
    assert report.unconfirmed == ["a@example.org"] and report.skipped == ["b@example.org"]
    assert report.sent == {} and len(inbox.messages) == 2

    # The operator checked the inbox and asks for it again: sent once more, then recorded.
    resend = run(deliver + ["--resend"], {**env, "FLOPCAST_MAIL_TO": "a@example.org"})
    completed(resend)
    assert sorted(inbox.to()) == ["a@example.org", "a@example.org", "b@example.org"]
    report = deliver_brief(load_settings(env), mail_settings_from_env(env), E2E_MONTH)
    assert report.ok and report.sent == {} and report.skipped == ["a@example.org", "b@example.org"]
