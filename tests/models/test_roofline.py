import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.roofline import ReferenceModel, decode_tokens_per_s_ceiling, ridge_point_flop_per_byte


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
