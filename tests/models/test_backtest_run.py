"""The backtest scorecard and the run_model entry point (as-of rule, labels, tables)."""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from models import backtest
from models.calibration import calibrate
from models.run import METHODOLOGY, ModelOutputs, inputs_hash, run_model
from tests.models.conftest import AS_OF


def test_scorecard_on_the_snapshot(model_outputs, warehouse_inputs):
    card = model_outputs.backtest
    splits = warehouse_inputs.as_of(AS_OF).published_splits
    assert list(card["split_id"]) == list(splits["split_id"])
    mappings = card.set_index("split_id")["mapping"]
    assert mappings["google-ml-energy-2019-2021"] == "energy_share"
    assert mappings["nvidia-fy2024-dc-revenue-inference"] == "new_capacity_share"
    assert mappings["openai-2024-compute-spend-inference-vs-rnd"] == "spend_share_frontier_lab"
    assert mappings["openai-2024-final-training-vs-inference"] == "spend_final_runs_vs_serving"
    assert mappings["meta-ai-power-capacity-2021"] == "power_capacity_share"
    scored = card.dropna(subset=["model_p50"])
    assert len(scored) >= 3
    assert ((scored["model_p10"] >= 0) & (scored["model_p90"] <= 1)).all()
    assert (scored["error"] == scored["model_p50"] - scored["published_share"]).all()
    assert (scored["note"] != "").all()
    nvidia = card.set_index("split_id").loc["nvidia-fy2024-dc-revenue-inference"]
    assert nvidia["model_years"] == "2023,2024" and nvidia["published_share"] == pytest.approx(0.4)
    final_only = card.set_index("split_id").loc["openai-2024-final-training-vs-inference"]
    assert final_only["published_share"] == pytest.approx(2e9 / 2.5e9)


def test_period_weights():
    w = backtest.period_weights(np.array([2022, 2023, 2024]), "2023-01-30", "2024-01-28")
    assert w.sum() == pytest.approx(1.0) and w[0] == 0 and w[1] > 0.9
    assert backtest.period_weights(np.array([2022]), "2019-01-01", "2019-12-31").sum() == 0


def test_unmappable_row_is_kept_and_explained(prepared, warehouse_inputs):
    from models.montecarlo import draw_drivers
    from models.paths import simulate

    paths = simulate(prepared.context, draw_drivers(prepared.drivers, 200, np.random.default_rng(1)))
    splits = warehouse_inputs.published_splits.head(1).copy()
    splits["unit"] = "tokens"
    card = calibrate(paths, splits, None, 1, "base", "h").scorecard
    assert card["note"].iloc[0].startswith("not scored") and np.isnan(card["model_p50"].iloc[0])
    assert np.isnan(card["loo_p50"].iloc[0]) and card["split_id"].iloc[0] == splits["split_id"].iloc[0]


def test_every_table_carries_scenario_seed_and_snapshot_hash(model_outputs):
    assert isinstance(model_outputs, ModelOutputs)
    tables = model_outputs.tables()
    assert {"demand", "crossover", "crossover_summary", "tornado", "hardware_fit", "backtest",
            "drivers", "training_history", "trend", "token_accounting", "fleet"} <= set(tables)
    for name, frame in tables.items():
        assert list(frame.columns[:3]) == ["scenario", "seed", "snapshot_hash"], name
        assert (frame["snapshot_hash"] == "test-hash").all(), name
        assert (frame["seed"] == 7).all() and (frame["scenario"] == "base").all(), name
    assert "Calibration." in model_outputs.methodology and model_outputs.methodology == METHODOLOGY


def test_drivers_table_labels_assumptions(model_outputs):
    drivers = model_outputs.drivers.set_index("driver")
    assert set(drivers["kind"]) == {"assumption", "sourced", "fitted"}
    assert drivers.loc["frontier_growth_per_year", "kind"] == "fitted"
    assert "fitted as of 2026-11-30" in drivers.loc["frontier_growth_per_year", "fit_note"]
    assert 3 <= drivers.loc["frontier_growth_per_year", "p50"] <= 7
    assert not drivers.loc["anchor_tokens_per_day_fallback", "used"]
    assert not drivers.loc["capex_usd_per_h100e", "used"]
    assert (drivers["p10"] <= drivers["p50"]).all() and (drivers["p50"] <= drivers["p90"]).all()


def test_tornado_is_sorted_by_swing(model_outputs):
    t = model_outputs.tornado
    assert set(t["unit"]) == {"share_of_flop", "share_of_accelerator_hours", "share_of_energy",
                              "share_of_spend"}
    for _, g in t.groupby("unit"):
        assert (np.diff(g["swing"].to_numpy()) <= 1e-15).all()
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert (g["share_base"].nunique() == 1) and g["swing"].iloc[0] > 0
    assert "anchor_tokens_per_day_fallback" not in set(t["driver"])
    assert (t["year"] == 2030).all()


def test_as_of_rule_rows_after_the_date_change_nothing(warehouse_inputs):
    as_of = date(2025, 6, 30)
    first = run_model(warehouse_inputs, "base", as_of, seed=3, draws=500, snapshot_hash="h")
    runs = warehouse_inputs.training_runs.copy()
    future = runs.iloc[[0]].assign(model_id="future-giant", publication_date=pd.Timestamp("2025-07-01"),
                                   training_flop=1e30)
    tv = warehouse_inputs.token_volumes.copy()
    leak = tv.iloc[[0]].assign(disclosure_id="leak", disclosed_on=pd.Timestamp("2025-07-02"),
                               period_start=pd.Timestamp("2025-06-01"),
                               period_end=pd.Timestamp("2025-06-30"), tokens_per_day=1e17)
    changed = replace(warehouse_inputs, training_runs=pd.concat([runs, future]),
                      token_volumes=pd.concat([tv, leak]))
    second = run_model(changed, "base", as_of, seed=3, draws=500, snapshot_hash="h")
    pd.testing.assert_frame_equal(first.demand, second.demand)
    pd.testing.assert_frame_equal(first.backtest, second.backtest)


def test_different_months_differ_when_the_data_does(warehouse_inputs, model_outputs):
    earlier = run_model(warehouse_inputs, "base", date(2025, 6, 30), seed=7, draws=2_000, snapshot_hash="h")
    a = earlier.demand.set_index(["year", "bucket", "unit"])["p50"]
    b = model_outputs.demand.set_index(["year", "bucket", "unit"])["p50"]
    assert not np.allclose(a.loc[2027], b.loc[2027])
    assert earlier.trend["growth_per_year"].iloc[0] != model_outputs.trend["growth_per_year"].iloc[0]


def test_before_any_token_disclosure_the_fallback_is_used(warehouse_inputs):
    out = run_model(warehouse_inputs, "base", "2024-01-31", seed=1, draws=300, snapshot_hash="h")
    drivers = out.drivers.set_index("driver")
    assert drivers.loc["anchor_tokens_per_day_fallback", "used"]
    assert "no usable token disclosure" in drivers.loc["anchor_tokens_per_day_fallback", "fit_note"]


def test_run_model_guards(warehouse_inputs):
    with pytest.raises(ValueError, match="as_of"):
        run_model(warehouse_inputs, "base", None)
    with pytest.raises(ValueError, match="draws"):
        run_model(warehouse_inputs, "base", AS_OF, draws=10)
    assert inputs_hash(warehouse_inputs) == inputs_hash(warehouse_inputs)
    assert inputs_hash(warehouse_inputs).startswith("inputs-")


def test_missing_mart_column_fails_clearly(warehouse_inputs):
    from models.inputs import InputError, ModelInputs

    with pytest.raises(InputError, match="token_volumes: missing required column"):
        ModelInputs(accelerators=warehouse_inputs.accelerators, training_runs=warehouse_inputs.training_runs,
                    token_volumes=warehouse_inputs.token_volumes.drop(columns=["tokens_per_day"]),
                    rental_prices=warehouse_inputs.rental_prices,
                    published_splits=warehouse_inputs.published_splits)
