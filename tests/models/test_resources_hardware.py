"""Fleet mix, conversions to resources, and the per-chip hardware fit."""

import math

import numpy as np
import pandas as pd
import pytest

from models import resources
from models.config import Settings
from models.hardware import REFERENCE_MODELS, batched_decode_tokens_per_s, hardware_fit
from tests.models.conftest import AS_OF


def _one_chip(**over):
    row = {"accelerator_id": "nvidia-h100-sxm", "vendor": "nvidia", "accelerator_name": "H100",
           "accelerator_type": "gpu", "release_date": pd.Timestamp("2022-03-22"),
           "bf16_dense_flop_per_s": 9.894e14, "fp16_dense_flop_per_s": 9.894e14,
           "fp8_dense_flop_per_s": 1.979e15, "fp4_dense_flop_per_s": np.nan,
           "memory_bytes": 8e10, "memory_bandwidth_bytes_per_s": 3.35e12, "tdp_w": 700.0}
    row.update(over)
    return pd.DataFrame([row])


def test_single_chip_fleet_is_one_h100e_per_chip():
    fleet = resources.fleet_mix(_one_chip(), [2023, 2024], 2024, Settings()).set_index("year")
    assert fleet.loc[2024, "h100e_per_chip"] == pytest.approx(1.0)
    assert fleet.loc[2024, "serve_peak_flop_per_s"] == pytest.approx(1.979e15)  # FP8 for serving
    assert fleet.loc[2024, "board_w"] == pytest.approx(700.0)
    bf16_only = resources.fleet_mix(_one_chip(), [2024], 2024, Settings(serving_precision="bf16"))
    assert bf16_only["serve_peak_flop_per_s"].iloc[0] == pytest.approx(9.894e14)


def test_future_vintages_extrapolate(warehouse_inputs):
    acc = warehouse_inputs.as_of(AS_OF).accelerators
    fleet = resources.fleet_mix(acc, range(2019, 2031), 2026, Settings()).set_index("year")
    assert (np.diff(fleet["train_peak_flop_per_s"]) >= 0).all()
    assert fleet.loc[2030, "vintages_extrapolated"] > 0 and fleet.loc[2024, "vintages_extrapolated"] == 0
    assert 0.5 < fleet.loc[2025, "h100e_per_chip"] < 3


def test_tpu_power_is_imputed_never_zero(warehouse_inputs):
    chips = resources.datacentre_chips(warehouse_inputs.accelerators, Settings()).set_index("accelerator_id")
    assert chips.loc["google-tpu-v5p", "board_w_imputed"]
    assert chips.loc["google-tpu-v5p", "board_w"] > 0
    assert "nvidia-t4" not in chips.index  # 16 GB: below the data-centre memory floor


def test_conversions_per_bucket():
    flop = np.array([[1.424736e18 * 8760]])  # one H100 busy all year at 40% MFU
    hours = resources.accelerator_hours(flop, np.array([9.894e14]), np.array([0.4]))
    assert hours[0, 0] == pytest.approx(8760)
    inst = resources.installed(hours, np.array([0.5]))
    assert inst[0, 0] == pytest.approx(2.0)
    twh = resources.energy_twh(hours, np.array([700.0]), np.array([1.0]), np.array([1.0]), np.array([1.0]))
    assert twh[0, 0] == pytest.approx(8760 * 700 / 1e12)
    gw = resources.h100e_to_gw(inst, np.array([700.0]), np.array([2.0]), np.array([1.1]))
    assert gw[0, 0] == pytest.approx(2 * 700 * 2 * 1.1 / 1e9)


def test_rental_price_fit_and_medians(warehouse_inputs):
    rp = warehouse_inputs.as_of(AS_OF).rental_prices
    fit = resources.rental_price_fit(rp, "nvidia-h100-sxm")
    assert fit["n"] >= 10 and fit["p10"] < fit["p90"] and fit["min"] <= fit["p10"]
    med = resources.median_rental_price(rp)
    on_demand = rp[(rp["accelerator_id"] == "nvidia-h100-sxm") & (rp["pricing_type"] == "on_demand")]
    assert med["nvidia-h100-sxm"] == pytest.approx(on_demand["usd_per_accelerator_hour"].median())
    assert resources.rental_price_fit(rp.head(0), "nvidia-h100-sxm") is None


def test_h100_batch1_decode_ceiling_for_70b_8bit(warehouse_inputs):
    fit = hardware_fit(warehouse_inputs.as_of(AS_OF).accelerators, warehouse_inputs.rental_prices)
    h100 = fit[(fit["accelerator_id"] == "nvidia-h100-sxm") & (fit["reference_model"] == "dense 70B, 8-bit")].iloc[0]
    assert h100["decode_tokens_per_s_batch1"] == pytest.approx(3.35e12 / 70e9)
    assert h100["decode_tokens_per_s_batch1"] == pytest.approx(48, abs=0.5)
    assert h100["ridge_point_flop_per_byte"] == pytest.approx(295.3, abs=0.1)
    assert h100["decode_tokens_per_s_batched"] > 10 * h100["decode_tokens_per_s_batch1"]
    assert h100["tokens_per_joule"] == pytest.approx(h100["decode_tokens_per_s_batched"] / 700)
    assert h100["usd_per_million_tokens"] == pytest.approx(
        h100["usd_per_accelerator_hour"] / (h100["decode_tokens_per_s_batched"] * 3600) * 1e6)
    assert h100["training_flop_per_usd"] == pytest.approx(9.894e14 * 3600 / h100["usd_per_accelerator_hour"])


def test_hardware_fit_keeps_unknowns_empty_and_ranks(warehouse_inputs):
    fit = hardware_fit(warehouse_inputs.as_of(AS_OF).accelerators, warehouse_inputs.rental_prices)
    assert len(fit) == len(warehouse_inputs.accelerators) * len(REFERENCE_MODELS)
    numeric = fit.select_dtypes("number")
    assert not (numeric == 0).any().any(), "unknowns must be NaN, never zero"
    one = fit[fit["reference_model"] == REFERENCE_MODELS[0].name]
    ranked = one.dropna(subset=["training_fit_rank"])
    assert ranked["training_fit_rank"].min() == 1 and ranked["usd_per_accelerator_hour"].notna().all()
    best = ranked.sort_values("training_fit_rank").iloc[0]
    assert best["training_flop_per_usd"] == pytest.approx(ranked["training_flop_per_usd"].max())
    assert set(fit["better_fit"]) <= {"training", "inference", "both", "unknown"}
    tpu = one[one["accelerator_id"] == "google-tpu-v5p"].iloc[0]
    assert math.isnan(tpu["tokens_per_joule"])  # no published TDP


def test_batched_ceiling_turns_compute_bound_at_large_batch():
    model = REFERENCE_MODELS[0]
    small, bound_small = batched_decode_tokens_per_s(3.35e12, 1.979e15, model, batch=1, context=0)
    assert small == pytest.approx(3.35e12 / 70e9) and bound_small == "memory"
    big, bound_big = batched_decode_tokens_per_s(3.35e12, 1.979e15, model, batch=4096, context=0)
    assert bound_big == "compute" and big == pytest.approx(1.979e15 / (2 * 70e9))
