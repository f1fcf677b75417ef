"""End to end on the bundled snapshot: `flopcast brief` in a fresh process, then a run whose
blocking dbt test fails, which must leave the last good warehouse and brief untouched."""

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from models.roofline import ReferenceModel, decode_tokens_per_s_ceiling, ridge_point_flop_per_byte
from orchestration.settings import SNAPSHOT_DIR
from orchestration.warehouse import RunLock
from reports.formatting import format_number
from tests.conftest import E2E_MONTH

pytestmark = pytest.mark.e2e


def _snapshot() -> pd.DataFrame:
    return pd.read_csv(SNAPSHOT_DIR / "accelerators.csv").set_index("accelerator_id")


def _pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pdf_states_h100_roofline_computed_from_the_snapshot(cli_brief):
    h100 = _snapshot().loc["nvidia-h100-sxm"]
    ridge = ridge_point_flop_per_byte(h100["bf16_dense_flop_per_s"], h100["memory_bandwidth_bytes_per_s"])
    decode = decode_tokens_per_s_ceiling(h100["memory_bandwidth_bytes_per_s"], ReferenceModel())
    text = re.sub(r"\s+", " ", _pdf_text(cli_brief["pdf"]))
    assert f"H100 SXM ridge point (dense BF16) is {format_number(ridge)} FLOP/byte" in text
    assert f"H100 SXM batch-1 decode ceiling, dense 70B, 8-bit is {format_number(decode)} tokens/s" in text
    assert 8 <= len(PdfReader(str(cli_brief["pdf"])).pages) <= 20


def test_archive_layout_and_metrics(cli_brief):
    archive, metrics = cli_brief["archive"], cli_brief["metrics"]
    assert archive.name == E2E_MONTH
    assert {p.name for p in archive.iterdir()} == {"brief.pdf", "brief.html", "metrics.json", "charts"}
    assert (archive / "charts" / "hardware_fit.csv").read_text().startswith("accelerator_id,")
    assert metrics["schema_version"] == 2 and metrics["partition"] == E2E_MONTH
    assert {"metric", "scope", "year", "unit", "p10", "p50", "p90"} == set(metrics["series"][0])
    assert len(metrics["snapshot_hash"]) == 64
    for metric in metrics["metrics"].values():
        assert {"value", "unit", "p10", "p90"} <= set(metric)
    import duckdb

    with duckdb.connect(str(cli_brief["home"] / "warehouse.duckdb"), read_only=True) as con:
        chips = con.execute("select release_date from marts.dim_accelerator").df()
        rated = con.execute("select distinct scenario from model.hardware_fit where partition = ?",
                            [E2E_MONTH]).fetchall()
    assert rated == [("base",)]  # the chips are rated once per partition, under the main scenario
    released = chips[pd.to_datetime(chips["release_date"]).dt.date <= date(2025, 6, 30)]
    tracked = metrics["metrics"]["accelerators_tracked"]["value"]
    assert 0 < tracked <= len(released) < len(chips)  # as-of rule: later chips are left out
    assert metrics["scenario"] == "base" and len(metrics["takeaways"]) >= 3


def test_a_failing_blocking_dbt_test_publishes_nothing(cli_brief, tmp_path, monkeypatch):
    from dagster import AssetKey, DagsterInstance

    from orchestration.cli import run_failure_summary
    from orchestration.definitions import defs

    home = cli_brief["home"]
    warehouse = home / "warehouse.duckdb"
    brief_files = sorted((cli_brief["archive"]).rglob("*"))
    before = {p: _digest(p) for p in [warehouse, *[f for f in brief_files if f.is_file()]]}

    # A sparse headline stored as dense: H100's 2:4-sparse 1,979 TFLOP/s in the dense BF16 column.
    # Its FP8/BF16 ratio (1.0 instead of NVIDIA's 2) marks it suspected sparse: a blocking check.
    broken = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, broken)
    table = pd.read_csv(broken / "accelerators.csv", dtype=str, keep_default_na=False)
    table.loc[table["accelerator_id"] == "nvidia-h100-sxm", "bf16_dense_flop_per_s"] = "1.979e15"
    table.to_csv(broken / "accelerators.csv", index=False)
    monkeypatch.setenv("FLOPCAST_HOME", str(home))
    monkeypatch.setenv("FLOPCAST_SNAPSHOT_DIR", str(broken))

    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("brief_job").execute_in_process(
            partition_key=E2E_MONTH, instance=instance, raise_on_error=False
        )
    assert not result.success
    assert "warehouse_dbt_assets" in run_failure_summary(result)
    failed_checks = [
        e.asset_check_evaluation_data for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed
    ]
    assert "expression_is_true_dim_accelerator_not_suspected_sparse" in {c.check_name for c in failed_checks}
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert AssetKey(["brief", "monthly_brief"]) not in materialized
    assert AssetKey(["model", "hardware_fit"]) not in materialized

    after = {p: _digest(p) for p in before}
    assert after == before, "the last good warehouse and brief must be untouched"
    assert not (home / "warehouse.scratch.duckdb").exists()
    assert os.listdir(home / "briefs") == [E2E_MONTH]


def test_cli_refuses_a_second_concurrent_run(tmp_path):
    env = {**os.environ, "FLOPCAST_HOME": str(tmp_path)}
    with RunLock(tmp_path / "run.lock"):
        done = subprocess.run(
            [str(Path(sys.executable).with_name("flopcast")), "brief", "--month", E2E_MONTH],
            env=env, capture_output=True, text=True, timeout=120,
        )
    assert done.returncode == 1
    assert "another flopcast run is in progress" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_cli_rejects_a_bad_scenario_before_any_work(tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("drivers:\n  reasoning_token_multipler: {dist: fixed, value: 8, unit: ratio, basis: assumption}\n")
    env = {**os.environ, "FLOPCAST_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("flopcast")), "brief", "--month", E2E_MONTH, "--scenario", str(bad)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert "drivers.reasoning_token_multipler: unknown driver" in done.stderr
    assert "did you mean 'reasoning_token_multiplier'" in done.stderr
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()


def test_default_run_loads_the_vendored_files_and_the_largest_run_on_record(cli_brief):
    """The default (bundled) run loads the compiled snapshot and every vendored publisher file; the
    brief's largest run on record is the largest snapshot or Epoch figure dated by the month end."""
    from orchestration.settings import PUBLISHERS_DIR
    from orchestration.sources.publishers import load_manifest, read_vendored

    metrics = cli_brief["metrics"]
    loaded = {v["source_name"]: v for v in metrics["data_vintage"]}
    for name, entry in load_manifest(PUBLISHERS_DIR).items():
        assert loaded[name]["row_count"] > 0 and loaded[name]["vintage"] == entry.vintage
        assert loaded[name]["source_mode"] == "bundled" and not loaded[name]["is_stale"]
        assert loaded[name]["retrieved_on"] == entry.retrieved and loaded[name]["title"] == entry.title
    for table in ("accelerator_shipments", "company_financials", "lab_compute_spend"):
        assert loaded[f"snapshot_{table}"]["row_count"] > 0
    from html import escape

    from orchestration.sources.registry import get_source

    page = (cli_brief["archive"] / "brief.html").read_text()
    for name in load_manifest(PUBLISHERS_DIR):  # each licence's attribution line, carried by the data
        line = get_source(name).descriptor.attribution
        assert line and escape(line) in page, (name, line)

    month_end = date(2025, 6, 30)
    snapshot = pd.read_csv(SNAPSHOT_DIR / "training_runs.csv", parse_dates=["publication_date"])
    figures = [snapshot.loc[snapshot["publication_date"].dt.date <= month_end, "training_flop"].max()]
    for source in ("epoch_notable_ai_models", "epoch_frontier_ai_models", "epoch_large_scale_ai_models"):
        data, entry = read_vendored(PUBLISHERS_DIR, source)
        frame = get_source(source).parse_bytes(data, entry.url).frame
        dated = frame[pd.to_datetime(frame["publication_date"]).dt.date <= month_end]
        figures.append(dated["training_compute_flop"].astype(float).max())
    largest = metrics["metrics"]["largest_training_run_flop"]
    assert largest["value"] == pytest.approx(max(figures), rel=1e-9), (largest, figures)
    assert largest["value"] >= 3e26  # Grok 3 (Feb 2025), not GPT-4.5 as with the snapshot alone


def test_brief_sets_modelled_demand_beside_the_observed_installed_base(cli_brief):
    """The stock known at the brief's date (as-of vintage) is in the brief and metrics.json, with
    the implied utilisation of the observed fleet by the modelled demand."""
    import duckdb

    metrics = cli_brief["metrics"]["metrics"]
    observed, utilisation = metrics["observed_installed_h100e_last_year"], metrics["implied_utilisation_last_year"]
    year = observed["year"]
    with duckdb.connect(str(cli_brief["home"] / "warehouse.duckdb"), read_only=True) as con:
        vintage = con.execute(
            "select max(as_of_date) from marts.fct_installed_base where as_of_date <= date '2025-06-30'"
        ).fetchone()[0]
        stock = con.execute(
            "select avg(installed_h100e) from marts.fct_installed_base where vendor = 'all' "
            "and as_of_date = ? and year = ?", [vintage, year]).fetchone()[0]
        modelled = con.execute(
            "select p50 from model.demand where partition = ? and scenario = 'base' and scope = 'all_ai' "
            "and bucket = 'utilisation' and unit = 'fraction' and year = ?", [E2E_MONTH, year]).fetchone()[0]
        installed = con.execute(
            "select p10, p90 from model.demand where partition = ? and scenario = 'base' and scope = 'all_ai' "
            "and bucket = 'installed' and unit = 'h100e' and year = ?", [E2E_MONTH, year]).fetchone()
    assert observed["value"] == pytest.approx(stock, rel=1e-9)
    assert utilisation["value"] == pytest.approx(modelled, rel=1e-9)
    assert observed["p10"] * (1 - 1e-9) <= installed[0] <= installed[1] <= observed["p90"] * (1 + 1e-9)
    text = re.sub(r"\s+", " ", _pdf_text(cli_brief["pdf"]))
    assert "Installed base: the stock shipped and the work on it" in text
    assert f"as known by {vintage.isoformat()}" in text


def test_the_default_run_calibrates_with_enough_effective_draws(cli_brief):
    """The product default (no FLOPCAST_MODEL_DRAWS): every scenario keeps >= 500 effective draws,
    so the model asset's calibration check passes and the brief carries no calibration warning."""
    import duckdb

    from models.run import DEFAULT_DRAWS

    with duckdb.connect(str(cli_brief["home"] / "warehouse.duckdb"), read_only=True) as con:
        summary = con.execute("select scenario, draws, effective_draws, warnings from model.calibration_summary "
                              "where partition = ?", [E2E_MONTH]).df()
    assert set(summary["scenario"]) == {"base", "bear", "bull"}
    assert (summary["draws"] == DEFAULT_DRAWS).all() and (summary["effective_draws"] >= 500).all()
    assert (summary["warnings"] == "").all()
    assert cli_brief["metrics"]["metrics"]["calibration_effective_draws"]["value"] >= 500


def test_a_first_brief_compares_with_the_previous_month_rebuilt(cli_brief):
    """No archived 2025-05: the brief rebuilds it as of its own month end from the same warehouse
    and says what changed, labelled rebuilt (takeaway, dashboard, section 7, metrics.json)."""
    metrics = cli_brief["metrics"]
    assert metrics["changes"], "a first brief still lists what one more month of data changed"
    assert any("rebuilt as of its month end" in sentence for sentence in metrics["takeaways"])
    text = re.sub(r"\s+", " ", _pdf_text(cli_brief["pdf"]))
    assert "No brief was archived for 2025-05: it is rebuilt here" in text
    assert "first archived brief" not in text


def test_the_revisions_chart_covers_twelve_monthly_briefs(cli_brief):
    """No archive before the first brief: this month, the month before (rebuilt in full) and ten
    months rebuilt as of their own ends; the newest point is the brief's own headline."""
    metrics, archive = cli_brief["metrics"], cli_brief["archive"]
    points = metrics["revisions"]
    assert [p["partition"] for p in points][0] == "2024-07" and points[-1]["partition"] == E2E_MONTH
    assert len(points) == 12 and {p["basis"] for p in points[:-1]} == {"rebuilt"}
    series = {(s["metric"], s["scope"], s["year"]): s["p50"] for s in metrics["series"]}
    assert points[-1]["inference_share_now"] == series[("inference_share_accelerator_hours", "generative", 2025)]
    assert points[-1]["installed_gw_horizon"] == series[("installed_gw", "all_ai", 2030)]
    csv = pd.read_csv(archive / "charts" / "revisions.csv")
    assert csv["partition"].tolist() == [p["partition"] for p in points]
    text = re.sub(r"\s+", " ", _pdf_text(cli_brief["pdf"]))
    assert "Revisions over the last 12 monthly briefs" in text and "0. Investment implications" in text
