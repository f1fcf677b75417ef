"""Shared fixtures for the demand-model tests. The inputs are ``warehouse_inputs`` (tests/conftest.py):
the marts production reads, from the session's dbt build of the bundled snapshot."""

from datetime import date

import pytest

from models.config import load_scenario

AS_OF = date(2026, 11, 30)  # after every row of the bundled snapshot


@pytest.fixture(scope="session")
def base_scenario():
    return load_scenario("base")


@pytest.fixture(scope="session")
def prepared(warehouse_inputs, base_scenario):
    from models.context import prepare

    return prepare(warehouse_inputs, base_scenario, AS_OF)


@pytest.fixture(scope="session")
def model_outputs(warehouse_inputs):
    from models.run import run_model

    return run_model(warehouse_inputs, "base", AS_OF, seed=7, snapshot_hash="test-hash")
