"""Numerical helpers (normal quantiles and CDF, OLS, row quantiles) and unit conversions (round trips)."""

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import units
from models.stats import norm_cdf, norm_ppf, ols, quantiles_rows, t_ppf


def test_norm_ppf_known_values():
    p = np.array([1e-6, 0.025, 0.1, 0.5, 0.9, 0.975, 1 - 1e-6])
    expected = [-4.753424, -1.959964, -1.281552, 0.0, 1.281552, 1.959964, 4.753424]
    assert norm_ppf(p) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("p, df, expected", [
    (0.95, 10, 1.812461), (0.95, 40, 1.683851), (0.9, 42, 1.301960), (0.975, 8, 2.306004),
])
def test_t_ppf_matches_tables(p, df, expected):
    assert t_ppf(p, df) == pytest.approx(expected, abs=2e-3)


def test_ols_recovers_a_line():
    x = np.arange(10.0)
    fit = ols(x, 3.0 + 0.5 * x)
    assert fit.slope == pytest.approx(0.5) and fit.intercept == pytest.approx(3.0)
    assert fit.slope_se == pytest.approx(0.0, abs=1e-12) and fit.r2 == pytest.approx(1.0)


def test_quantiles_rows_match_numpy():
    rng = np.random.default_rng(3)
    values = rng.lognormal(size=(4, 1001))
    ours = quantiles_rows(values)
    theirs = np.quantile(values, [0.1, 0.5, 0.9], axis=1)
    assert ours == pytest.approx(theirs)


def test_norm_cdf_matches_math_erf():
    x = np.concatenate([np.linspace(-37.0, 8.5, 40_001), [-1e-300, 0.0, 1e-300]])
    ref = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])  # erfc: accurate tails
    got = norm_cdf(x)
    assert np.max(np.abs(got - ref) / ref) <= 1e-7
    mid = np.abs(x) < 3
    via_erf = np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x[mid]])
    assert np.max(np.abs(got[mid] - via_erf) / via_erf) <= 1e-7
    assert np.all(np.diff(norm_cdf(np.linspace(-10, 10, 10_001))) >= 0)
    edge = norm_cdf(np.array([-np.inf, -40.0, np.inf, 40.0, np.nan]))
    assert edge[:4].tolist() == [0.0, 0.0, 1.0, 1.0] and np.isnan(edge[4])
    assert norm_cdf(np.zeros((2, 3))).shape == (2, 3)


@settings(deadline=None, max_examples=200)
@given(p=st.floats(1e-15, 1 - 1e-12))
def test_norm_cdf_inverts_norm_ppf(p):
    # norm_ppf is Acklam's (relative error ~1.2e-9 in z, so ~|z|^2 x that in p in the tails)
    assert float(norm_cdf(norm_ppf(np.array([p])))[0]) == pytest.approx(p, rel=1e-7)


def test_norm_cdf_is_fast():
    z = np.random.default_rng(0).standard_normal((100_000, 40))
    norm_cdf(z[:100])
    start = time.perf_counter()
    norm_cdf(z)
    assert time.perf_counter() - start < 1.0  # ~0.08 s on a quiet machine



positive = st.floats(1e-3, 1e30, allow_nan=False, allow_infinity=False)
fraction = st.floats(0.01, 1.0)


@settings(deadline=None, max_examples=100)
@given(flop=positive, peak=st.floats(1e12, 1e16), util=fraction, avail=fraction)
def test_flop_hours_installed_round_trip(flop, peak, util, avail):
    hours = units.flop_to_accelerator_hours(flop, peak, util)
    assert units.accelerator_hours_to_flop(hours, peak, util) == pytest.approx(flop, rel=1e-12)
    installed = units.hours_to_installed(hours, avail)
    assert units.installed_to_hours(installed, avail) == pytest.approx(hours, rel=1e-12)


@settings(deadline=None, max_examples=100)
@given(x=positive)
def test_energy_power_token_rounds_trip(x):
    assert units.twh_to_watt_hours(units.watt_hours_to_twh(x)) == pytest.approx(x, rel=1e-12)
    assert units.gw_to_watts(units.watts_to_gw(x)) == pytest.approx(x, rel=1e-12)
    assert units.tokens_per_year_to_per_day(units.tokens_per_day_to_per_year(x)) == pytest.approx(x, rel=1e-12)


@settings(deadline=None, max_examples=100)
@given(g=st.floats(0.01, 100))
def test_growth_slope_round_trip(g):
    assert units.log10_slope_to_growth(units.growth_to_log10_slope(g)) == pytest.approx(g, rel=1e-12)


def test_known_conversions():
    # an H100 (989.4 TFLOP/s BF16) at 40% MFU for one hour does 1.4248e18 FLOP
    assert units.accelerator_hours_to_flop(1.0, 9.894e14, 0.4) == pytest.approx(1.424736e18)
    assert units.hours_to_installed(8760.0, 1.0) == pytest.approx(1.0)
    assert units.h100e_per_chip(2 * 9.894e14, 9.894e14) == 2.0
    assert units.twh_to_kwh(1.0) == 1e9
    # DeepSeek's published day: 776e9 tokens for $87,072 -> ~$0.11 per million tokens
    assert units.usd_per_million_tokens(87_072.0, 776e9) == pytest.approx(0.1122, abs=1e-4)
