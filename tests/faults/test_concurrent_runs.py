"""Runs started at once: one completes, the others fail clearly at once, DuckDB stays whole."""

import json
import subprocess
import sys
import time

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import RunInProgressError, connect, scratch_path, staged
from tests.conftest import E2E_MONTH
from tests.faults.conftest import (
    FLOPCAST,
    assert_archive_complete,
    assert_no_scratch,
    env_for,
    plain_cmd,
    sha256,
    wait_for,
    warehouse_version,
)

pytestmark = pytest.mark.e2e


def test_two_runs_started_at_once_one_completes_the_other_fails_clearly(home):
    env = env_for(home)
    lock = home / "run.lock"
    runs = [subprocess.Popen(plain_cmd(), env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    pids = {p.pid for p in runs}

    def holder() -> int | None:
        try:
            pid = json.loads(lock.read_text() or "{}").get("pid")
        except ValueError:  # being rewritten
            return None
        return pid if pid in pids else None

    try:
        assert wait_for(lambda: holder() is not None, 60)
        winner = next(p for p in runs if p.pid == holder())
        loser = next(p for p in runs if p is not winner)
        _, loser_err = loser.communicate(timeout=60)
        assert loser.returncode == 1
        assert "another flopcast run is in progress" in loser_err and str(winner.pid) in loser_err

        # While the winner runs: the CLI refuses too, clearly; readers still open the published file.
        assert winner.poll() is None
        cli = subprocess.run([FLOPCAST, "brief", "--month", E2E_MONTH], env=env, cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=120)
        assert cli.returncode == 1
        assert "flopcast: error: another flopcast run is in progress" in cli.stderr
        assert "Traceback" not in cli.stderr
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            assert con.execute("select count(*) from marts.dim_accelerator").fetchone()[0] > 0
        out, err = winner.communicate(timeout=300)
    finally:
        for p in runs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert winner.returncode == 0, err[-3000:]
    assert set(json.loads(out)) == {"ingest", "dbt", "model", "brief"}
    assert warehouse_version(home)["seeds"] == [20240101]
    assert_no_scratch(home)
    assert_archive_complete(home)


def test_a_leftover_dbt_of_a_killed_run_blocks_the_next_run_clearly(tmp_path):
    """The Dagster path starts dbt through dagster-dbt: if that run is killed, dbt may live on and
    would write into the next run's scratch copy. The next run refuses until it is gone."""
    published = tmp_path / "warehouse.duckdb"
    with connect(published) as con:
        con.execute("create table t as select 1 as v")
    before = sha256(published)
    scratch = scratch_path(published)
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "build", "--vars",
                               json.dumps({"duckdb_path": str(scratch)})])
    try:
        time.sleep(0.2)
        with pytest.raises(RunInProgressError) as refused:
            with staged(published, "next-run"):
                pytest.fail("the run must not start")
        message = str(refused.value)
        assert "another flopcast run is in progress" in message
        assert f"pid {orphan.pid}" in message and str(scratch) in message
        assert sha256(published) == before
    finally:
        orphan.kill()
        orphan.wait()
    with staged(published, "next-run") as copy:
        with connect(copy) as con:
            con.execute("insert into t values (2)")
    with connect(published, read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 2
