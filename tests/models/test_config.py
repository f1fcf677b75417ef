"""The scenario schema: explicit drivers, ranges, units, bases, overrides, clear errors."""

import pytest
import yaml

from models.config import BUNDLED_SCENARIOS, SCENARIO_DIR, ScenarioError, load_scenario
from models.driver_registry import DRIVERS
from tests.models.scenario_files import assert_refused, write_scenario


@pytest.mark.parametrize("name", BUNDLED_SCENARIOS)
def test_bundled_scenarios_name_every_driver_explicitly(name):
    raw = yaml.safe_load((SCENARIO_DIR / f"{name}.yaml").read_text())
    assert set(raw["drivers"]) == set(DRIVERS), "every driver must be explicit in the file"
    scenario = load_scenario(name, base=None)  # complete on its own
    assert scenario.name == name
    assert scenario.horizon == 2030
    assert scenario.synthetic_data_side == "training"
    for driver in scenario.drivers.values():
        assert driver.basis == "assumption" or driver.basis.split(":")[0] in ("DOMAIN.md", "snapshot", "fit", "source")
    assert sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")) == sorted(BUNDLED_SCENARIOS)


def test_bear_and_bull_differ_from_base_in_values_only():
    base, bear, bull = (load_scenario(n) for n in ("base", "bear", "bull"))
    assert set(base.drivers) == set(bear.drivers) == set(bull.drivers)
    assert bear.drivers["query_growth_per_year"].quantiles()[1] < base.drivers["query_growth_per_year"].quantiles()[1]
    assert bull.drivers["query_growth_per_year"].quantiles()[1] > base.drivers["query_growth_per_year"].quantiles()[1]


def test_user_file_overrides_only_the_drivers_it_names(tmp_path):
    path = write_scenario(tmp_path, {
        "name": "mine",
        "synthetic_data_side": "inference",
        "settings": {"serving_precision": "fp4"},
        "drivers": {"pue": {"dist": "fixed", "value": 1.2, "unit": "ratio", "basis": "assumption"}},
    })
    base = load_scenario("base")
    mine = load_scenario(path)
    assert mine.name == "mine"
    assert mine.synthetic_data_side == "inference"
    assert mine.settings.serving_precision == "fp4"
    assert mine.settings.fleet_life_years == base.settings.fleet_life_years
    assert mine.drivers["pue"].dist == "fixed" and mine.drivers["pue"].value == 1.2
    for name in DRIVERS:
        if name != "pue":
            assert mine.drivers[name] == base.drivers[name]


def test_file_without_name_takes_the_file_stem(tmp_path):
    path = write_scenario(tmp_path, {"horizon": 2032}, name="longer.yaml")
    scenario = load_scenario(path)
    assert scenario.name == "longer" and scenario.horizon == 2032


@pytest.mark.parametrize("data, needles", [
    ({"drivers": {"pue": {"dist": "triangular", "low": 1.1, "mode": 1.2, "high": 3.0,
                          "unit": "ratio", "basis": "assumption"}}},
     ["user.yaml", "drivers.pue.high", "outside the allowed range", "[1, 2.5]"]),
    ({"drivers": {"training_mfu": {"dist": "lognormal", "p10": 0.5, "p90": 0.4,
                                   "unit": "fraction", "basis": "assumption"}}},
     ["user.yaml", "drivers.training_mfu", "p10 (0.5) must be below p90 (0.4)"]),
    ({"drivers": {"pue": {"dist": "fixed", "value": 1.1, "unit": "watts", "basis": "assumption"}}},
     ["user.yaml", "drivers.pue.unit", "expected 'ratio'"]),
    ({"drivers": {"pue": {"dist": "fixed", "value": 1.1, "unit": "ratio", "basis": "a blog post"}}},
     ["user.yaml", "drivers.pue.basis", "assumption"]),
    ({"drivers": {"pue": {"dist": "fixed", "value": 1.1, "unit": "ratio", "basis": "assumption",
                          "colour": "red"}}},
     ["user.yaml", "drivers.pue.colour", "unknown key"]),
    ({"drivers": {"pue": {"dist": "normal", "value": 1.1, "unit": "ratio", "basis": "assumption"}}},
     ["user.yaml", "drivers.pue"]),
    ({"drivers": {"reasoning_multiplier": {"dist": "fixed", "value": 8, "unit": "ratio",
                                           "basis": "assumption"}}},
     ["user.yaml", "drivers.reasoning_multiplier", "unknown driver", "reasoning_token_multiplier"]),
    ({"synthetic_data_side": "elsewhere"}, ["user.yaml", "synthetic_data_side"]),
    ({"horizon": 2020}, ["user.yaml", "horizon"]),
    ({"flavour": "spicy"}, ["user.yaml", "flavour", "unknown key"]),
    ({"settings": {"fleet_life_years": 0}}, ["user.yaml", "settings.fleet_life_years"]),
    ({"settings": {"fleet_lifetime": 4}}, ["user.yaml", "settings.fleet_lifetime", "unknown key"]),
])
def test_schema_rejects_bad_files_naming_file_and_key(tmp_path, data, needles):
    path = write_scenario(tmp_path, data)
    assert_refused(path, needles)


def test_complete_file_missing_a_driver_is_rejected(tmp_path):
    raw = yaml.safe_load((SCENARIO_DIR / "base.yaml").read_text())
    del raw["drivers"]["pue"]
    path = write_scenario(tmp_path, raw, name="partial.yaml")
    with pytest.raises(ScenarioError, match=r"partial.yaml: drivers: missing pue"):
        load_scenario(path, base=None)
    assert load_scenario(path).drivers["pue"] == load_scenario("base").drivers["pue"]


def test_broken_yaml_and_missing_file_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("drivers: [unclosed")
    with pytest.raises(ScenarioError, match="bad.yaml: not valid YAML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="nowhere.yaml: scenario file not found"):
        load_scenario(tmp_path / "nowhere.yaml")


def test_fitted_flag_only_on_its_driver(tmp_path):
    path = write_scenario(tmp_path, {"drivers": {"pue": {
        "dist": "lognormal", "p10": 1.1, "p90": 1.3, "unit": "ratio", "basis": "fit: x",
        "fit": "frontier_trend"}}})
    with pytest.raises(ScenarioError, match="only fits frontier_growth_per_year"):
        load_scenario(path)
