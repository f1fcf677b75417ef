"""The Monte Carlo engine and the model's invariants (property tests with hypothesis)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import montecarlo as mc
from models.buckets import BUCKETS
from models.driver_registry import DRIVERS
from models.paths import simulate
from models.summary import DEMAND_COLUMNS, SHARE_UNITS, UNITS

def _drivers_at(prepared, u: np.ndarray) -> dict:
    """One 'draw' per column of u (drivers x cases), through each driver's inverse CDF."""
    return {name: np.asarray(prepared.drivers[name].ppf(u[i]), dtype=float) for i, name in enumerate(DRIVERS)}


quantile_vectors = st.lists(st.floats(0.001, 0.999), min_size=len(DRIVERS), max_size=len(DRIVERS))


def test_same_seed_same_numbers_other_seed_other_numbers(prepared):
    ctx, drivers = prepared.context, prepared.drivers
    a, ca, sa, _, wa = mc.run_monte_carlo(ctx, drivers, 2_000, 11, "base", "h", prepared.correlations)
    b, cb, sb, _, wb = mc.run_monte_carlo(ctx, drivers, 2_000, 11, "base", "h", prepared.correlations)
    assert (wa.idx == wb.idx).all() and wa.ess == wb.ess
    c, *_ = mc.run_monte_carlo(ctx, drivers, 2_000, 12, "base", "h", prepared.correlations)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ca, cb)
    pd.testing.assert_frame_equal(sa, sb)
    assert not np.allclose(a["p50"], c["p50"])


def test_draws_come_from_one_matrix_in_registry_order(prepared):
    d1 = mc.draw_drivers(prepared.drivers, 5, np.random.default_rng(3))
    u = np.random.default_rng(3).random((5, len(DRIVERS)))
    for i, name in enumerate(DRIVERS):
        assert d1[name] == pytest.approx(prepared.drivers[name].ppf(u[:, i]))


def test_long_format_and_labels(model_outputs):
    demand = model_outputs.demand
    assert list(demand.columns) == DEMAND_COLUMNS
    assert (demand["scenario"] == "base").all() and (demand["seed"] == 7).all()
    assert (demand["snapshot_hash"] == "test-hash").all()
    assert set(demand["bucket"]) >= set(BUCKETS) | {"training_total", "inference_total", "total",
                                                     "inference_share"}
    assert set(demand["year"]) == set(range(2019, 2031))
    assert not demand[["p10", "p50", "p90"]].isna().any().any()
    assert (demand["p10"] <= demand["p50"] + 1e-9 * demand["p50"].abs()).all()
    assert (demand["p50"] <= demand["p90"] + 1e-9 * demand["p90"].abs()).all()
    assert not demand.duplicated(["year", "scope", "bucket", "unit"]).any()
    assert set(demand["scope"]) == {"generative", "all_ai"}
    all_ai = set(demand.loc[demand["scope"] == "all_ai", "bucket"])
    assert all_ai >= {"other_ai_training", "other_ai_inference", "idle_or_ramping", "installed", "total",
                      "inference_share", "utilisation"}


def test_draw_level_buckets_sum_to_totals_and_shares_are_fractions(prepared):
    paths = simulate(prepared.context, mc.draw_drivers(prepared.drivers, 3_000, np.random.default_rng(5)))
    sides = prepared.context.sides
    for unit in UNITS:
        tr, inf = paths.side_totals(unit)
        assert tr == pytest.approx(sum(paths.unit(b, unit) for b in BUCKETS if sides[b] == "training"))
        assert tr + inf == pytest.approx(sum(paths.unit(b, unit) for b in BUCKETS), rel=1e-12)
    for unit in SHARE_UNITS:
        share = paths.inference_share(unit)
        assert np.isfinite(share).all() and (share >= 0).all() and (share <= 1).all()


def test_supply_bounds_change_levels_and_demand_is_reported_beside_served(prepared):
    d = mc.draw_drivers(prepared.drivers, 1_000, np.random.default_rng(8))
    capped = simulate(prepared.context, d)
    loose = dict(d)
    loose["supply_growth_per_year"] = np.full_like(d["supply_growth_per_year"], 5.0)
    loose["power_growth_cap_per_year"] = np.full_like(d["power_growth_cap_per_year"], 4.0)
    free = simulate(prepared.context, loose)
    assert (capped.served_fraction <= 1 + 1e-12).all() and (capped.served_fraction > 0).all()
    assert capped.served_fraction.min() < 1  # it binds somewhere on the snapshot
    assert (free.stock_h100e >= capped.stock_h100e * (1 - 1e-12)).all()
    for b in BUCKETS:  # served never exceeds demand, and looser supply never serves less
        assert (capped.hours[b] <= capped.demand_hours[b] * (1 + 1e-12)).all()
        assert (capped.unit(b, "flop") <= free.unit(b, "flop") * (1 + 1e-9)).all()


def test_crossover_distribution_sums_to_one(model_outputs):
    cross = model_outputs.crossover
    for unit, group in cross.groupby("unit"):
        assert group["probability"].sum() == pytest.approx(1.0)
        assert set(group["outcome"]) <= {"in_year", "by_first_year", "not_by_horizon"}
    summary = model_outputs.crossover_summary.set_index("unit")
    assert set(summary.index) == {"flop", "accelerator_hours", "usd"}
    # hours per FLOP are higher for inference (serving utilisation), so it crosses no later in hours
    p50 = summary["p50"]
    if not pd.isna(p50["flop"]) and not pd.isna(p50["accelerator_hours"]):
        assert p50["accelerator_hours"] <= p50["flop"]


def test_synthetic_data_switch_moves_only_that_bucket(prepared):
    d = mc.draw_drivers(prepared.drivers, 500, np.random.default_rng(2))
    paths = simulate(prepared.context, d)
    tr, inf = paths.side_totals("flop")
    prepared.context.synthetic_data_side = "inference"
    try:
        tr2, inf2 = paths.side_totals("flop")
    finally:
        prepared.context.synthetic_data_side = "training"
    synth = paths.unit("synthetic_data", "flop")
    assert tr2 == pytest.approx(tr - synth) and inf2 == pytest.approx(inf + synth)


@settings(deadline=None, max_examples=40)
@given(u=quantile_vectors)
def test_property_shares_in_unit_interval_and_buckets_sum(prepared, u):
    d = _drivers_at(prepared, np.array(u)[:, None])
    paths = simulate(prepared.context, d)
    for unit in UNITS:
        tr, inf = paths.side_totals(unit)
        total = sum(paths.unit(b, unit) for b in BUCKETS)
        assert np.all(total > 0) and tr + inf == pytest.approx(total, rel=1e-12)
        for b in BUCKETS:
            assert np.all(paths.unit(b, unit) >= 0)
    for unit in SHARE_UNITS:
        share = paths.inference_share(unit)
        assert np.all((share >= 0) & (share <= 1))


REASONING_DRIVERS = ["reasoning_token_multiplier", "reasoning_multiplier_growth_per_year",
                     "reasoning_conversion_per_year"]


@settings(deadline=None, max_examples=40)
@given(u=quantile_vectors, which=st.sampled_from(REASONING_DRIVERS),
       lo=st.floats(0.001, 0.999), hi=st.floats(0.001, 0.999))
def test_property_more_reasoning_tokens_never_lowers_the_inference_share(prepared, u, which, lo, hi):
    lo, hi = sorted((lo, hi))
    base = np.array(u)
    cases = np.repeat(base[:, None], 2, axis=1)
    i = list(DRIVERS).index(which)
    cases[i] = [lo, hi]
    paths = simulate(prepared.context, _drivers_at(prepared, cases))
    for unit in SHARE_UNITS:
        share = paths.inference_share(unit)
        assert np.all(share[:, 1] >= share[:, 0] - 1e-12), (which, unit)


@settings(deadline=None, max_examples=25)
@given(u=quantile_vectors)
def test_property_more_training_growth_never_raises_the_inference_share(prepared, u):
    cases = np.repeat(np.array(u)[:, None], 2, axis=1)
    cases[list(DRIVERS).index("frontier_growth_per_year")] = [0.1, 0.9]
    share = simulate(prepared.context, _drivers_at(prepared, cases)).inference_share("flop")
    # Where the allocation rule binds (demand far above the stock), the split follows the rule and
    # the stock path, which a larger demand can move by a fraction of a point either way.
    assert np.all(share[:, 1] <= share[:, 0] + 0.01)


def test_engine_is_vectorised_and_fast_enough(prepared):
    import time

    start = time.perf_counter()
    mc.run_monte_carlo(prepared.context, prepared.drivers, 10_000, 1, "base", "h")
    assert time.perf_counter() - start < 5.0
