"""One publish point per run (issue 15): what a run stages stays invisible until its last writing
step succeeds; a failure or a stop at any step before publishes nothing, landing pointers
included. Library level: small DuckDB files and landing folders in tmp_path."""

import json
import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from common.signals import deferred_signals
from orchestration import warehouse
from orchestration.settings import load_settings
from orchestration.sources import landing
from orchestration.steps.publish import discard_run, publish_run, publishes, reads_from
from orchestration.steps.warehouse_build import stop_dbt


def _settings(tmp_path):
    return load_settings({"FLOPCAST_HOME": str(tmp_path)})


def _write(path, value):
    with warehouse.connect(path) as con:
        con.execute("create or replace table t as select ? as v", [value])


def _read(path):
    with warehouse.connect(path, read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def _land(settings, data: bytes, source="src"):
    return landing.land_bytes(settings.landing_dir, source, data, "csv", url="u", licence="l", mode="live")


@pytest.mark.parametrize("steps, publisher", [
    ({"warehouse", "model", "brief"}, "brief"),
    ({"warehouse", "model"}, "model"),
    ({"warehouse"}, "warehouse"),
    (set(), "ingest"),
    ({"brief"}, "brief"),
])
def test_the_last_writing_step_of_the_run_publishes(steps, publisher):
    assert [s for s in ("ingest", "warehouse", "model", "brief") if s in steps | {"ingest"}
            and publishes(s, steps)] == [publisher]


def test_staged_steps_are_read_by_later_steps_and_published_only_with_the_brief(tmp_path):
    settings = _settings(tmp_path)
    db = settings.duckdb_path
    _write(db, "old")
    with warehouse.staged(db, "run-1", publish_on_success=False) as scratch:  # dbt, then the model
        _write(scratch, "new")
    assert _read(db) == "old"
    assert _read(reads_from(settings, "run-1").duckdb_path) == "new"  # the run's later steps
    assert reads_from(settings, "run-2").duckdb_path == db  # any other run: the published file
    archived = []
    assert publish_run(settings, "run-1", lambda: archived.append("brief") or "target") == "target"
    assert archived == ["brief"] and _read(db) == "new"
    assert not warehouse.scratch_path(db).exists()


def test_a_brief_that_cannot_be_archived_publishes_nothing(tmp_path):
    settings = _settings(tmp_path)
    db = settings.duckdb_path
    _write(db, "old")
    old_file = _land(settings, b"a\n1\n")
    with landing.pending_run("run-1"):
        _land(settings, b"a\n2\n")
    with warehouse.staged(db, "run-1", publish_on_success=False) as scratch:
        _write(scratch, "new")

    def archive():
        raise OSError(28, "No space left on device", str(settings.briefs_dir))

    with pytest.raises(OSError, match="No space left"):
        publish_run(settings, "run-1", archive)
    assert _read(db) == "old" and not warehouse.scratch_path(db).exists()
    assert landing.latest(settings.landing_dir, "src").sha256 == old_file.sha256
    assert not (settings.landing_dir / landing.PENDING_DIR).exists()


def test_latest_moves_only_at_the_publish_point_and_keeps_the_previous_good_file(tmp_path):
    settings = _settings(tmp_path)
    first = _land(settings, b"a\n1\n")  # outside a run: at once
    with landing.pending_run("run-1"):
        second = _land(settings, b"a\n2\n")
    assert landing.latest(settings.landing_dir, "src").sha256 == first.sha256  # landed, not good yet
    with landing.pending_run("run-2"):  # a run that fails its checks: never promoted
        _land(settings, b"a\n3\n")
    assert landing.promote_pending(settings.landing_dir, "run-1") == ["src"]
    assert landing.latest(settings.landing_dir, "src").sha256 == second.sha256
    previous = json.loads((settings.landing_dir / "src" / landing.PREVIOUS).read_text())
    assert previous["sha256"] == first.sha256
    assert not (settings.landing_dir / landing.PENDING_DIR).exists()  # run-2's pointer is gone too
    assert landing.promote_pending(settings.landing_dir, "run-2") == []


def test_a_landing_file_altered_on_disk_is_not_reused(tmp_path):
    settings = _settings(tmp_path)
    first = _land(settings, b"a\n1\n")
    second = _land(settings, b"a\n2\n")
    second.path.write_bytes(b"a\n999\n")  # edited in place
    reused = landing.latest(settings.landing_dir, "src")
    assert reused.sha256 == first.sha256
    assert "does not match its sha256" in reused.note and str(second.path) in reused.note
    first.path.write_bytes(b"a\n0\n")
    with pytest.raises(landing.LandingError, match="does not match its sha256"):
        landing.latest(settings.landing_dir, "src")


@pytest.mark.parametrize("damage", [b"", b'{"source": "src", "pa', b"[]", b'{"path": "x.csv"}'])
def test_a_corrupt_latest_names_itself_and_falls_back_to_the_previous_good_file(tmp_path, damage):
    settings = _settings(tmp_path)
    first = _land(settings, b"a\n1\n")
    _land(settings, b"a\n2\n")
    pointer = settings.landing_dir / "src" / landing.POINTER
    pointer.write_bytes(damage)
    reused = landing.latest(settings.landing_dir, "src")
    assert reused.sha256 == first.sha256 and str(pointer) in reused.note
    (settings.landing_dir / "src" / landing.PREVIOUS).unlink()
    with pytest.raises(landing.LandingError) as raised:
        landing.latest(settings.landing_dir, "src")
    assert str(pointer) in str(raised.value) and "no earlier good file" in str(raised.value)


def test_discard_run_leaves_the_published_state(tmp_path):
    settings = _settings(tmp_path)
    _write(settings.duckdb_path, "old")
    with warehouse.staged(settings.duckdb_path, "run-1", publish_on_success=False) as scratch:
        _write(scratch, "new")
    with landing.pending_run("run-1"):
        _land(settings, b"a\n1\n")
    discard_run(settings)
    assert _read(settings.duckdb_path) == "old" and landing.latest(settings.landing_dir, "src") is None
    assert not warehouse.scratch_path(settings.duckdb_path).exists()


def test_a_stop_signal_during_the_publish_acts_after_it():
    received = []
    previous = signal.signal(signal.SIGTERM, lambda signo, _frame: received.append(("handled", signo)))
    try:
        with deferred_signals():
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGTERM)
            received.append("published")
        assert received == ["published", ("handled", signal.SIGTERM)]  # once, after the publish
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("ignores_sigterm", [False, True])
def test_dbt_still_running_when_its_step_ends_early_is_stopped(ignores_sigterm):
    """SIGTERM, then SIGKILL after the grace period (a dbt started by a process whose SIGTERM was
    ignored inherits the ignore: Dagster maps SIGTERM to SIGINT's handler, SIG_IGN in a
    background job)."""
    disposition = "SIG_IGN" if ignores_sigterm else "SIG_DFL"
    process = subprocess.Popen([sys.executable, "-c", "import signal, sys, time; "
                                f"signal.signal(signal.SIGTERM, signal.{disposition}); "
                                "print(flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
    process.stdout.readline()  # the child's disposition is set
    started = time.monotonic()
    stop_dbt(SimpleNamespace(process=process), grace_s=1)
    assert process.returncode == (-signal.SIGKILL if ignores_sigterm else -signal.SIGTERM)
    assert time.monotonic() - started < 5
    stop_dbt(SimpleNamespace(process=process))  # already gone: nothing to do


def test_the_error_line_of_a_failed_run_says_truthfully_whether_it_had_published(tmp_path):
    from common.clock import utc_now_iso
    from orchestration.run_outcome import outcome_of_failed_run

    settings = _settings(tmp_path)
    started_at = utc_now_iso()
    assert outcome_of_failed_run(settings, started_at) == "the last good warehouse and brief are unchanged"
    publish_run(settings, "run-1")  # e.g. a stop that arrived during the publish acts right after it
    assert "had already published" in outcome_of_failed_run(settings, started_at)
    assert "unchanged" in outcome_of_failed_run(settings, "2999-01-01T00:00:00Z")  # a later run's start


def test_a_cli_run_honours_sigint_even_when_started_with_it_ignored(tmp_path, monkeypatch, capsys):
    """A background job of a script starts with SIGINT ignored, and Python then never raises
    KeyboardInterrupt: Ctrl-C to the group was once ignored and the run went on to publish."""
    from orchestration import cli

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.getsignal(signal.SIGTERM)
    try:
        def interrupted(*_args, **_kwargs):
            assert signal.getsignal(signal.SIGINT) not in (signal.SIG_IGN, signal.SIG_DFL)
            raise KeyboardInterrupt

        monkeypatch.setenv("FLOPCAST_HOME", str(tmp_path))
        monkeypatch.setattr(cli, "ensure_dbt_manifest", lambda settings: None)
        monkeypatch.setattr(cli, "_execute_brief_job", interrupted)
        assert cli.main(["brief", "--month", "2025-06"]) == 1
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line == ("flopcast: error: the brief for 2025-06 was stopped by an interrupt; "
                    "the last good warehouse and brief are unchanged")


def test_an_interrupt_during_a_duckdb_query_stops_the_step_instead_of_being_retried(tmp_path):
    """DuckDB catches a SIGINT during a query and raises RuntimeError('Query interrupted'); the
    ingest step's retry policy retried that, and a run stopped with SIGTERM went on to publish
    (measured: SIGTERM 12 s into a run, exit 0 after 36 s)."""
    import threading

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # (a test worker may ignore it)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt, match="Query interrupted"):
            with warehouse.connect(tmp_path / "w.duckdb") as con:
                con.execute("select count(*) from range(100000000000)").fetchall()
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)


def test_no_step_retries_after_an_interrupt():
    """Dagster re-runs a step that has a retry policy even when SIGINT/SIGTERM interrupted it
    (dagster/_core/execution/plan/utils.py): a run stopped during ingest went on and published
    (measured: SIGTERM 12 s into a run, exit 0 after 35 s). Downloads retry on their own."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def("brief_job")
    assert [node.name for node in job.nodes if node.definition.retry_policy is not None] == []


def test_a_stop_whose_exception_was_swallowed_still_keeps_the_run_from_publishing(tmp_path):
    """An interrupt that lands in code which swallows the KeyboardInterrupt (seen: Dagster's own
    code between steps; the run went on and published, exit 0 seven seconds after SIGTERM) is
    still recorded, and the publish point refuses."""
    from common import signals

    settings = _settings(tmp_path)
    _write(settings.duckdb_path, "old")
    with warehouse.staged(settings.duckdb_path, "run-1", publish_on_success=False) as scratch:
        _write(scratch, "new")
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        signals.stop_on_signals()
        try:
            signal.raise_signal(signal.SIGTERM)
        except KeyboardInterrupt:
            pass  # swallowed
        with pytest.raises(KeyboardInterrupt, match="before publishing"):
            publish_run(settings, "run-1", lambda: "archived")
        assert _read(settings.duckdb_path) == "old" and not warehouse.scratch_path(settings.duckdb_path).exists()
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
        signals._STOP.clear()
