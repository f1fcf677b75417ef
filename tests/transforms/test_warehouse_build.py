"""The whole dbt project built with the dbt CLI (cwd transforms/, FLOPCAST_DUCKDB, --profiles-dir .)
once per session on (a) the bundled snapshot, with the live tables empty, and (b) the
../shared/data mirror of the publishers' files; then concrete facts asserted in the marts."""

import math

import pytest

# The snapshot's chips and the Epoch ML Hardware row each one must resolve to: the pairs the
# snapshot was cross-checked on.
from tests.sources.epoch_comparison import ACCELERATOR_MAP as EXPECTED_EPOCH_PRIMARY  # noqa: E402

MARTS = ["dim_accelerator", "dim_data_source", "dim_datacenter_campus", "fct_hardware_trends",
         "fct_mlperf_throughput", "fct_published_splits", "fct_rental_prices", "fct_token_volumes",
         "fct_training_runs"]


def _assert_built(warehouse):
    assert warehouse.build.ok, warehouse.build.stdout[-6000:]
    assert "ERROR=0" in warehouse.build.stdout
    print(f"\ndbt build: {warehouse.build.seconds:.1f} s")


# --- (a) bundled snapshot, live tables empty --------------------------------------------------

def test_bundled_build_passes_with_empty_live_tables(bundled_warehouse):
    _assert_built(bundled_warehouse)
    assert bundled_warehouse.scalar("select count(*) from raw.mlperf_inference_v5_1") == 0
    assert bundled_warehouse.scalar("select count(*) from raw.epoch_ml_hardware") == 0
    for mart in MARTS:  # every mart exists, empty or not
        bundled_warehouse.scalar(f"select count(*) from marts.{mart}")
    assert bundled_warehouse.scalar("select count(*) from marts.fct_mlperf_throughput") == 0


def test_bundled_dim_accelerator_is_the_snapshot(bundled_warehouse):
    dim = bundled_warehouse.frame("select * from marts.dim_accelerator")
    snapshot = bundled_warehouse.scalar("select count(*) from raw.snapshot_accelerators")
    assert len(dim) == snapshot
    assert set(dim["spec_source"]) == {"snapshot"}
    assert not dim["suspected_sparse"].any()
    h100 = dim.set_index("accelerator_id").loc["nvidia-h100-sxm"]
    assert h100["bf16_dense_flop_per_s"] == pytest.approx(9.894e14, rel=0.01)
    assert h100["fp8_dense_flop_per_s"] == pytest.approx(2 * 9.894e14, rel=0.01)


def test_bundled_training_runs_reported_and_6nd(bundled_warehouse):
    runs = bundled_warehouse.frame("select * from marts.fct_training_runs").set_index("model_id")
    assert set(runs["record_source"]) == {"snapshot"}
    llama = runs.loc["llama-3.1-405b"]
    assert llama["training_flop"] == pytest.approx(3.8e25, rel=0.05)
    assert llama["training_flop_is_estimated"] == False  # noqa: E712 - numpy bool
    assert llama["accelerator_id"] == "nvidia-h100-sxm"
    kimi = runs.loc["kimi-k2"]  # a 6ND estimate, flagged
    assert kimi["training_flop_is_estimated"] == True  # noqa: E712
    assert kimi["training_flop_method"].startswith("6ND")
    assert kimi["training_flop"] == pytest.approx(
        6 * kimi["active_parameters"] * kimi["training_tokens"], rel=0.01)
    # encoder-decoder: the snapshot leaves 6ND out, and so does the warehouse
    assert math.isnan(runs.loc["t5-11b", "training_flop"])


def test_bundled_rental_prices_keep_chips_without_specs(bundled_warehouse):
    prices = bundled_warehouse.frame("select * from marts.fct_rental_prices")
    assert len(prices) == bundled_warehouse.scalar("select count(*) from raw.snapshot_rental_prices")
    # every chip the snapshot prices has a spec row in accelerators.csv (A100 40GB SXM, A100 80GB
    # PCIe and GH200 were added for this): a priced chip without specs fails here
    unspecced = set(prices.loc[prices["accelerator_id"].isna(), "accelerator_id_as_published"])
    assert unspecced == set(), f"priced chips without a spec row in accelerators.csv: {unspecced}"


def test_bundled_token_volumes_and_splits(bundled_warehouse):
    volumes = bundled_warehouse.frame("select * from marts.fct_token_volumes").set_index("disclosure_id")
    google = volumes.loc["google-2025-05-monthly-480t"]
    assert google["tokens_per_day"] == pytest.approx(4.8e14 / 30)
    openai = volumes.loc["openai-api-2025-10-per-minute"]
    assert openai["tokens_per_day"] == pytest.approx(6e9 * 1440)
    splits = bundled_warehouse.frame("select * from marts.fct_published_splits")
    assert splits["inference_share"].dropna().between(0, 1).all()


def test_every_model_and_column_is_documented(bundled_warehouse):
    import json

    manifest = json.loads(
        (bundled_warehouse.path.parent / "dbt" / "target" / "manifest.json").read_text())
    columns = bundled_warehouse.frame(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts')")
    nodes = {n["name"]: n for n in manifest["nodes"].values()
             if n["resource_type"] in ("model", "seed") and n["package_name"] == "flopcast"}
    missing = []
    for (schema, table), group in columns.groupby(["table_schema", "table_name"]):
        node = nodes.get(table)
        if node is None:
            continue
        if not node.get("description"):
            missing.append(f"{table}: no description")
        for column in group["column_name"]:
            if not node["columns"].get(column, {}).get("description"):
                missing.append(f"{table}.{column}")
    assert not missing, missing


# --- (b) the real publisher files (mirror) ----------------------------------------------------

def test_mirror_build_passes(mirror_warehouse):
    _assert_built(mirror_warehouse)
    assert mirror_warehouse.scalar("select count(*) from raw.openrouter_rankings_daily") == 0


def test_epoch_tensor_figure_is_dense(mirror_warehouse):
    h100 = mirror_warehouse.scalar(
        "select tensor_16bit_dense_flop_per_s from staging.stg_epoch_ml_hardware "
        "where hardware_name = 'NVIDIA H100 SXM5 80GB'")
    assert h100 == pytest.approx(989.4e12, rel=1e-3)


def test_mirror_dim_accelerator(mirror_warehouse):
    dim = mirror_warehouse.frame("select * from marts.dim_accelerator").set_index("accelerator_id")
    assert dim.index.is_unique
    h100 = dim.loc["nvidia-h100-sxm"]
    assert h100["bf16_dense_flop_per_s"] == pytest.approx(9.9e14, rel=0.01)
    assert h100["spec_source"] == "snapshot"  # snapshot wins over Epoch
    assert h100["epoch_hardware_name"] == "NVIDIA H100 SXM5 80GB"
    # Epoch fills chips the snapshot lacks, under canonical slugs
    for chip in ("nvidia-b100", "amd-mi350x"):
        assert dim.loc[chip, "spec_source"] == "epoch", chip
    # the rental prices' chips have snapshot spec rows now; Epoch's rows resolve to them
    for chip, epoch_name in (("nvidia-gh200", "NVIDIA GH200"),
                             ("nvidia-a100-sxm-40gb", "NVIDIA A100 SXM4 40 GB")):
        assert dim.loc[chip, "spec_source"] == "snapshot", chip
        assert dim.loc[chip, "epoch_hardware_name"] == epoch_name, chip
    assert not dim["suspected_sparse"].any(), dim.loc[dim["suspected_sparse"], "suspected_sparse_reason"]


def test_epoch_hardware_resolves_to_the_snapshot_chips(mirror_warehouse):
    primary = mirror_warehouse.frame(
        "select accelerator_id, hardware_name from intermediate.int_epoch_ml_hardware_resolved "
        "where is_primary and is_snapshot_accelerator")
    assert dict(zip(primary["accelerator_id"], primary["hardware_name"])) == EXPECTED_EPOCH_PRIMARY


def test_mlperf_rows_matched_above_90_percent(mirror_warehouse):
    status = mirror_warehouse.frame(
        "select accelerator_match_status, count(*) as n from marts.fct_mlperf_throughput group by 1"
    ).set_index("accelerator_match_status")["n"]
    share = status["matched"] / status.sum()
    unmatched = mirror_warehouse.frame(
        "select name_raw, sum(row_count) as rows, any_value(reason) as reason "
        "from intermediate.int_unmatched_accelerator_names where source like 'mlperf%' "
        "group by 1 order by 2 desc")
    print(f"\nMLPerf result rows matched: {share:.1%} of {status.sum()}; unmatched names:\n"
          + unmatched.to_string(index=False))
    assert share > 0.9
    assert "NVIDIA H200-NVL-141GB" in set(unmatched["name_raw"])  # listed, not dropped
    assert unmatched["rows"].sum() >= status.get("unmatched", 0)  # every unmatched row names one
    # the three spellings of the H100 SXM resolve to one id
    ids = mirror_warehouse.frame(
        "select distinct accelerator_name_raw, accelerator_id from marts.fct_mlperf_throughput "
        "where accelerator_name_raw like '%H100%SXM%'")
    assert set(ids["accelerator_id"]) == {"nvidia-h100-sxm"}


def test_mlperf_throughput_is_per_accelerator(mirror_warehouse):
    row = mirror_warehouse.frame(
        "select * from marts.fct_mlperf_throughput where performance_units = 'Tokens/s' "
        "and total_accelerators > 1 limit 1").iloc[0]
    assert row["tokens_per_s_per_accelerator"] == pytest.approx(
        row["performance_result"] / (row["accelerators_per_node"] * row["nodes"]))


def test_mirror_training_runs(mirror_warehouse):
    runs = mirror_warehouse.frame("select * from marts.fct_training_runs")
    assert runs["model_id"].is_unique
    by_source = runs["record_source"].value_counts()
    assert by_source["snapshot"] == mirror_warehouse.scalar(
        "select count(*) from raw.snapshot_training_runs")
    assert by_source["epoch_notable"] > 500
    # Epoch rows for models the snapshot holds are not added again
    names = set(runs.loc[runs["record_source"] == "epoch_notable", "model_name"])
    assert not {"Llama 3.1-405B", "GPT-4", "Galactica", "GPT-3 175B (davinci)"} & names
    llama = runs.set_index("model_id").loc["llama-3.1-405b"]
    assert llama["training_flop"] == pytest.approx(3.8e25, rel=0.05)
    assert llama["record_source"] == "snapshot"
    epoch = runs[runs["record_source"] == "epoch_notable"]
    assert epoch.loc[epoch["training_flop"].notna(), "training_flop_is_estimated"].notna().all()


def test_spec_disagreements_are_visible(mirror_warehouse):
    gaps = mirror_warehouse.frame("select * from intermediate.int_accelerator_spec_disagreements")
    print("\n" + gaps[["accelerator_id", "metric", "snapshot_value", "epoch_value",
                       "snapshot_to_epoch_ratio"]].to_string(index=False))
    keyed = gaps.set_index(["accelerator_id", "metric"])
    assert keyed.loc[("intel-gaudi3", "bf16_dense_flop_per_s"), "snapshot_to_epoch_ratio"] == \
        pytest.approx(1835 / 1678, rel=1e-3)
    assert ("aws-trainium1", "memory_bandwidth_bytes_per_s") in keyed.index


def test_compute_spend_typo_and_token_volumes(mirror_warehouse):
    spend = mirror_warehouse.frame(
        "select * from staging.stg_epoch_ai_companies_compute_spend "
        "where spend_id = 'OpenAI 2025 cloud compute'").iloc[0]
    assert spend["report_date"] is None or str(spend["report_date"]) in ("NaT", "None")
    assert spend["report_date_issue"].startswith("report date 0202-07-30")
    volumes = mirror_warehouse.frame("select * from marts.fct_token_volumes")
    epoch = volumes[volumes["record_source"] == "epoch_usage_reports"]
    assert "GPT-5-Codex" in set(epoch["scope"])       # a disclosure only Epoch has
    assert not (epoch["provider"] == "Google").any()  # Google's restate snapshot rows


def test_mirror_datacentres_and_trends(mirror_warehouse):
    campuses = mirror_warehouse.frame("select * from marts.dim_datacenter_campus")
    assert set(campuses["record_source"]) == {"snapshot", "epoch_data_centers"}
    # each matched pair (seed datacenter_campus_matches) names two real records of one site, and no
    # site has two records from one source
    pairs = mirror_warehouse.frame("select * from staging.datacenter_campus_matches")
    by_id = campuses.set_index("campus_id")
    assert len(pairs) >= 9 and set(pairs["snapshot_campus_id"]) | set(pairs["epoch_campus_id"]) <= set(by_id.index)
    for _, pair in pairs.iterrows():
        assert by_id.loc[pair["epoch_campus_id"], "site_id"] == by_id.loc[pair["snapshot_campus_id"], "site_id"]
    assert not campuses.duplicated(["site_id", "record_source"]).any()
    assert (campuses["site_preference"] == campuses["record_source"].map({"epoch_data_centers": 1, "snapshot": 2})).all()
    trends = mirror_warehouse.frame(
        "select * from marts.fct_hardware_trends where precision = 'bf16' order by release_year")
    assert trends["max_dense_flop_per_s"].iloc[-1] > trends["max_dense_flop_per_s"].iloc[0]


def test_market_signals_are_quarterly_observations_with_disclosure_dates(bundled_warehouse):
    frame = bundled_warehouse.frame("select * from marts.fct_market_signals")
    assert set(frame["series"]) == {"hyperscaler_capex", "nvidia_data_center_revenue", "h100_rental_price"}
    capex = frame[frame["series"] == "hyperscaler_capex"]
    assert (capex.loc[capex["is_complete"], "components"] == 4).all()
    assert frame["disclosed_on"].notna().all() and (frame["value"] > 0).all()
    # one row per quarter and vintage: a quarter grows as its components report, never double counted
    assert not frame.duplicated(["series", "calendar_year", "calendar_quarter", "disclosed_on"]).any()
    latest = frame.sort_values("disclosed_on").drop_duplicates(["series", "calendar_year", "calendar_quarter"],
                                                               keep="last")
    capex_latest = latest[(latest["series"] == "hyperscaler_capex") & latest["calendar_year"].isin([2024, 2025])]
    assert len(capex_latest) == 8 and capex_latest["is_complete"].all()
    for _, quarter in capex.groupby(["calendar_year", "calendar_quarter"]):
        ordered = quarter.sort_values("disclosed_on")
        assert ordered["components"].is_monotonic_increasing and ordered["value"].is_monotonic_increasing
    assert not frame["is_restated"].any()  # the bundled figures carry no restatement


def test_the_build_runs_duckdb_on_one_thread():
    """Same snapshot, same numbers: on two threads DuckDB sums doubles in a different order each
    run, and two builds of the 2026-10 brief differed in the last bits of 130 figures of
    metrics.json (fct_installed_base's sums, through the model). The local target pins it."""
    import yaml

    from orchestration.settings import PROJECT_ROOT

    profile = yaml.safe_load((PROJECT_ROOT / "transforms" / "profiles.yml").read_text())
    assert profile["flopcast"]["outputs"]["local"]["settings"]["threads"] == 1


def test_a_run_leaves_unit_tests_to_the_suite(bundled_warehouse):
    """dbt's unit tests have fixed inputs: a run's build leaves them out (dbt's advice), and the
    suite's build, which runs them, must see every one pass."""
    import json

    from orchestration.steps.warehouse_build import RUN_BUILD_FLAGS

    assert RUN_BUILD_FLAGS == ("--exclude-resource-type", "unit_test")
    run_results = bundled_warehouse.path.parent / "dbt" / "target" / "run_results.json"
    results = json.loads(run_results.read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 8 and {r["status"] for r in unit} == {"pass"}


def test_every_chip_is_named_with_its_brand_first(mirror_warehouse):
    """The snapshot wrote 'Instinct MI355X', Epoch AI 'AMD Instinct MI350X': the brief's tables mixed
    both styles. dim_accelerator puts the vendor's brand first once, whichever source named the chip."""
    chips = mirror_warehouse.frame("select accelerator_id, vendor, accelerator_name from marts.dim_accelerator")
    brands = mirror_warehouse.frame("select * from staging.accelerator_vendor_brands").set_index("vendor")
    names = chips.set_index("accelerator_id")["accelerator_name"]
    assert names["nvidia-h100-sxm"] == "NVIDIA H100 SXM" and names["amd-mi355x"] == "AMD Instinct MI355X"
    assert names["amd-mi300a"] == "AMD Instinct MI300A"  # Epoch's name already carries the brand
    assert names["microsoft-maia-100"] == "Azure Maia 100"  # 'Azure' names Microsoft's chip
    assert set(chips["vendor"]) <= set(brands.index)
    for chip in chips.itertuples():
        b = brands.loc[chip.vendor]
        prefixes = [b.brand] + ([b.also_branded_by] if isinstance(b.also_branded_by, str) else [])
        assert any(chip.accelerator_name.lower().startswith(p.lower()) for p in prefixes), chip
        assert not chip.accelerator_name.lower().startswith(f"{b.brand} {b.brand}".lower()), chip
