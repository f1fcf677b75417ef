"""Shared fixtures for the demand-model tests: the bundled snapshot as mart-shaped frames, with the
installed base from the project's own dbt models (built once per session on the bundled snapshot,
so the model is tested on the stock production feeds it, not on a Python twin)."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from models.config import load_scenario
from models.inputs import inputs_from_snapshot

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "data" / "snapshot"

AS_OF = date(2026, 11, 30)  # after every row of the bundled snapshot


@pytest.fixture(scope="session")
def snapshot_inputs(installed_base):
    return replace(inputs_from_snapshot(SNAPSHOT_DIR), installed_base=installed_base)


@pytest.fixture(scope="session")
def base_scenario():
    return load_scenario("base")


@pytest.fixture(scope="session")
def prepared(snapshot_inputs, base_scenario):
    from models.context import prepare

    return prepare(snapshot_inputs, base_scenario, AS_OF)


@pytest.fixture(scope="session")
def model_outputs(snapshot_inputs):
    from models.run import run_model

    return run_model(snapshot_inputs, "base", AS_OF, seed=7, snapshot_hash="test-hash")
