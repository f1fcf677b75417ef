"""Capex by layer (models/capex.py): purchases from the stock, GW added, IT and facility capex, the
layer split, and the capex rows the Monte Carlo summary carries."""

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import capex, resources
from models.capex import LAYER_BUCKETS, LAYERS, TOTAL_BUCKET, Capex, capex_paths, first_purchase_index

YEARS = np.array([2022, 2023, 2024, 2025, 2026])
REF = 2024
LIFE = 4.0
# years x draws (3 draws): rising in draw 0, flat in draw 1, falling after 2023 in draw 2
STOCK = np.array([
    [100.0, 100.0, 100.0],
    [200.0, 100.0, 400.0],
    [350.0, 100.0, 150.0],
    [500.0, 100.0, 100.0],
    [800.0, 100.0, 20.0],
])
W = np.array([700.0, 750.0, 800.0, 850.0, 900.0])  # board W per H100e, per year
D = {
    "server_overhead": np.array([1.5, 1.4, 1.6]),
    "pue": np.array([1.2, 1.3, 1.1]),
    "it_capex_usd_per_gw": np.array([30e9, 35e9, 40e9]),
    "it_capex_growth_per_year": np.array([1.10, 1.0, 0.9]),
    "facility_capex_usd_per_gw": np.array([12e9, 10e9, 14e9]),
}


def _paths(start=1, stock=STOCK, d=D):
    return capex_paths(YEARS, stock, W, d, LIFE, REF, start)


def test_purchases_are_growth_plus_retirements_and_nan_before_start():
    c = _paths(start=2)
    assert np.isnan(c.purchased_h100e[:2]).all()
    assert np.isnan(c.added_gw[:2]).all() and np.isnan(c.it_usd[:2]).all() and np.isnan(c.facility_usd[:2]).all()
    # draw 0, 2024: 350 - 200 x 0.75 = 200; 2025: 500 - 350 x 0.75 = 237.5; 2026: 800 - 375 = 425
    assert c.purchased_h100e[2:, 0] == pytest.approx([200.0, 237.5, 425.0])
    # flat stock: only replacements, 100 / life each year
    assert c.purchased_h100e[2:, 1] == pytest.approx([25.0, 25.0, 25.0])
    assert c.start == 2


def test_start_one_gives_the_second_year_a_figure():
    c = _paths(start=1)
    assert np.isnan(c.purchased_h100e[0]).all()
    # draw 0, 2023: 200 - 100 x 0.75 = 125; draw 2, 2023: 400 - 75 = 325
    assert c.purchased_h100e[1] == pytest.approx([125.0, 25.0, 325.0])


def test_a_falling_stock_buys_nothing_never_negative():
    c = _paths(start=1)
    # draw 2: 2024: 150 - 400 x 0.75 = -150 -> 0; 2025: 100 - 112.5 -> 0; 2026: 20 - 75 -> 0
    assert c.purchased_h100e[2:, 2] == pytest.approx([0.0, 0.0, 0.0])
    assert (c.added_gw[2:, 2] == 0).all() and (c.it_usd[2:, 2] == 0).all() and (c.facility_usd[2:, 2] == 0).all()
    assert np.nanmin(c.purchased_h100e) >= 0


def test_added_gw_is_purchases_times_watts_overhead_pue():
    c = _paths(start=1)
    expected = resources.h100e_to_gw(c.purchased_h100e, W, D["server_overhead"], D["pue"])
    np.testing.assert_allclose(c.added_gw, expected, equal_nan=True)
    # one cell by hand: draw 0, 2026: 425 H100e x 900 W x 1.5 x 1.2 / 1e9
    assert c.added_gw[4, 0] == pytest.approx(425.0 * 900.0 * 1.5 * 1.2 / 1e9)
    assert c.added_gw[3, 1] == pytest.approx(25.0 * 850.0 * 1.4 * 1.3 / 1e9)


def test_it_capex_grows_from_the_reference_year_facility_per_gw_is_constant():
    c = _paths(start=1)
    with np.errstate(invalid="ignore"):  # 0 / 0 where nothing is bought
        it_per_gw = c.it_usd[1:] / c.added_gw[1:]
        fac_per_gw = c.facility_usd[1:] / c.added_gw[1:]
    k = (YEARS[1:] - REF)[:, None]  # 2023..2026 -> -1..2
    expected_it = D["it_capex_usd_per_gw"][None, :] * D["it_capex_growth_per_year"][None, :] ** k
    ok = c.added_gw[1:] > 0
    np.testing.assert_allclose(it_per_gw[ok], expected_it[ok], rtol=1e-12)
    np.testing.assert_allclose(fac_per_gw[ok], np.broadcast_to(D["facility_capex_usd_per_gw"], ok.shape)[ok],
                               rtol=1e-12)
    # the reference year pays the stated price; one year on, x growth; one year before, / growth
    assert it_per_gw[1, 0] == pytest.approx(30e9)  # 2024
    assert it_per_gw[2, 0] == pytest.approx(33e9)  # 2025
    assert it_per_gw[0, 0] == pytest.approx(30e9 / 1.1)  # 2023
    assert it_per_gw[3, 0] == pytest.approx(30e9 * 1.21)  # 2026


@settings(deadline=None, max_examples=60)
@given(st.lists(st.floats(0.0, 1e7, allow_nan=False), min_size=4, max_size=4),
       st.floats(1.5, 8.0), st.integers(1, 3))
def test_purchases_match_the_formula_for_any_stock(stock, life, start):
    years = np.array([2023, 2024, 2025, 2026])
    s = np.array(stock)[:, None]
    d = {k: v[:1] for k, v in D.items()}
    c = capex_paths(years, s, W[:4], d, life, REF, start)
    for i in range(4):
        if i < start:
            assert np.isnan(c.purchased_h100e[i, 0])
        else:
            expected = max(stock[i] - stock[i - 1] * (1 - 1 / life), 0.0)
            assert c.purchased_h100e[i, 0] == pytest.approx(expected, rel=1e-12, abs=1e-9)
            assert c.total_usd[i, 0] >= 0


def test_layers_sum_to_their_group_and_the_total():
    c = _paths(start=1)
    it = sum(c.layer(layer.name) for layer in LAYERS if layer.group == "it")
    fac = sum(c.layer(layer.name) for layer in LAYERS if layer.group == "facility")
    np.testing.assert_allclose(it, c.it_usd, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(fac, c.facility_usd, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(sum(c.layer(n) for n in LAYER_BUCKETS), c.total_usd, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(c.total_usd, c.it_usd + c.facility_usd, equal_nan=True)
    # a layer is its group's total times its published share
    np.testing.assert_allclose(c.layer("capex_memory"), 0.10 * c.it_usd, equal_nan=True)
    np.testing.assert_allclose(c.layer("capex_buildings"), 0.21 * c.facility_usd, equal_nan=True)


def test_layer_of_a_hand_made_capex_and_unknown_name():
    one = np.array([[1.0]])
    c = Capex(one, one, np.array([[100.0]]), np.array([[10.0]]), 0)
    assert c.layer("capex_accelerators")[0, 0] == pytest.approx(57.0)
    assert c.layer("capex_power_cooling")[0, 0] == pytest.approx(7.9)
    assert c.total_usd[0, 0] == 110.0
    with pytest.raises(KeyError):
        c.layer("capex_total")
    with pytest.raises(KeyError):
        c.layer("nope")


def test_layer_table_shares_and_sources():
    groups = {layer.group for layer in LAYERS}
    assert groups == {"it", "facility"}
    for group in groups:
        assert sum(layer.share_of_group for layer in LAYERS if layer.group == group) == pytest.approx(1.0, abs=1e-12)
    for layer in LAYERS:
        assert 0 < layer.share_of_group < 1
        assert "https://" in layer.basis, layer.name
    assert len(set(LAYER_BUCKETS)) == len(LAYERS) == 6
    assert TOTAL_BUCKET not in LAYER_BUCKETS


def test_first_purchase_index():
    years = np.arange(2019, 2031)
    assert first_purchase_index(years, [2023, 2022, 2025]) == 2023 - 2019  # year after 2022
    assert first_purchase_index(years, np.array([2019])) == 1
    assert first_purchase_index(years, []) == 1
    assert first_purchase_index(years, [2030]) == len(years)  # 2031 is past the horizon
    assert first_purchase_index(years, [2035]) == len(years)
    assert first_purchase_index(years, [2010]) == 0  # observed before the first modelled year


# --- through the Monte Carlo summary --------------------------------------------------------------


@pytest.fixture(scope="module")
def capex_run(warehouse_inputs):
    from models.run import run_model
    from models.supply import supply_basis

    as_of = date(2026, 10, 31)
    out = run_model(warehouse_inputs, "base", as_of=as_of, draws=2000, snapshot_hash="ab" * 32)
    observed = supply_basis(warehouse_inputs.as_of(as_of).installed_base)
    return out.demand, sorted(observed["year"].astype(int))


def test_summary_has_capex_from_the_first_purchase_year(capex_run):
    demand, observed = capex_run
    assert observed, "the bundled installed base should have observed stock years"
    rows = demand[(demand["scope"] == "all_ai") & (demand["unit"] == capex.CAPEX_UNIT)]
    assert set(rows["bucket"]) == {TOTAL_BUCKET, *LAYER_BUCKETS}
    first = observed[0] + 1
    horizon = int(demand["year"].max())
    for bucket, g in rows.groupby("bucket"):
        assert sorted(g["year"]) == list(range(first, horizon + 1)), bucket
    # every other scope/unit has no capex rows, and purchases start the same year
    assert demand[(demand["unit"] == capex.CAPEX_UNIT) & (demand["scope"] != "all_ai")].empty
    purchased = demand[(demand["scope"] == "all_ai") & (demand["bucket"] == "purchased")]
    assert set(purchased["unit"]) == {"h100e", "gw"}
    assert purchased["year"].min() == first
    # non-capex buckets still cover the early years
    assert demand[(demand["scope"] == "all_ai") & (demand["bucket"] == "installed")]["year"].min() < first
    assert rows[["p10", "p50", "p90"]].notna().all().all()
    assert (rows["p10"] <= rows["p50"]).all() and (rows["p50"] <= rows["p90"]).all()
    assert (rows["p10"] >= 0).all() and (rows.loc[rows["bucket"] == TOTAL_BUCKET, "p50"] > 0).all()


def test_summary_layers_are_fixed_shares_within_each_group(capex_run):
    demand, _ = capex_run
    rows = demand[(demand["scope"] == "all_ai") & (demand["unit"] == capex.CAPEX_UNIT)]
    wide = rows.pivot(index="year", columns="bucket", values="p50")
    for group in ("it", "facility"):
        layers = [layer for layer in LAYERS if layer.group == group]
        # the group total implied by each layer (its P50 / its share) is the same for every layer
        implied = np.column_stack([wide[layer.name] / layer.share_of_group for layer in layers])
        np.testing.assert_allclose(implied, implied[:, :1].repeat(len(layers), axis=1), rtol=1e-6)
        # ... and the group's layer P50s sum to it
        np.testing.assert_allclose(sum(wide[layer.name] for layer in layers), implied[:, 0], rtol=1e-6)
    # IT and facility are not comonotone, so their P50s need not add to the total's P50 exactly,
    # but per draw total >= IT and total >= facility (both >= 0), so the same holds for the P50s
    it = sum(wide[layer.name] for layer in LAYERS if layer.group == "it")
    fac = sum(wide[layer.name] for layer in LAYERS if layer.group == "facility")
    total = wide[TOTAL_BUCKET]
    assert ((total >= it * (1 - 1e-9)) & (total >= fac * (1 - 1e-9))).all()
    assert (total > 0).all()


def test_headline_run_matches_the_full_run_on_its_series(warehouse_inputs):
    """run_headlines summarises only the headline series, with the same draws as run_model."""
    from models.run import HEADLINE_SERIES, run_headlines, run_model

    run = {"scenario": "base", "as_of": date(2026, 10, 31), "draws": 2000, "snapshot_hash": "ab" * 32}
    full = run_model(warehouse_inputs, **run)
    demand, cross = run_headlines(warehouse_inputs, **run)
    assert set(zip(demand["scope"], demand["bucket"], demand["unit"])) == HEADLINE_SERIES
    key = ["scope", "bucket", "unit", "year"]
    merged = demand.merge(full.demand, on=key, suffixes=("", "_full"))
    assert len(merged) == len(demand) and np.allclose(merged["p50"], merged["p50_full"])
    assert cross.set_index("unit")["p50"].equals(full.crossover_summary.set_index("unit")["p50"])
