"""Settings from FLOPCAST_* variables: the model's number of draws."""

import pytest

from orchestration.settings import load_settings


def test_model_draws_default_override_and_bad_values(tmp_path):
    assert load_settings({"FLOPCAST_HOME": str(tmp_path)}).model_draws is None
    assert load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_MODEL_DRAWS": "20000"}).model_draws == 20000
    for bad in ("12.5", "abc", "50", "-3"):
        with pytest.raises(ValueError, match="FLOPCAST_MODEL_DRAWS"):
            load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_MODEL_DRAWS": bad})
