"""Shared warehouses for the dbt tests: raw tables loaded by the plain-Python ingest, then the dbt
project built once per session and warehouse (bundled snapshot; ../shared/data mirror).

dbt always runs with cwd ``transforms/`` and ``--profiles-dir .`` like the Makefile, but with its
own ``--target-path`` / ``--log-path`` under the test's temporary folder, so the project's
``target/`` (Dagster's manifest, partial-parse state) is never touched.
"""

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.settings import DBT_PROJECT_DIR, PUBLISHERS_DIR, load_settings
from orchestration.sources.registry import SOURCES
from orchestration.steps.ingest import ingest_source
from orchestration.steps.warehouse_build import dbt_executable

DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


@dataclass
class DbtRun:
    returncode: int
    stdout: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Warehouse:
    path: Path
    build: DbtRun

    def frame(self, sql: str, params=None) -> pd.DataFrame:
        return query(self.path, sql, params)

    def scalar(self, sql: str, params=None):
        frame = self.frame(sql, params)
        return frame.iloc[0, 0]


def query(path: Path, sql: str, params=None) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def load_raw(home: Path, mode: str, mirror: Path | None = None) -> Path:
    """Every registered source into ``home``'s warehouse via the plain-Python ingest. The vendored
    publishers' folder is pointed at an empty folder: in bundled mode only the snapshot loads."""
    env = {"FLOPCAST_HOME": str(home), "FLOPCAST_SOURCE_MODE": mode,
           "FLOPCAST_PUBLISHERS_DIR": str(home / "no_publishers")}
    if mirror is not None:
        env["FLOPCAST_MIRROR_DIR"] = str(mirror)
    settings = load_settings(env)
    for name in SOURCES:
        ingest_source(settings, name, run_id="t", publish=True)
    return settings.duckdb_path


def run_dbt_cli(args: list[str], warehouse: Path, work: Path) -> DbtRun:
    """The dbt CLI as the project runs it: cwd transforms/, FLOPCAST_DUCKDB, --profiles-dir ."""
    work.mkdir(parents=True, exist_ok=True)
    command = [dbt_executable(), *args, "--profiles-dir", ".",
               "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600,
        env={**os.environ, **DBT_ENV, "FLOPCAST_DUCKDB": str(warehouse)},
    )
    return DbtRun(done.returncode, done.stdout + done.stderr, time.perf_counter() - start)


@pytest.fixture(scope="session")
def mirror_warehouse(tmp_path_factory) -> Warehouse:
    """Mirror mode on the real publisher files (the vendored data/publishers folder, laid out like
    a mirror); OpenRouter stays empty."""
    home = tmp_path_factory.mktemp("dbt_mirror")
    path = load_raw(home, "mirror", PUBLISHERS_DIR)
    build = run_dbt_cli(["build"], path, home / "dbt")
    return Warehouse(path, build)


def close_dbt_duckdb_connection() -> None:
    """In-process dbt-duckdb keeps one DuckDB connection per process while the credentials stay the
    same (the profile's keep_open): close it after each invocation, since the next test swaps the
    database file underneath and must not see the previous test's writes through a stale handle."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
    DuckDBConnectionManager.close_all_connections()


class DbtLibrary:
    """dbt in-process (dbtRunner) against one fixed scratch warehouse path, so that partial parsing
    carries over between invocations: each test restores a copy of a built warehouse, breaks or
    replaces its inputs, and runs a selection."""

    def __init__(self, work: Path):
        from dbt.cli.main import dbtRunner

        self.work = work
        self.path = work / "scratch.duckdb"
        self.runner = dbtRunner()

    def restore(self, source: Path) -> Path:
        self.path.unlink(missing_ok=True)
        self.path.with_name(self.path.name + ".wal").unlink(missing_ok=True)
        shutil.copyfile(source, self.path)
        return self.path

    @contextmanager
    def writable(self):
        con = duckdb.connect(str(self.path))
        try:
            yield con
        finally:
            con.close()

    def invoke(self, args: list[str]):
        saved_cwd, saved_env = os.getcwd(), os.environ.get("FLOPCAST_DUCKDB")
        os.chdir(DBT_PROJECT_DIR)
        os.environ["FLOPCAST_DUCKDB"] = str(self.path)
        os.environ.update(DBT_ENV)
        try:
            return self.runner.invoke(
                [*args, "--profiles-dir", ".", "--target-path", str(self.work / "target"),
                 "--log-path", str(self.work / "logs"), "--quiet"])
        finally:
            close_dbt_duckdb_connection()
            os.chdir(saved_cwd)
            if saved_env is None:
                os.environ.pop("FLOPCAST_DUCKDB", None)
            else:
                os.environ["FLOPCAST_DUCKDB"] = saved_env


def failed_nodes(result) -> dict[str, str]:
    """unique_id -> status for every node of a dbt invocation that did not pass."""
    out = {}
    for node_result in getattr(result.result, "results", []) or []:
        status = str(node_result.status)
        if status not in ("pass", "success", "RunStatus.Success", "TestStatus.Pass"):
            out[node_result.node.unique_id] = status
    return out


@pytest.fixture(scope="session")
def dbt_library(tmp_path_factory) -> DbtLibrary:
    return DbtLibrary(tmp_path_factory.mktemp("dbt_library"))
