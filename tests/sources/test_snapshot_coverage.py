"""Coverage of the bundled snapshot's supply, market and usage tables: every row cites a URL a
reader can open, and each table holds the series the model and the brief need (the floors are
stated here and in ``registry.ROW_FLOORS``)."""

import pandas as pd
import pytest

from orchestration.settings import SNAPSHOT_DIR
from orchestration.sources import registry
from orchestration.sources.snapshot import SNAPSHOT_TABLES
from orchestration.sources.tabular import parse_csv_bytes

SPECS = {d.name.removeprefix("snapshot_"): registry.get_source(d.name).spec for d in SNAPSHOT_TABLES}


def table(name: str) -> pd.DataFrame:
    parsed = parse_csv_bytes((SNAPSHOT_DIR / f"{name}.csv").read_bytes(), SPECS[name], f"data/snapshot/{name}.csv")
    assert parsed.quarantine.empty, parsed.quarantine["reason"].tolist()[:5]
    return parsed.frame


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_row_cites_a_url_a_reader_can_open(name):
    urls = table(name)["source_url"]
    assert urls.str.match(r"^https?://[^\s/]+\.[^\s/]+/?\S*$").all(), urls[~urls.str.match(r"^https?://")]
    assert not urls.str.contains(r"example\.(?:invalid|com|org)|localhost|127\.0\.0\.1").any()


def test_shipments_cover_every_major_vendor_and_both_nvidia_generations():
    rows = table("accelerator_shipments")
    shipped = rows[rows["metric"] == "shipped"]
    years = {v: set(pd.to_datetime(g["period_end"]).dt.year) for v, g in shipped.groupby("vendor")}
    for vendor in ("nvidia", "amd", "google", "aws", "huawei"):
        assert years.get(vendor, set()) & {2023, 2024, 2025}, vendor
    assert len(years) >= 6
    assert {"company_disclosure", "analyst_estimate", "epoch_estimate"} <= set(rows["basis"])
    nvidia = shipped[(shipped["vendor"] == "nvidia") & (shipped["basis"] == "company_disclosure")]
    assert nvidia["family"].str.contains("Hopper").any() and nvidia["family"].str.contains("Blackwell").any()
    ranged = rows.dropna(subset=["units_low", "units_high"])
    assert (ranged["units_low"] <= ranged["units_high"]).all() and len(ranged) >= 3
    assert (rows["metric"] == "installed").sum() >= 3  # published installed-base estimates to check against


def test_company_financials_cover_every_quarter_of_the_main_series():
    rows = table("company_financials")
    reported = rows[rows["kind"] == "reported"]
    dc = reported[(reported["company"] == "NVIDIA") & (reported["metric"] == "data_center_revenue")]
    ends = pd.to_datetime(dc["period_end"]).sort_values()
    assert ends.iloc[0] <= pd.Timestamp("2019-05-01") and ends.iloc[-1] >= pd.Timestamp("2026-07-01")
    assert (ends.diff().dropna().dt.days.between(84, 98)).all(), "a missing NVIDIA quarter"
    for company in ("Microsoft", "Alphabet", "Amazon", "Meta", "Oracle"):
        capex = reported[(reported["company"] == company) & (reported["metric"] == "capital_expenditure")]
        assert len(capex) >= 10 and pd.to_datetime(capex["period_end"]).max() >= pd.Timestamp("2026-06-01"), company
    for company in ("AMD", "Broadcom"):
        assert len(reported[reported["company"] == company]) >= 10, company
    guidance = rows[rows["kind"] == "guidance"]
    assert set(guidance["company"]) >= {"NVIDIA", "Meta", "Alphabet"}
    assert (guidance["disclosed_on"] <= guidance["period_end"]).all()  # guidance precedes its period


def test_lab_spend_token_volumes_and_splits_reach_2026():
    spend = table("lab_compute_spend")
    assert spend["lab"].nunique() >= 3
    openai_2024 = spend[(spend["lab"] == "OpenAI") & (pd.to_datetime(spend["period_end"]).dt.year == 2024)]
    assert {"inference", "r_and_d"} <= set(openai_2024["category"])
    assert set(spend["kind"]) == {"actual", "projection"}
    tokens = table("token_volumes")
    assert tokens["provider"].nunique() >= 6
    assert max(tokens["disclosed_on"]).isoformat() >= "2026-06-01"
    splits = table("published_splits")
    assert set(splits["kind"]) == {"measurement", "estimate", "forecast"}
