"""The shipped production instance config, exercised: a local PostgreSQL server, Dagster's run,
event and schedule storage on it via deploy/dagster.yaml, a job materialised with its checks, and the run
read back from Postgres. Plus: the MotherDuck dbt target parses."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from common.processes import free_port
from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT

pytestmark = pytest.mark.e2e


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@pytest.fixture(scope="module")
def postgres():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries not found (make test installs Debian's postgresql)")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="flopcast-pg-"))
    if os.geteuid() == 0:  # postgres refuses to run as root: use the package's system user
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    # A throwaway server: durability is not under test, so skip fsyncs (110 s -> 30 s here).
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "dagster", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                    f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off "
                    "-c full_page_writes=off", "start"], check=True, capture_output=True)
    try:
        subprocess.run([*as_user, _pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(port),
                        "-U", "dagster", "dagster"], check=True, capture_output=True)
        yield {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port), "DAGSTER_PG_USER": "dagster",
               "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": "dagster"}
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_run_on_a_postgres_backed_instance(postgres, tmp_path, monkeypatch):
    """The instance config is under test, not the pipeline (the e2e brief covers that): the ingest
    job, with its materializations and asset checks, recorded in and read back from Postgres."""
    import psycopg2
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", dagster_home / "dagster.yaml")
    for key, value in {**postgres, "DAGSTER_HOME": str(dagster_home),
                       "FLOPCAST_HOME": str(tmp_path / "home"),
                       "FLOPCAST_PUBLISHERS_DIR": str(tmp_path / "no_publishers")}.items():
        monkeypatch.setenv(key, value)
    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        result = defs.resolve_job_def("ingest_job").execute_in_process(instance=instance)
        assert result.success
    with psycopg2.connect(host=postgres["DAGSTER_PG_HOST"], port=postgres["DAGSTER_PG_PORT"],
                          user="dagster", dbname="dagster") as conn, conn.cursor() as cursor:
        cursor.execute("select status, pipeline_name from runs where run_id = %s", (result.run_id,))
        assert cursor.fetchone() == ("SUCCESS", "ingest_job")
        cursor.execute("select dagster_event_type, count(*) from event_logs where run_id = %s and "
                       "dagster_event_type in ('ASSET_MATERIALIZATION', 'ASSET_CHECK_EVALUATION') "
                       "group by 1 order by 1", (result.run_id,))
        counts = dict(cursor.fetchall())
        assert counts["ASSET_MATERIALIZATION"] >= 9 and counts["ASSET_CHECK_EVALUATION"] >= 18
    assert (tmp_path / "home" / "warehouse.duckdb").exists()


def test_motherduck_target_parses(tmp_path):
    from orchestration.steps.warehouse_build import dbt_executable

    done = subprocess.run(
        [dbt_executable(), "parse", "--target", "motherduck", "--profiles-dir", str(DBT_PROJECT_DIR),
         "--project-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target")],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=300,
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "target" / "manifest.json").exists()
