"""The supply marts on the bundled snapshot: shipments in H100-equivalents, the installed base
built from them, and the market tables. The installed base is checked, with the numbers printed
(`pytest -s`), against the public shipment-based estimates it is built from and against Epoch AI's
published installed-base estimates; where the scope differs, the test says which."""

import pandas as pd
import pytest

YEARS = (2022, 2023, 2024, 2025)


@pytest.fixture(scope="module")
def installed(bundled_warehouse):
    return bundled_warehouse.frame(
        "select * from marts.fct_installed_base where is_year_end and is_latest order by period_end, vendor")


@pytest.fixture(scope="module")
def shipments(bundled_warehouse):
    return bundled_warehouse.frame("select * from marts.fct_accelerator_shipments").set_index("shipment_id")


def _total(installed, year: int):
    return installed[(installed["year"] == year) & (installed["vendor"] == "all")].iloc[0]


def test_year_end_stock_2022_2025_lies_within_the_estimates_it_is_built_from(installed, shipments):
    """Each year's central stock sits inside the range spanned by the lowest and highest published
    estimate of every cohort, and the stock grows while shipments come in."""
    print("\nyear-end installed base, H100-equivalents (all tracked vendors):")
    previous = 0.0
    for year in YEARS:
        row = _total(installed, year)
        print(f"  {year}: {row.installed_h100e / 1e6:6.2f}M (range {row.installed_h100e_low / 1e6:.2f}-"
              f"{row.installed_h100e_high / 1e6:.2f}M), {row.installed_units / 1e6:.2f}M chips; "
              f"shipped to date {row.shipped_h100e_cumulative / 1e6:.2f}M")
        assert row.installed_h100e_low <= row.installed_h100e <= row.installed_h100e_high
        assert row.installed_h100e > previous
        previous = row.installed_h100e
    # the in-stock estimates' own sum bounds the stock: nothing is invented between them
    in_stock = shipments[shipments["in_stock"] & (shipments["metric"] == "shipped")]
    assert _total(installed, 2025).shipped_h100e_cumulative <= in_stock["units_high_h100e"].fillna(
        in_stock["units_h100e"]).sum()


# Epoch AI's installed-base estimates (rows of accelerator_shipments with metric 'installed') the
# stock is compared with, and the factor within which it must agree. Epoch's NVIDIA figure counts
# 2019-2021 shipments, which have no public unit figure in the snapshot (the stock starts in 2022):
# it may be lower by that part. Epoch's global figure is cumulative with no retirement and says
# "more than": it is compared with shipped_h100e_cumulative, as a lower bound.
ANCHORS = [
    # (shipment_id, vendor in the mart, column, lowest ratio, highest ratio, scope note)
    ("epoch-nvidia-installed-h100e-2024", "nvidia", "installed_h100e", 0.7, 1.3,
     "NVIDIA installed base, early 2025 (Epoch incl. 2019-21 chips; the stock starts in 2022)"),
    ("epoch-global-installed-h100e-2025", "all", "shipped_h100e_cumulative", 1.0, 1.5,
     "all AI accelerators shipped 2022-2025, no retirement (Epoch: 'more than 15M')"),
]


@pytest.mark.parametrize("anchor", ANCHORS, ids=[a[0] for a in ANCHORS])
def test_stock_agrees_with_epochs_installed_base_estimates(installed, shipments, anchor):
    shipment_id, vendor, column, low, high, scope = anchor
    published = shipments.loc[shipment_id]
    assert published["metric"] == "installed" and published["basis"] == "epoch_estimate"
    year = published["period_end"].year
    ours = installed[(installed["year"] == year) & (installed["vendor"] == vendor)].iloc[0][column]
    ratio = ours / published["units_h100e"]
    print(f"\n{scope}: flopcast {ours / 1e6:.2f}M vs Epoch {published['units_h100e'] / 1e6:.2f}M "
          f"H100e at the end of {year} (ratio {ratio:.2f}, accepted {low}-{high})")
    assert low <= ratio <= high


def test_every_shipment_figure_converts_and_has_a_series(shipments):
    assert shipments["h100e_per_unit"].notna().all()
    assert shipments["series"].notna().all()
    # a B200 is ~2.3 H100e, an H20 ~0.15, the H100 itself 1 (dense 16-bit tensor rates)
    assert shipments.loc["nvidia-blackwell-4q-to-fy26q3-nvidia", "h100e_per_unit"] == pytest.approx(2.27, rel=0.02)
    assert shipments.loc["nvidia-h20-2024-bloomberg", "h100e_per_unit"] == pytest.approx(0.15, rel=0.05)
    assert shipments.loc["nvidia-hopper-lifetime-nvidia", "h100e_per_unit"] == pytest.approx(1.0)


def test_market_marts(bundled_warehouse):
    fin = bundled_warehouse.frame("select * from marts.fct_company_financials")
    reported = fin[fin["kind"] == "reported"]
    dc = reported[(reported["company"] == "NVIDIA") & (reported["metric"] == "data_center_revenue")]
    # NVIDIA's fiscal year 2024 (Feb 2023 - Jan 2024) data-centre revenue was $47.5B
    fy2024 = dc[dc["fiscal_period"].str.startswith("FY2024")]
    assert len(fy2024) == 4 and fy2024["value_usd"].sum() == pytest.approx(47.5e9, rel=0.01)
    # capex for every calendar quarter of 2024 and 2025 (Oracle's FY2024 Q3, Dec 2023 - Feb 2024,
    # could not be verified: a known gap stated in SOURCES.md)
    capex = reported[reported["metric"] == "capital_expenditure"]
    for company, floor in (("Microsoft", 8), ("Alphabet", 8), ("Amazon", 8), ("Meta", 8), ("Oracle", 7)):
        quarters = capex[(capex["company"] == company) & capex["calendar_year"].isin([2024, 2025])]
        assert len(quarters) >= floor, company
    spend = bundled_warehouse.frame("select * from marts.fct_lab_compute_spend")
    openai = spend[(spend["lab"] == "OpenAI") & (spend["year"] == 2024) & (spend["basis"] == "epoch_estimate")]
    assert set(openai["category"]) >= {"inference", "r_and_d", "total"}


def test_each_vintage_counts_only_the_figures_disclosed_by_its_date(bundled_warehouse, shipments):
    """The as-of rule: the stock as known at mid-2025 cannot use NVIDIA's October 2025 counts, so it
    is lower than today's view of the same quarter; a vintage after the last disclosure equals it."""
    vintages = bundled_warehouse.frame(
        "select as_of_date, is_latest, installed_h100e from marts.fct_installed_base "
        "where vendor = 'all' and period_end = date '2023-12-31' order by as_of_date")
    latest = vintages[vintages["is_latest"]]
    assert len(latest) == 1
    mid_2025 = vintages[vintages["as_of_date"].astype(str) == "2025-06-30"]
    assert float(mid_2025["installed_h100e"].iloc[0]) < float(latest["installed_h100e"].iloc[0])
    hopper = shipments.loc["nvidia-hopper-lifetime-nvidia"]
    assert pd.Timestamp(hopper["disclosed_on"]) > pd.Timestamp("2025-06-30")
    assert pd.Timestamp(latest["as_of_date"].iloc[0]) >= pd.Timestamp(shipments.loc[shipments["in_stock"], "disclosed_on"].max())
