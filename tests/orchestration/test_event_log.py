"""orchestration.event_log: a run on a SQLite instance keeps one connection per event-log shard
instead of one per write, and what it writes reads back unchanged through a plain instance."""

import shutil
import sqlite3
import sys
from collections import Counter

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    DagsterInstance,
    MaterializeResult,
    asset,
    materialize,
)
from dagster._core.instance.ref import InstanceRef

from orchestration.event_log import fast_event_writes
from orchestration.settings import PROJECT_ROOT


@asset(check_specs=[AssetCheckSpec("positive", asset="a")])
def a():
    yield MaterializeResult(metadata={"dagster/row_count": 3})
    yield AssetCheckResult(check_name="positive", passed=True)


@asset(deps=[a])
def b():
    return MaterializeResult(metadata={"dagster/row_count": 4})


@pytest.fixture
def sqlite_home(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return home


def _instance(home):
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


@pytest.fixture
def event_log_connects(monkeypatch, sqlite_home):
    """Paths of the SQLite connections opened to the event log's shards (history/runs/*.db)."""
    opened = []
    real = sqlite3.connect

    def counting(database, *args, **kwargs):
        if "history/runs/" in str(database):
            opened.append(str(database))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", counting)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", counting)  # what SQLAlchemy calls
    return opened


def test_a_run_opens_one_connection_per_shard_not_one_per_write(sqlite_home, event_log_connects):
    with _instance(sqlite_home) as instance:
        materialize([a, b], instance=instance)  # warm: the index shard exists
        event_log_connects.clear()
        with fast_event_writes(instance):
            result = materialize([a, b], instance=instance)
        assert result.success
        shards = set(event_log_connects)
        assert len(shards) == 2  # the run's shard and the cross-run index
        # Dagster's own storage opens one per write and per table lookup: 52 for this run
        assert len(event_log_connects) <= 8, event_log_connects


def _kinds(instance, run_id) -> Counter:
    return Counter(entry.dagster_event_type for entry in instance.all_logs(run_id))


def test_what_a_run_writes_reads_back_through_a_plain_instance(sqlite_home):
    with _instance(sqlite_home) as instance:
        before = materialize([a, b], instance=instance).run_id  # Dagster's own writes
        with fast_event_writes(instance):
            result = materialize([a, b], instance=instance)
            with instance.event_log_storage.index_connection() as conn:
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    run_id = result.run_id
    with _instance(sqlite_home) as plain:
        assert _kinds(plain, run_id) == _kinds(plain, before)
        event = plain.get_latest_materialization_event(AssetKey("b"))
        assert event.run_id == run_id
        assert event.asset_materialization.metadata["dagster/row_count"].value == 4
        check = plain.event_log_storage.get_asset_check_execution_history(
            next(iter(a.check_keys)), limit=1)[0]
        assert check.run_id == run_id and check.status.value == "SUCCEEDED"
    # the connections were closed at the end of the block: no WAL left beside the shards
    assert not list((sqlite_home / "history" / "runs").glob("*-wal"))


def test_the_storage_is_restored_after_an_interrupt(sqlite_home):
    with _instance(sqlite_home) as instance:
        storage = instance.event_log_storage
        with pytest.raises(KeyboardInterrupt), fast_event_writes(instance):
            assert "_connect" in vars(storage)
            raise KeyboardInterrupt
        assert "_connect" not in vars(storage)
        assert materialize([a], instance=instance).success


def test_other_storages_are_left_alone():
    with DagsterInstance.ephemeral() as instance, fast_event_writes(instance):
        assert "_connect" not in vars(instance.event_log_storage)
        assert materialize([a, b], instance=instance).success


def test_the_cli_runs_its_jobs_with_kept_connections(sqlite_home, event_log_connects, monkeypatch):
    import types

    from dagster import Definitions, define_asset_job

    from orchestration.cli import run_job

    definitions = types.ModuleType("orchestration.definitions")
    definitions.defs = Definitions(assets=[a, b], jobs=[define_asset_job("tiny")])
    monkeypatch.setitem(sys.modules, "orchestration.definitions", definitions)
    monkeypatch.setenv("DAGSTER_HOME", str(sqlite_home))
    assert run_job("tiny", verbose=False).success  # creates the index shard
    event_log_connects.clear()
    assert run_job("tiny", verbose=False).success
    assert len(event_log_connects) <= 8, event_log_connects
