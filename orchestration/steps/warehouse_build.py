"""The warehouse build step: ``dbt build`` into the run's scratch warehouse. When it is the run's
publish point (no model or brief step follows) the copy is published once every blocking test
passed; otherwise it stays staged for the next step (``orchestration.steps.publish``).

dbt runs one way: ``FlopcastDbtCliResource`` (dagster-dbt) with the scratch path as the
``duckdb_path`` var, for the dbt asset, the plain-Python path and ``flopcast prepare`` alike. The
resource is passed in or, for the plain callers, imported when dbt runs: importing this module
imports no Dagster.
"""

import contextlib
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration import warehouse
from orchestration.dbt_results import summarise_run_results
from orchestration.faults import checkpoint
from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.steps.publish import publish_run

# The parsed project the dbt asset is defined from (written by `flopcast prepare`).
DBT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"

# A run's build leaves out dbt's unit tests: their inputs are fixed in YAML, so a pass in the test
# suite (tests/transforms builds everything) holds for every run, as dbt's docs advise
# (docs.getdbt.com/docs/build/unit-tests). The 8 unit tests were 0.8 s of a 5.0 s build.
RUN_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")


def dbt_executable() -> str:
    """The dbt of this interpreter's environment (dbt need not be on PATH)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def dbt_args(command: str, settings: Settings) -> list[str]:
    """A dbt command against the scratch copy of the warehouse (the profile reads the
    `duckdb_path` var). The var is the same for every run of one FLOPCAST_HOME, so dbt's partial
    parsing survives from `flopcast prepare` to each build (a changed var or profile forces a
    full re-parse)."""
    scratch = warehouse.scratch_path(settings.duckdb_path)
    return [command, "--vars", json.dumps({"duckdb_path": str(scratch)})]


@contextmanager
def staged_dbt_build(settings: Settings, run_id: str, dbt, context=None, publish: bool = True) -> Iterator:
    """Start ``dbt build`` into the run's scratch copy with ``dbt`` (a ``FlopcastDbtCliResource``)
    and yield the invocation for the caller to consume (the asset streams its events, the plain
    path waits). When the block ends without an error the copy is published (``publish``) or left
    staged for the run's later steps; on an error (a failed blocking test, an interrupt) dbt is
    stopped if still running and the copy discarded. dbt's per-invocation target folder is
    removed either way."""
    with warehouse.staged(settings.duckdb_path, run_id, publish_on_success=False):
        invocation = dbt.cli([*dbt_args("build", settings), *RUN_BUILD_FLAGS], context=context)
        try:
            yield invocation
        except Exception:
            summary = _failure_summary(invocation)
            if summary is None:
                raise
            from dagster_dbt.errors import DagsterDbtCliRuntimeError

            raise DagsterDbtCliRuntimeError(description=summary) from None
        finally:
            stop_dbt(invocation)
            shutil.rmtree(invocation.target_path, ignore_errors=True)
        checkpoint("dbt.before_publish")
    if publish:
        publish_run(settings, run_id)


def _failure_summary(invocation) -> str | None:
    """One line naming what blocked the build (failing tests with their rows, nodes in error),
    from the invocation's run_results.json, read before its target folder is removed."""
    target = Path(invocation.target_path)
    results, manifest = target / "run_results.json", target / "manifest.json"
    if not results.exists():
        return None
    return summarise_run_results(json.loads(results.read_text()),
                                 json.loads(manifest.read_text()) if manifest.exists() else None)


def stop_dbt(invocation, grace_s: float = 10.0) -> None:
    """Stop the dbt process of ``invocation`` if it still runs (the block ended early: an error or
    an interrupt): SIGTERM, then SIGKILL after ``grace_s``. A dbt left running would keep writing
    the scratch copy after its run is gone."""
    process = invocation.process
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_quietly(invocation) -> None:
    """Wait for dbt to finish. dagster-dbt echoes dbt's log to stdout: dropped here (on failure
    the error raised carries dbt's error messages)."""
    with contextlib.redirect_stdout(io.StringIO()):
        invocation.wait()


def build_warehouse(settings: Settings, run_id: str, publish: bool = True) -> None:
    """The plain-Python twin of the dbt asset: the same build, waited for instead of streamed."""
    from orchestration.resources import dbt_cli_resource  # dagster-dbt: the one way dbt runs

    with staged_dbt_build(settings, run_id, dbt_cli_resource(), publish=publish) as invocation:
        wait_quietly(invocation)


DBT_SOURCE_PARTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


def manifest_is_stale(manifest: Path = DBT_MANIFEST, project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """True when the manifest is missing or older than a file of the dbt project (a pull or an
    edit since `flopcast prepare`: the Dagster definitions built from it would name dbt nodes that
    the project no longer has)."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for part in DBT_SOURCE_PARTS:
        path = project_dir / part
        files = path.rglob("*") if path.is_dir() else [path]
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


def parse_dbt_project(settings: Settings) -> Path:
    """``dbt parse`` into the project's ``target/``: DBT_MANIFEST, and the partial-parse state
    every build starts from. Returns the manifest's path."""
    from orchestration.resources import dbt_cli_resource  # dagster-dbt: the one way dbt runs

    wait_quietly(dbt_cli_resource().cli(dbt_args("parse", settings), target_path=DBT_MANIFEST.parent))
    return DBT_MANIFEST
