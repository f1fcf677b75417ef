"""The marts the demand model reads carry enforced dbt contracts, and the model asks for nothing
they do not promise: every column ModelInputs requires or accepts is in its mart's contract."""

from pathlib import Path

import pytest
import yaml

from models.inputs import MART_INPUTS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from orchestration.settings import DBT_PROJECT_DIR

MARTS_DIR = Path(DBT_PROJECT_DIR) / "models" / "marts"


def contract(mart: str) -> dict:
    (model,) = yaml.safe_load((MARTS_DIR / f"{mart}.yml").read_text())["models"]
    assert model["name"] == mart
    return model


@pytest.mark.parametrize("field, mart", sorted(MART_INPUTS.items()))
def test_each_model_input_mart_has_an_enforced_contract_covering_the_model_columns(field, mart):
    model = contract(mart)
    assert model.get("config", {}).get("contract", {}).get("enforced") is True, f"{mart}: no enforced contract"
    typed = {c["name"]: c.get("data_type") for c in model["columns"]}
    assert all(typed.values()), f"{mart}: columns without a data_type: {[n for n, t in typed.items() if not t]}"
    wanted = REQUIRED_COLUMNS[field] + OPTIONAL_COLUMNS.get(field, [])
    assert not set(wanted) - set(typed), f"{mart} does not promise {sorted(set(wanted) - set(typed))}"
