import multiprocessing
import time

import pytest

from orchestration.warehouse import RunInProgressError, RunLock, connect, scratch_path, staged


def _write(path, value):
    with connect(path) as con:
        con.execute("create or replace table t as select ? as v", [value])


def _read(path):
    with connect(path, read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def test_staged_publishes_on_success_only(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    with staged(db) as scratch:
        assert scratch == scratch_path(db)
        _write(scratch, 1)
    assert _read(db) == 1
    before = db.read_bytes()
    with pytest.raises(RuntimeError, match="boom"):
        with staged(db) as scratch:
            _write(scratch, 2)
            raise RuntimeError("boom")
    assert db.read_bytes() == before and _read(db) == 1
    assert not scratch_path(db).exists()


def _hold_lock(path, ready, release):
    with RunLock(path):
        ready.set()
        release.wait(10)


def test_run_lock_refuses_a_second_run_and_frees_on_exit(tmp_path):
    lock_path = tmp_path / "run.lock"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(lock_path, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(RunInProgressError, match="another flopcast run is in progress"):
            RunLock(lock_path).acquire()
        start = time.monotonic()
        with pytest.raises(RunInProgressError):
            RunLock(lock_path, timeout_s=0.5, poll_s=0.05).acquire()
        assert time.monotonic() - start >= 0.5
    finally:
        release.set()
        holder.join(10)
    with RunLock(lock_path, timeout_s=2):
        pass


def test_run_lock_is_released_when_the_holder_is_killed(tmp_path):
    lock_path = tmp_path / "run.lock"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(lock_path, ready, release))
    holder.start()
    assert ready.wait(10)
    holder.kill()
    holder.join(10)
    with RunLock(lock_path, timeout_s=2):
        pass


def test_a_run_publishes_raw_and_models_together(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    with staged(db) as scratch:
        _write(scratch, "v1")
    with staged(db, "run-2", publish_on_success=False) as scratch:  # ingest, same run as dbt
        _write(scratch, "v2")
    assert _read(db) == "v1"  # not published yet
    with pytest.raises(RuntimeError):
        with staged(db, "run-2"):  # the build fails: the whole run's writes are discarded
            raise RuntimeError("blocking test failed")
    assert _read(db) == "v1" and not scratch_path(db).exists()
    with staged(db, "run-3", publish_on_success=False) as scratch:
        _write(scratch, "v3")
    with staged(db, "run-3") as scratch:  # same run: sees the ingest's write, then publishes
        assert _read(scratch) == "v3"
    assert _read(db) == "v3"


def test_the_run_plan_knows_each_writing_step_by_its_op_name():
    from orchestration.assets.brief import monthly_brief
    from orchestration.assets.dbt import warehouse_dbt_assets
    from orchestration.assets.model import demand_model
    from orchestration.assets.run_steps import STEP_OF_OP

    assert {warehouse_dbt_assets.op.name: "warehouse", demand_model.op.name: "model",
            monthly_brief.op.name: "brief"} == STEP_OF_OP


def test_previous_metrics_are_read_from_the_archive(tmp_path):
    import json

    from orchestration.steps.brief_history import previous_metrics
    from orchestration.settings import load_settings
    from reports.archive import write_archive

    settings = load_settings({"FLOPCAST_HOME": str(tmp_path)})
    assert previous_metrics(settings, "2025-06") is None  # first brief: nothing to compare
    metrics = {"schema_version": 1, "partition": "2025-05", "metrics": {}}
    write_archive(settings.briefs_dir, "2025-05", {"metrics.json": json.dumps(metrics).encode()})
    assert previous_metrics(settings, "2025-06") == metrics
    assert previous_metrics(settings, "2024-01") is None  # the first partition has no predecessor


def test_a_loser_arriving_before_the_holder_wrote_its_record_still_names_the_holder(tmp_path):
    """The holder writes its record just after taking the lock; a second run that arrives in that
    instant (empty file, or a stale record of an exited holder) waits for the live record."""
    import fcntl
    import json
    import os
    import threading

    lock_path = tmp_path / "run.lock"
    lock_path.write_text(json.dumps({"pid": 2**22 + 12345, "since": "stale"}))  # no such process
    fd = os.open(lock_path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        late = threading.Timer(0.3, lambda: lock_path.write_text(json.dumps({"pid": os.getpid()})))
        late.start()
        with pytest.raises(RunInProgressError, match=f'"pid": {os.getpid()}'):
            RunLock(lock_path).acquire()
        late.join()
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
