"""The model's demand checked against the observed installed base: which years are compared,
how the stock is averaged, and the implied utilisation ratios (pure functions, small frames)."""

import pandas as pd
import pytest

from models.inputs import REQUIRED_COLUMNS, ModelInputs
from models.supply import observed_stock, supply_check


def _stock(as_of: str, year_values: dict[int, list[float]]) -> pd.DataFrame:
    rows = []
    for year, values in year_values.items():
        for quarter, value in enumerate(values, start=1):
            end = pd.Timestamp(year=year, month=3 * quarter, day=1) + pd.offsets.MonthEnd(0)
            for vendor, share in (("all", 1.0), ("nvidia", 0.8)):
                rows.append({"as_of_date": pd.Timestamp(as_of), "vendor": vendor, "period_end": end,
                             "year": year, "is_year_end": quarter == 4,
                             "installed_h100e": value * share, "installed_h100e_low": 0.8 * value * share,
                             "installed_h100e_high": 1.25 * value * share})
    return pd.DataFrame(rows)


def _demand(values: dict[int, tuple[float, float, float]]) -> pd.DataFrame:
    rows = []
    for y, (a, b, c) in values.items():
        rows.append({"year": y, "scope": "all_ai", "bucket": "total", "unit": "h100e", "p10": a, "p50": b, "p90": c})
        rows.append({"year": y, "scope": "generative", "bucket": "total", "unit": "h100e",
                     "p10": a / 2, "p50": b / 2, "p90": c / 2})
        rows.append({"year": y, "scope": "all_ai", "bucket": "utilisation", "unit": "fraction",
                     "p10": 0.4, "p50": 0.6, "p90": 0.8})
    rows.append({"year": 2024, "scope": "all_ai", "bucket": "total", "unit": "gw", "p10": 1, "p50": 2, "p90": 3})
    return pd.DataFrame(rows)


def test_only_years_with_four_quarter_ends_are_observed_and_averaged():
    stock = _stock("2025-06-30", {2023: [1, 2, 3, 4], 2024: [5, 6, 7, 8], 2025: [9]})
    observed = observed_stock(stock)
    assert observed["year"].tolist() == [2023, 2024]
    assert observed["observed_h100e"].tolist() == [2.5, 6.5]  # 'all' only, yearly mean
    assert observed["as_of_date"].iloc[0] == "2025-06-30"


def test_the_check_sets_the_modelled_work_and_its_utilisation_beside_the_stock():
    stock = _stock("2025-06-30", {2023: [1, 1, 1, 1], 2024: [4, 4, 4, 4]})
    check = supply_check(_demand({2023: (1, 1, 1), 2024: (1.0, 2.0, 3.0), 2030: (9, 9, 9)}), stock)
    # only years both cover, from the stock's second year (its first lacks earlier chips)
    assert len(check) == 1 and check["year"].iloc[0] == 2024
    row = check.iloc[0]
    assert row["observed_h100e"] == 4 and row["modelled_h100e_p50"] == 2.0  # all AI work
    assert row["generative_h100e_p50"] == 1.0
    # the utilisation is the model's own per-draw ratio (allocated / installed), not a ratio of quantiles
    assert (row["implied_utilisation_p10"], row["implied_utilisation_p50"],
            row["implied_utilisation_p90"]) == pytest.approx((0.4, 0.6, 0.8))


def test_empty_installed_base_gives_an_empty_check():
    nothing = _stock("2025-06-30", {2024: [1, 1, 1, 1]}).iloc[0:0]
    assert supply_check(_demand({2024: (1, 2, 3)}), nothing).empty


def test_as_of_picks_the_latest_vintage_known_by_the_date():
    stock = pd.concat([_stock("2025-03-31", {2024: [1, 1, 1, 1]}),
                       _stock("2025-09-30", {2024: [2, 2, 2, 2]})])
    empty = {name: pd.DataFrame(columns=columns) for name, columns in REQUIRED_COLUMNS.items()
             if name != "installed_base"}
    inputs = ModelInputs(**empty, installed_base=stock)
    assert set(inputs.as_of("2025-06-30").installed_base["as_of_date"]) == {pd.Timestamp("2025-03-31")}
    assert set(inputs.as_of("2025-12-31").installed_base["as_of_date"]) == {pd.Timestamp("2025-09-30")}
    assert inputs.as_of("2024-12-31").installed_base.empty  # nothing was known yet
