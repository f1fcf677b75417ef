"""Shared fixtures. Every test runs against a temporary FLOPCAST_HOME and DAGSTER_HOME, never var/.

Lanes: a test is marked ``slow`` when it runs the product end to end or builds the whole warehouse
(see ``SLOW_DIRS`` and ``SLOW_FIXTURES``); everything else is the fast lane (``make test-fast``,
``pytest -m "not slow"``), so a new library-level test lands there by default."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT, load_settings

E2E_MONTH = "2025-06"

TESTS = Path(__file__).resolve().parent

# Every test under these folders exercises the product whole: pipeline runs in subprocesses, kill
# points, storage and mail faults.
SLOW_DIRS = frozenset({"e2e", "faults"})

# Session fixtures that run the product or build the whole warehouse; a test that uses one, directly
# or through another fixture (the model and brief tests on ``warehouse_inputs``), is slow.
SLOW_FIXTURES = frozenset({
    "cli_brief",          # a `flopcast brief` subprocess
    "bundled_warehouse",  # `dbt build` of the whole project on the bundled snapshot
    "mirror_warehouse",   # `dbt build` of the whole project on the vendored publishers' files
    "dbt_library",        # dbt in-process on copies of a built warehouse
    "good_home",          # tests/faults: a complete plain-Python run
    "good_build",         # tests/stress: the corpus build, its model run and brief
    "failed_builds",      # tests/stress: the implausible-value builds
})


# `make test` runs on two workers (pytest-xdist, --dist loadgroup): the tests that share an expensive
# session fixture run on one worker, so each is built once; the rest are spread. First match wins.
WORKER_GROUPS = (
    ("good_home", "faults"),
    ("good_build", "stress"), ("failed_builds", "stress"),
    ("cli_brief", "cli_brief"),
    ("bundled_warehouse", "warehouse"), ("mirror_warehouse", "warehouse"), ("dbt_library", "warehouse"),
)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        if (item.get_closest_marker("e2e") is not None
                or item.path.relative_to(TESTS).parts[0] in SLOW_DIRS
                or not SLOW_FIXTURES.isdisjoint(item.fixturenames)):
            item.add_marker(pytest.mark.slow)
        group = next((name for fixture, name in WORKER_GROUPS if fixture in item.fixturenames), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


TEST_MODEL_DRAWS = "4000"
TEST_REVISION_MONTHS = "2"


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("flopcast_home")
    dagster_home = tmp_path_factory.mktemp("dagster_home")
    shutil.copyfile(PROJECT_ROOT / "orchestration" / "dagster.yaml", dagster_home / "dagster.yaml")
    saved = {k: os.environ.get(k) for k in ("FLOPCAST_HOME", "FLOPCAST_DUCKDB", "DAGSTER_HOME",
                                            "FLOPCAST_SNAPSHOT_DIR", "FLOPCAST_SOURCE_MODE",
                                            "FLOPCAST_MODEL_DRAWS", "FLOPCAST_REVISION_MONTHS")}
    os.environ["FLOPCAST_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    # Pipeline runs in tests check wiring, not precision: fewer draws than the product's default.
    # The session's main end-to-end run (cli_brief) and the model tests use the default.
    os.environ["FLOPCAST_MODEL_DRAWS"] = TEST_MODEL_DRAWS
    # the revisions chart: this month and the previous one (already rebuilt or archived: no extra model run);
    # cli_brief covers the default 12
    os.environ["FLOPCAST_REVISION_MONTHS"] = TEST_REVISION_MONTHS
    for key in ("FLOPCAST_DUCKDB", "FLOPCAST_SNAPSHOT_DIR", "FLOPCAST_SOURCE_MODE"):
        os.environ.pop(key, None)
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real publisher files (never copied into the repo; read in place)."""
    folder = Path(os.environ.get("FLOPCAST_TEST_DATA") or PROJECT_ROOT.parent / "shared" / "data")
    if not folder.is_dir():
        pytest.skip(f"real-data folder {folder} not found (set FLOPCAST_TEST_DATA to a folder laid "
                    "out like ../shared/data to run the real-file tests)")
    return folder


@pytest.fixture(scope="session")
def cli_brief(isolated_home, tmp_path_factory):
    """One real `flopcast brief` in a fresh process on the bundled snapshot (shared by e2e tests),
    with the product's default number of draws."""
    home = tmp_path_factory.mktemp("cli_home")
    env = {k: v for k, v in os.environ.items()
           if k not in ("FLOPCAST_MODEL_DRAWS", "FLOPCAST_REVISION_MONTHS")} | {"FLOPCAST_HOME": str(home)}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("flopcast")), "brief", "--month", E2E_MONTH],
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    pdf = Path(done.stdout.strip().splitlines()[-1])
    archive = pdf.parent
    return {
        "home": home,
        "pdf": pdf,
        "archive": archive,
        "metrics": json.loads((archive / "metrics.json").read_text()),
        "stdout": done.stdout,
        "stderr": done.stderr,
    }


@pytest.fixture(scope="session")
def bundled_warehouse(tmp_path_factory):
    """The snapshot tables alone (bundled mode without the vendored publishers' files: the live
    tables empty); the whole project built. The default bundled mode, which adds the vendored
    files, is the mirror build (tests/transforms) plus the end-to-end runs."""
    from tests.transforms.conftest import Warehouse, load_raw, run_dbt_cli

    home = tmp_path_factory.mktemp("dbt_bundled")
    path = load_raw(home, "bundled")
    build = run_dbt_cli(["build"], path, home / "dbt")
    return Warehouse(path, build)


@pytest.fixture(scope="session")
def warehouse_inputs(bundled_warehouse):
    """The model's inputs as production reads them (``load_model_inputs``: every mart of
    ``MART_INPUTS``) from the session's dbt build of the bundled snapshot: the model and brief tests
    run on the data production feeds the model."""
    from orchestration.steps.model import load_model_inputs

    assert bundled_warehouse.build.ok, bundled_warehouse.build.stdout[-3000:]
    path = bundled_warehouse.path
    return load_model_inputs(load_settings({"FLOPCAST_HOME": str(path.parent), "FLOPCAST_DUCKDB": str(path)}))
