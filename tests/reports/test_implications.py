"""The brief's investment implications (reports/implications.py) on hand-made frames: fleet mix by
vendor class, thresholds from the tornado, model-implied market values, inference leaders."""

import math

import numpy as np
import pandas as pd
import pytest

from models.capex import CAPEX_UNIT, LAYERS, TOTAL_BUCKET
from reports import implications as imp
from reports.implications import OBSERVABLES, THRESHOLD_ROWS, VENDOR_CLASSES


# --- fleet_mix -------------------------------------------------------------------------------------


def _ib_rows(as_of: str, cumulative: dict[str, dict[int, float]]) -> list[dict]:
    """Two quarter-ends per year; the year's last quarter carries the given cumulative figure, the
    earlier one a smaller decoy (the function must take the last period of the year)."""
    rows = []
    for vendor, by_year in cumulative.items():
        for year, cum in by_year.items():
            rows.append({"as_of_date": as_of, "period_end": f"{year}-12-31", "year": year, "vendor": vendor,
                         "shipped_h100e_cumulative": cum})
            rows.append({"as_of_date": as_of, "period_end": f"{year}-06-30", "year": year, "vendor": vendor,
                         "shipped_h100e_cumulative": cum * 0.5})
    return rows


LATEST = {
    "nvidia": {2022: 100.0, 2023: 300.0, 2024: 700.0},
    "google": {2022: 50.0, 2023: 50.0, 2024: 150.0},  # does not move in 2023
    "huawei": {2023: 20.0, 2024: 60.0},  # series starts in 2023
    "all": {2022: 1e9, 2023: 2e9, 2024: 3e9},  # the aggregate: ignored
}
OLDER = {"nvidia": {2022: 1.0, 2023: 2.0, 2024: 3.0}, "google": {2022: 9.0, 2023: 99.0, 2024: 999.0}}


@pytest.fixture
def mix() -> pd.DataFrame:
    frame = pd.DataFrame(_ib_rows("2025-03-31", OLDER) + _ib_rows("2025-06-30", LATEST))
    return imp.fleet_mix(frame.sample(frac=1.0, random_state=3))  # order must not matter


def _cell(mix, year, cls, column):
    row = mix[(mix["year"] == year) & (mix["vendor_class"] == cls)]
    assert len(row) == 1
    return row[column].iloc[0]


def test_vendor_classes():
    assert VENDOR_CLASSES["nvidia"] == "GPU"
    assert VENDOR_CLASSES["google"] == "custom ASIC"
    assert VENDOR_CLASSES["huawei"] == "other accelerator"


def test_fleet_mix_shipments_per_class_latest_vintage(mix):
    assert list(mix.columns) == ["year", "vendor_class", "shipped_h100e", "share", "missing_vendors"]
    assert sorted(mix["year"].unique()) == [2022, 2023, 2024]
    assert len(mix) == 3 * len(imp.CLASS_ORDER)
    # 2022: first year of nvidia and google: their shipments to date
    assert _cell(mix, 2022, "GPU", "shipped_h100e") == pytest.approx(100.0)
    assert _cell(mix, 2022, "custom ASIC", "shipped_h100e") == pytest.approx(50.0)
    assert _cell(mix, 2022, "other accelerator", "shipped_h100e") == 0.0
    # 2024: differences of the cumulative figures
    assert _cell(mix, 2024, "GPU", "shipped_h100e") == pytest.approx(400.0)
    assert _cell(mix, 2024, "custom ASIC", "shipped_h100e") == pytest.approx(100.0)
    assert _cell(mix, 2024, "other accelerator", "shipped_h100e") == pytest.approx(40.0)
    assert _cell(mix, 2024, "GPU", "share") == pytest.approx(400.0 / 540.0)
    # the 'all' rows would have dwarfed everything; the older vintage would give other numbers
    assert mix["shipped_h100e"].max() < 1e6


def test_fleet_mix_vendor_without_movement_is_missing_and_shares_are_of_reporters(mix):
    y2023 = mix[mix["year"] == 2023]
    assert set(y2023["missing_vendors"]) == {"google"}
    assert _cell(mix, 2023, "custom ASIC", "shipped_h100e") == 0.0
    # 2023 reporters: nvidia 200 (GPU), huawei 20 (its first year: shipments to date)
    assert _cell(mix, 2023, "GPU", "shipped_h100e") == pytest.approx(200.0)
    assert _cell(mix, 2023, "other accelerator", "shipped_h100e") == pytest.approx(20.0)
    assert _cell(mix, 2023, "GPU", "share") == pytest.approx(200.0 / 220.0)
    for year, g in mix.groupby("year"):
        assert g["share"].sum() == pytest.approx(1.0), year
    # 2022: huawei's series has not started
    assert set(mix.loc[mix["year"] == 2022, "missing_vendors"]) == {"huawei"}
    assert set(mix.loc[mix["year"] == 2024, "missing_vendors"]) == {""}


def test_fleet_mix_several_missing_vendors_are_listed_sorted():
    frame = pd.DataFrame(_ib_rows("2025-06-30", {
        "nvidia": {2022: 10.0, 2023: 30.0}, "meta": {2022: 5.0, 2023: 5.0}, "amd": {2022: 4.0, 2023: 4.0}}))
    mix = imp.fleet_mix(frame)
    assert set(mix.loc[mix["year"] == 2023, "missing_vendors"]) == {"amd, meta"}
    assert _cell(mix, 2023, "GPU", "share") == pytest.approx(1.0)  # nvidia alone reports
    assert _cell(mix, 2022, "GPU", "shipped_h100e") == pytest.approx(14.0)  # nvidia + amd


def test_fleet_mix_empty():
    for empty in (None, pd.DataFrame(columns=["as_of_date", "period_end", "year", "vendor",
                                              "shipped_h100e_cumulative"])):
        out = imp.fleet_mix(empty)
        assert out.empty
        assert list(out.columns) == ["year", "vendor_class", "shipped_h100e", "share", "missing_vendors"]


# --- thresholds / unobservable_leaders -------------------------------------------------------------


class FakeView:
    def __init__(self, tables=None, all_ai=None, bands=None):
        self.tables = tables or {}
        self.all_ai = all_ai
        self._bands = bands or {}

    def band(self, bucket, unit, year, scope="generative"):
        return self._bands[(bucket, unit, year, scope)]


HORIZON = 2030
UNIT = "share_of_accelerator_hours"


def _tornado(drivers_swings: list[tuple[str, float]], year=HORIZON, unit=UNIT) -> pd.DataFrame:
    rows = []
    for rank, (driver, swing) in enumerate(sorted(drivers_swings, key=lambda x: -x[1]), start=1):
        rows.append({"driver": driver, "driver_unit": "x/yr", "unit": unit, "year": year,
                     "value_p10": 1.0 + rank, "value_p50": 2.0 + rank, "value_p90": 3.0 + rank,
                     "share_at_p10": 0.4, "share_base": 0.5, "share_at_p90": 0.5 + swing,
                     "swing": swing, "rank": rank})
    return pd.DataFrame(rows)


@pytest.fixture
def tornado_view():
    observable = list(OBSERVABLES)
    swings = [
        ("internal_inference_ratio", 0.30),  # no public series, top
        ("some_unlisted_driver", 0.25),
        (observable[0], 0.20),
        ("internal_inference_growth_per_year", 0.18),
        (observable[1], 0.15),
        (observable[2], 0.12),
        (observable[3], 0.10),
        (observable[4], 0.08),
        (observable[5], 0.05),
    ]
    main = _tornado(swings)
    # same drivers for another year and another unit: must be ignored
    other_year = _tornado([(observable[6], 0.99)], year=HORIZON - 1)
    other_unit = _tornado([(observable[7], 0.98)], unit="share_of_energy")
    frame = pd.concat([main, other_year, other_unit], ignore_index=True).sample(frac=1.0, random_state=1)
    return FakeView(tables={"tornado": frame}), observable


def test_thresholds_are_observable_drivers_by_swing(tornado_view):
    view, observable = tornado_view
    rows = imp.thresholds(view, HORIZON)
    assert THRESHOLD_ROWS == 4
    assert [r["driver"] for r in rows] == observable[:4]
    assert all(r["driver"] in OBSERVABLES for r in rows)
    swings = [r["swing"] for r in rows]
    assert swings == sorted(swings, reverse=True) == [0.20, 0.15, 0.12, 0.10]
    first = rows[0]
    assert (first["watch"], first["where"]) == OBSERVABLES[observable[0]]
    assert first["unit"] == "x/yr"
    assert (first["low"], first["base"], first["high"]) == (4.0, 5.0, 6.0)  # rank 3
    assert first["rank"] == 3 and first["share_at_high"] == pytest.approx(0.7)


def test_thresholds_fewer_than_the_cap(tornado_view):
    view, observable = tornado_view
    rows = imp.thresholds(view, HORIZON, unit="share_of_energy")
    assert [r["driver"] for r in rows] == [observable[7]]
    assert imp.thresholds(view, HORIZON + 5) == []


def test_unobservable_leaders_are_the_drivers_above_the_first_observable(tornado_view):
    view, _ = tornado_view
    leaders = imp.unobservable_leaders(view, HORIZON)
    assert [r["driver"] for r in leaders] == ["internal_inference_ratio", "some_unlisted_driver"]
    assert [r["public_series"] for r in leaders] == [False, True]
    assert [r["rank"] for r in leaders] == [1, 2]


def test_unobservable_leaders_empty_when_an_observable_leads():
    obs = next(iter(OBSERVABLES))
    view = FakeView(tables={"tornado": _tornado([(obs, 0.5), ("internal_inference_ratio", 0.4)])})
    assert imp.unobservable_leaders(view, HORIZON) == []
    assert [r["driver"] for r in imp.thresholds(view, HORIZON)] == [obs]


# --- model_implied ---------------------------------------------------------------------------------

CAPEX_YEARS = [2024, 2025, 2026]


def _capex_view() -> FakeView:
    """A view with capex rows for 2024-2026: total 100 x (year - 2020), each layer share x total."""
    rows, bands = [], {}
    for year in CAPEX_YEARS:
        total = 100.0 * (year - 2020)
        entries = [(TOTAL_BUCKET, total)] + [(layer.name, total * layer.share_of_group) for layer in LAYERS]
        for bucket, p50 in entries:
            band = (0.5 * p50, p50, 2.0 * p50)
            rows.append({"bucket": bucket, "unit": CAPEX_UNIT, "year": year, "p10": band[0], "p50": p50,
                         "p90": band[2]})
            bands[(bucket, CAPEX_UNIT, year, "all_ai")] = band
    # another unit with other years: must not count as capex years
    rows.append({"bucket": "installed", "unit": "gw", "year": 2030, "p10": 1.0, "p50": 2.0, "p90": 3.0})
    all_ai = pd.DataFrame(rows).set_index(["bucket", "unit", "year"])
    return FakeView(all_ai=all_ai, bands=bands)


def _quarters(series, year, values, complete=(True, True, True, True), quarters=(1, 2, 3, 4)):
    return [{"series": series, "calendar_year": year, "calendar_quarter": q, "value": v, "is_complete": c}
            for q, v, c in zip(quarters, values, complete)]


def test_capex_years_of_the_fake_view():
    assert imp.capex_years(_capex_view()) == CAPEX_YEARS


def test_model_implied_uses_the_last_complete_year():
    market = pd.DataFrame(
        _quarters("hyperscaler_capex", 2024, [10, 20, 30, 40])
        + _quarters("hyperscaler_capex", 2025, [1, 2, 3, 4])
        + _quarters("hyperscaler_capex", 2026, [100, 100, 100, 100], complete=(True, True, True, False))
        + _quarters("hyperscaler_capex", 2027, [7, 7, 7, 7])  # complete, but no model capex that year
        + _quarters("nvidia_data_center_revenue", 2024, [5, 5, 5, 5])
        + _quarters("nvidia_data_center_revenue", 2025, [6, 6, 6], quarters=(1, 2, 3))  # Q4 not reported
        + _quarters("some_other_series", 2026, [9, 9, 9, 9]))
    out = imp.model_implied(_capex_view(), market)
    assert set(out) == {"hyperscaler_capex", "nvidia_data_center_revenue"}

    hc = out["hyperscaler_capex"]
    assert hc["year"] == 2025  # 2026 has an incomplete quarter, 2027 no model figure
    assert hc["reported"] == pytest.approx(10.0)
    assert hc["p50"] == pytest.approx(500.0)
    assert (hc["p10"], hc["p90"]) == (pytest.approx(250.0), pytest.approx(1000.0))
    assert hc["ratio"] == pytest.approx(50.0)

    nv = out["nvidia_data_center_revenue"]
    assert nv["year"] == 2024
    assert nv["reported"] == pytest.approx(20.0)
    shares = {layer.name: layer.share_of_group for layer in LAYERS}
    expected = 400.0 * (shares["capex_accelerators"] + shares["capex_memory"] + shares["capex_networking"])
    assert nv["p50"] == pytest.approx(expected)
    assert nv["p90"] == pytest.approx(2.0 * expected)
    assert nv["ratio"] == pytest.approx(expected / 20.0)
    assert "NVIDIA" in nv["scope"]


def test_model_implied_nothing_to_compare():
    view = _capex_view()
    assert imp.model_implied(view, pd.DataFrame()) == {}
    assert imp.model_implied(view, None) == {}
    only_incomplete = pd.DataFrame(_quarters("hyperscaler_capex", 2025, [1, 2, 3, 4],
                                             complete=(True, False, True, True)))
    assert imp.model_implied(view, only_incomplete) == {}


def test_model_implied_without_capex_rows():
    all_ai = pd.DataFrame([{"bucket": "installed", "unit": "gw", "year": 2025, "p10": 1, "p50": 2, "p90": 3}]
                          ).set_index(["bucket", "unit", "year"])
    view = FakeView(all_ai=all_ai)
    assert imp.capex_years(view) == []
    assert imp.model_implied(view, pd.DataFrame(_quarters("hyperscaler_capex", 2025, [1, 2, 3, 4]))) == {}


# --- inference_leaders -----------------------------------------------------------------------------


def test_inference_leaders_cheapest_first_for_the_reference_model():
    fit = pd.DataFrame([
        {"reference_model": "llama-70b", "accelerator_id": "h100", "accelerator_name": "H100",
         "usd_per_million_tokens": 0.50, "decode_tokens_per_s_batch1": 40.0, "price_basis": "rental"},
        {"reference_model": "llama-70b", "accelerator_id": "b200", "accelerator_name": "B200",
         "usd_per_million_tokens": 0.20, "decode_tokens_per_s_batch1": 90.0, "price_basis": "rental"},
        {"reference_model": "llama-70b", "accelerator_id": "tpu", "accelerator_name": "TPU",
         "usd_per_million_tokens": np.nan, "decode_tokens_per_s_batch1": 60.0, "price_basis": None},
        {"reference_model": "llama-70b", "accelerator_id": "mi300", "accelerator_name": "MI300X",
         "usd_per_million_tokens": 0.30, "decode_tokens_per_s_batch1": 55.0, "price_basis": "list"},
        {"reference_model": "llama-70b", "accelerator_id": "a100", "accelerator_name": "A100",
         "usd_per_million_tokens": 0.90, "decode_tokens_per_s_batch1": 20.0, "price_basis": "rental"},
        {"reference_model": "llama-8b", "accelerator_id": "cheap", "accelerator_name": "Cheap",
         "usd_per_million_tokens": 0.01, "decode_tokens_per_s_batch1": 500.0, "price_basis": "rental"},
    ])
    leaders = imp.inference_leaders(fit, "llama-70b")
    assert [r["accelerator_id"] for r in leaders] == ["b200", "mi300", "h100"]
    assert [r["usd_per_million_tokens"] for r in leaders] == [0.20, 0.30, 0.50]
    assert set(leaders[0]) == {"accelerator_id", "accelerator_name", "usd_per_million_tokens",
                               "decode_tokens_per_s_batch1", "price_basis"}
    everything = imp.inference_leaders(fit, "llama-70b", n=10)
    assert [r["accelerator_id"] for r in everything] == ["b200", "mi300", "h100", "a100"]
    assert not any(math.isnan(r["usd_per_million_tokens"]) for r in everything)
    assert imp.inference_leaders(fit, "unknown-model") == []


def test_latest_vintages_keep_the_restated_value_and_flag_it():
    from reports.market import market_context

    rows = []
    for q in (1, 2, 3, 4):
        rows.append({"series": "hyperscaler_capex", "label": "Hyperscaler capex", "unit": "USD", "calendar_year": 2025,
                     "calendar_quarter": q, "period_end": f"2025-{3 * q:02d}-28", "value": 100e9 + q * 1e9,
                     "components": 4, "is_complete": True, "disclosed_on": f"2025-{3 * q:02d}-28", "detail": "",
                     "is_restated": False, "first_reported_value": 100e9 + q * 1e9})
    rows.append(rows[0] | {"value": 150e9, "disclosed_on": "2026-01-15", "is_restated": True})  # Q1 restated later
    market = pd.DataFrame(rows)
    latest = imp.latest_vintages(market)
    assert len(latest) == 4
    q1 = latest[latest["calendar_quarter"] == 1].iloc[0]
    assert q1["value"] == 150e9 and bool(q1["is_restated"])

    class View:
        tables = {}

    out, panels, frame = market_context(market, View())
    assert "restated: 2025 Q1 (first reported $101 billion)" in out[0]["notes"]
    assert len(panels[0]["y"]) == 4 and 150e9 in panels[0]["y"]
    # a brief dated before the restatement sees the first report only
    earlier = market[pd.to_datetime(market["disclosed_on"]) <= pd.Timestamp("2025-12-31")]
    out, _, _ = market_context(earlier, View())
    assert "restated" not in out[0]["notes"]


def test_chart_whiskers_are_never_negative():
    from reports.charts import _whiskers

    p50 = np.array([1.0, 2.0, 3.0])
    err = _whiskers(p50, np.array([1.0 + 1e-15, 1.5, np.nan]), np.array([1.0, 2.5, 4.0]))
    assert err.shape == (2, 3) and (err >= 0).all()
    assert err[:, 1].tolist() == [0.5, 0.5] and err[0, 2] == 0.0


def test_fleet_mix_names_missing_vendors_as_readers_know_them():
    """The brief listed 'amd, aws, huawei' (slugs); with the mart's vendor_name it lists brands."""
    rows = _ib_rows("2025-06-30", {"nvidia": {2022: 10.0, 2023: 30.0}, "aws": {2022: 5.0, 2023: 5.0},
                                   "amd": {2022: 4.0, 2023: 4.0}})
    names = {"nvidia": "NVIDIA", "aws": "AWS", "amd": "AMD"}
    mix = imp.fleet_mix(pd.DataFrame([r | {"vendor_name": names[r["vendor"]]} for r in rows]))
    assert set(mix.loc[mix["year"] == 2023, "missing_vendors"]) == {"AMD, AWS"}


def test_a_driver_that_barely_moves_the_share_is_no_threshold():
    """The 2026-10 brief listed power growth at 1.3x/yr and 1.7x/yr, both giving 75%: no view changes."""
    obs = list(OBSERVABLES)
    view = FakeView(tables={"tornado": _tornado([(obs[0], 0.3), (obs[1], 0.009), (obs[2], 0.02)])})
    assert [r["driver"] for r in imp.thresholds(view, HORIZON)] == [obs[0], obs[2]]
