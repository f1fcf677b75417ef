import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.roofline import (
    ReferenceModel,
    accelerator_roofline,
    chips_to_hold_weights,
    decode_tokens_per_s_ceiling,
    released_by,
    ridge_point_flop_per_byte,
)


def test_h100_ridge_point_and_decode_ceiling():
    # H100 SXM: 989.4 TFLOP/s dense BF16, 3.35 TB/s HBM3.
    assert ridge_point_flop_per_byte(9.894e14, 3.35e12) == pytest.approx(295.3, abs=0.1)
    model = ReferenceModel()  # dense 70B, 8-bit
    assert decode_tokens_per_s_ceiling(3.35e12, model) == pytest.approx(3.35e12 / 70e9)
    assert decode_tokens_per_s_ceiling(3.35e12, model) == pytest.approx(47.86, abs=0.01)


def test_kv_cache_reads_lower_the_ceiling():
    plain = ReferenceModel()
    with_kv = ReferenceModel(kv_bytes_per_token=10e9)
    assert decode_tokens_per_s_ceiling(3.35e12, with_kv) == pytest.approx(3.35e12 / 80e9)
    assert decode_tokens_per_s_ceiling(3.35e12, with_kv) < decode_tokens_per_s_ceiling(3.35e12, plain)


def test_reference_model_rejects_bad_values():
    with pytest.raises(ValueError):
        ReferenceModel(active_parameters=0)
    with pytest.raises(ValueError):
        ReferenceModel(unknown_field=1)


def _chips() -> pd.DataFrame:
    return pd.DataFrame({
        "accelerator_id": ["a", "b", "c"],
        "accelerator_name": ["A", "B", "C"],
        "vendor": ["x", "y", "z"],
        "release_date": pd.to_datetime(["2022-01-01", "2024-06-30", "2024-07-01"]),
        "bf16_dense_flop_per_s": [1e15, None, 2e15],
        "memory_bytes": [8e10, 2.3e8, 1.92e11],
        "memory_bandwidth_bytes_per_s": [3e12, 8e13, None],
    })


def test_roofline_keeps_unknowns_empty_and_flags_sharding():
    out = accelerator_roofline(_chips(), ReferenceModel())
    by_id = out.set_index("accelerator_id")
    assert math.isnan(by_id.loc["b", "ridge_point_flop_per_byte"])  # no BF16 figure
    assert math.isnan(by_id.loc["c", "decode_tokens_per_s_batch1"])  # no bandwidth
    assert by_id.loc["a", "chips_to_hold_weights"] == 1
    assert by_id.loc["b", "chips_to_hold_weights"] == math.ceil(70e9 / 2.3e8)
    assert (out.fillna(-1).to_numpy() != 0).all(), "unknowns must never become zero"
    assert list(out["accelerator_id"])[:2] == ["b", "a"]  # sorted by decode ceiling


def test_as_of_rule_uses_release_date_inclusive():
    kept = released_by(_chips(), date(2024, 6, 30))
    assert list(kept["accelerator_id"]) == ["a", "b"]


@settings(deadline=None, max_examples=60)
@given(
    bandwidth=st.floats(1e10, 1e15),
    params=st.floats(1e8, 2e12),
    bytes_per_param=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_decode_ceiling_round_trips_to_bytes_per_second(bandwidth, params, bytes_per_param):
    model = ReferenceModel(active_parameters=params, bytes_per_parameter=bytes_per_param)
    tokens_per_s = decode_tokens_per_s_ceiling(bandwidth, model)
    assert tokens_per_s * params * bytes_per_param == pytest.approx(bandwidth, rel=1e-9)
    assert chips_to_hold_weights(np.array([params * bytes_per_param]), model)[0] == 1
