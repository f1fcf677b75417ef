"""The scenario's reference chip (what an H100-equivalent is measured against) must be a chip of the
data with a dense BF16 figure as of the run's date; any other is refused by name, file and key,
never silently replaced by the built-in H100 figure. A scenario file that is not UTF-8 is refused
by name too. Small frames: the check runs before the model prepares anything."""

from datetime import date

import pandas as pd
import pytest

from models.config import ScenarioError, check_reference_accelerator, load_scenario
from models.inputs import REQUIRED_COLUMNS, ModelInputs
from models.run import run_model
from tests.models.scenario_files import assert_refused, write_scenario

CHIPS = [  # id, release date, dense BF16 FLOP/s
    ("nvidia-h100-sxm", "2022-03-22", 9.894e14),
    ("nvidia-b200", "2024-03-18", 2.25e15),
    ("google-tpu-v1", "2016-05-18", None),  # no BF16 figure
    ("nvidia-x900", "2031-03-01", 9.0e15),  # announced, released after the as-of date
]


def small_inputs() -> ModelInputs:
    acc = pd.DataFrame([{column: None for column in REQUIRED_COLUMNS["accelerators"]}
                        | {"accelerator_id": i, "vendor": i.split("-")[0], "accelerator_name": i,
                           "accelerator_type": "gpu", "release_date": released, "bf16_dense_flop_per_s": bf16}
                        for i, released, bf16 in CHIPS])
    empty = {name: pd.DataFrame(columns=REQUIRED_COLUMNS[name])
             for name in ("training_runs", "token_volumes", "rental_prices", "published_splits")}
    return ModelInputs(accelerators=acc, **empty)


def refusal(tmp_path, chip: str) -> str:
    path = write_scenario(tmp_path, {"settings": {"reference_accelerator_id": chip}})
    with pytest.raises(ScenarioError) as err:
        run_model(small_inputs(), scenario=str(path), as_of=date(2025, 6, 30), draws=100)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: settings.reference_accelerator_id: ")
    return message


def test_an_unknown_reference_chip_is_refused_naming_the_file_the_key_and_the_chips(tmp_path):
    message = refusal(tmp_path, "nvidia-h100-sxm5")
    assert "unknown chip 'nvidia-h100-sxm5' (did you mean 'nvidia-h100-sxm'?)" in message
    assert message.endswith("chips with a dense BF16 figure as of 2025-06-30: nvidia-b200, nvidia-h100-sxm")


def test_a_chip_released_after_the_date_or_without_bf16_is_refused(tmp_path):
    assert "'nvidia-x900' is not released as of 2025-06-30" in refusal(tmp_path, "nvidia-x900")
    assert "'google-tpu-v1' is not released as of 2025-06-30 or has no dense BF16" in refusal(tmp_path, "google-tpu-v1")


def test_a_bundled_scenario_is_named_by_its_file():
    base = load_scenario("base")
    bad = base.model_copy(update={"settings": base.settings.model_copy(
        update={"reference_accelerator_id": "acme-x1"})})
    with pytest.raises(ScenarioError, match=r"^scenario base: settings.reference_accelerator_id: unknown chip"):
        check_reference_accelerator(bad, ["nvidia-h100-sxm"], "scenario base")


def test_a_reference_chip_of_the_data_passes_the_check():
    check_reference_accelerator(load_scenario("base"), ["nvidia-b200", "nvidia-h100-sxm"], "base.yaml")


def test_a_reference_id_that_is_not_a_canonical_slug_is_refused_when_the_file_is_read(tmp_path):
    path = write_scenario(tmp_path, {"settings": {"reference_accelerator_id": "NVIDIA H100"}})
    assert_refused(path, [str(path), "settings.reference_accelerator_id", "should match pattern"])


def test_a_scenario_file_that_is_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert_refused(path, [str(path), "not UTF-8 text (byte 0xe9 at offset 9)"])
