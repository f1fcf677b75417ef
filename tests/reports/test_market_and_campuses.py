"""The market page's quarters (in progress, thin listings, runs of quarters) and the campus sites
the brief counts once, as pure functions over small frames."""

import pandas as pd


def test_market_quarters_in_progress_and_thin_listings_are_not_compared():
    """A quarter still running at the brief's date is drawn hollow and named; a rental-price
    quarter resting on one or two listings is not compared (the 2026-10 brief read -61% y/y
    against a single $8.60 listing)."""
    from reports.market import market_context, quarter_runs

    def row(y, q, v, n, end):
        return {"series": "h100_rental_price", "label": "H100 rental", "unit": "USD/h", "calendar_year": y,
                "calendar_quarter": q, "period_end": end, "value": v, "components": n, "is_complete": True,
                "disclosed_on": "2026-10-19", "detail": f"{n} listings"}

    class View:
        tables = {}

    market = pd.DataFrame([row(2025, 3, 2.5, 5, "2025-09-30"), row(2025, 4, 8.6, 1, "2025-12-31"),
                           row(2026, 3, 2.0, 4, "2026-09-30"), row(2026, 4, 1.8, 3, "2026-10-19")])  # a listing's date
    table, panels, _ = market_context(market, View(), as_of="2026-10-31")
    assert table[0]["change_q"] == "-10%" and table[0]["change_y"] == "n/a (fewer than 3 listings then)"
    assert "in progress at the brief's date: 2026 Q4" in table[0]["notes"]
    assert panels[0]["complete"] == [True, True, True, False]
    thin = market_context(market.iloc[:2], View(), as_of="2026-10-31")[0][0]
    assert thin["change_q"] == thin["change_y"] == "n/a (fewer than 3 listings)"
    assert quarter_runs([8076, 8077, 8078, 8079, 8081]) == "2019 Q1-2019 Q4, 2020 Q2"


def test_each_campus_site_is_counted_once():
    """Sites that the snapshot and Epoch AI both list were shown twice and their operational power
    summed twice (the 2026-10 brief's campus check read 5.04 GW against 2.83 GW in its table)."""
    from reports.sections import one_record_per_site

    campuses = pd.DataFrame([
        {"campus_id": "abilene", "site_id": "abilene", "site_preference": 2, "record_source": "snapshot",
         "operational_power_mw": 200.0},
        {"campus_id": "epoch-abilene", "site_id": "abilene", "site_preference": 1,
         "record_source": "epoch_data_centers", "operational_power_mw": 295.0},
        {"campus_id": "colossus", "site_id": "colossus", "site_preference": 2, "record_source": "snapshot",
         "operational_power_mw": 300.0},
        {"campus_id": "epoch-omaha", "site_id": "epoch-omaha", "site_preference": 1,
         "record_source": "epoch_data_centers", "operational_power_mw": 189.0}])
    sites = one_record_per_site(campuses)
    assert sites["campus_id"].tolist() == ["epoch-abilene", "colossus", "epoch-omaha"]  # the dated record wins
    assert sites["operational_power_mw"].sum() == 784.0
    # a date cut that hides Epoch's record of a site leaves the snapshot's
    assert one_record_per_site(campuses.iloc[[0, 2, 3]])["campus_id"].tolist() == ["abilene", "colossus",
                                                                                     "epoch-omaha"]
    assert one_record_per_site(campuses.drop(columns=["site_id"])).equals(campuses.drop(columns=["site_id"]))
