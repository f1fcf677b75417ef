"""The brief from real model outputs (the marts of the bundled snapshot through run_model): numbers,
sections, safety, and 'what changed' between two partitions whose as-of data differ."""

import io
import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from pypdf import PdfReader

from models.inputs import ModelInputs
from models.run import run_model
from reports.brief import render_brief
from reports.formatting import format_number, format_percent
from reports.inputs import BriefInputs
from reports.metrics import what_changed

SECTIONS = ["Key takeaways", "Indicator dashboard", "Contents", "1. The split by bucket",
            "0. Investment implications", "2. Scenarios and their drivers", "3. Sensitivity: what moves the answer",
            "4. Hardware: training fit vs inference fit", "5. Infrastructure and power",
            "6. Backtest and calibration against the public record", "7. What changed since the last brief",
            "8. Methodology and assumptions", "9. Sources and data vintage", "Not investment advice"]


def model_tables(as_of: date, inputs: ModelInputs) -> tuple[dict[str, pd.DataFrame], str]:
    runs = [run_model(inputs, scenario=name, as_of=as_of, draws=10_000, snapshot_hash="ab" * 32)
            for name in ("base", "bear", "bull")]
    tables = {name: pd.concat([r.tables()[name] for r in runs], ignore_index=True) for name in runs[0].tables()}
    return tables, runs[0].methodology


def brief_inputs(partition: str, as_of: date, inputs: ModelInputs, campuses: pd.DataFrame,
                 previous=None) -> BriefInputs:
    tables, methodology = model_tables(as_of, inputs)
    sources = pd.DataFrame([{
        "source_name": "snapshot_accelerators", "landing_sha256": "cd" * 32,
        "landing_url": "data/snapshot/accelerators.csv", "licence": "CC BY 4.0", "source_mode": "bundled",
        "fetched_at": "2026-11-01T00:00:00Z", "is_stale": False, "row_count": 48, "attribution": None,
        "title": "flopcast bundled snapshot: accelerators", "retrieved_on": date(2026, 11, 26),
        "vintage": "flopcast compilation, retrieved 2026-11-26"}, {
        "source_name": "epoch_gpu_clusters", "landing_sha256": "ef" * 32,
        "landing_url": "https://epoch.ai/data/gpu_clusters.csv", "licence": "CC BY 4.0",
        "source_mode": "bundled", "fetched_at": "2026-11-02T00:00:00Z", "is_stale": True, "row_count": 1448,
        "attribution": "Data: Epoch AI, CC BY 4.0, epoch.ai/data",
        "title": "Epoch AI, GPU Clusters", "retrieved_on": date(2025, 12, 5),
        "vintage": "Epoch AI release of late 2025"}])
    return BriefInputs(partition=partition, as_of=as_of, scenario="base", seed=20240101,
                       snapshot_hash="ab" * 32, code_version="test", model=tables, methodology=methodology,
                       data_sources=sources, campuses=campuses, mlperf=pd.DataFrame(), previous=previous,
                       installed_base=inputs.as_of(as_of).installed_base)


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


REVISION_POINTS = [
    {"partition": "2025-06", "basis": "this brief", "inference_share_now": 0.3, "inference_share_horizon": 0.7,
     "installed_gw_horizon": 90.0, "crossover_year": 2027, "now_year": 2025, "horizon_year": 2030},
    {"partition": "2025-05", "basis": "rebuilt", "inference_share_now": 0.28, "inference_share_horizon": 0.72,
     "installed_gw_horizon": 80.0, "crossover_year": None, "now_year": 2025, "horizon_year": 2030, "draws": 4000}]


@pytest.fixture(scope="module")
def campuses(bundled_warehouse):
    return bundled_warehouse.frame("select * from marts.dim_datacenter_campus")


@pytest.fixture(scope="module")
def june(warehouse_inputs, campuses):
    inputs = replace(brief_inputs("2025-06", date(2025, 6, 30), warehouse_inputs, campuses), revisions=REVISION_POINTS)
    return inputs, render_brief(inputs)


def test_brief_states_the_model_numbers_and_every_section(june):
    inputs, rendered = june
    text = pdf_text(rendered.pdf)
    metrics = rendered.metrics["metrics"]
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Data: Epoch AI, CC BY 4.0, epoch.ai/data." in text  # a loaded source's attribution line
    horizon = metrics["inference_share_accelerator_hours_horizon"]
    assert f"reaches {format_percent(horizon['value'])}" in text
    crossover = metrics["crossover_year_accelerator_hours"]["value"]
    assert f"accelerator-hours in {int(crossover)}" in text
    assert format_number(metrics["reference_ridge_point_flop_per_byte"]["value"]) == "295"
    assert "is 295 FLOP/byte" in text and "is 47.9 tokens/s" in text
    assert "flopcast compilation: accelerator specifications" in text
    assert "public sources, one URL and retrieval date per row" in text
    assert 8 <= len(PdfReader(io.BytesIO(rendered.pdf)).pages) <= 20
    assert rendered.refused_urls == []


def test_metrics_json_layout(june):
    _, rendered = june
    metrics = rendered.metrics
    assert metrics["schema_version"] == 2 and metrics["partition"] == "2025-06"
    v1_keys = {"inference_share_accelerator_hours_now", "inference_share_flop_horizon", "crossover_year_flop",
               "total_gw_horizon", "total_spend_usd_now", "largest_training_run_flop", "disclosed_tokens_per_day"}
    assert v1_keys <= set(metrics["metrics"])  # every v1 key is kept
    series = pd.DataFrame(metrics["series"])
    assert list(series.columns) == ["metric", "scope", "year", "unit", "p10", "p50", "p90"]
    years = set(range(2019, 2031))
    for metric, scope in (("inference_share_accelerator_hours", "generative"),
                          ("inference_share_accelerator_hours", "all_ai"), ("installed_h100e", "all_ai"),
                          ("installed_gw", "all_ai"), ("energy_twh", "all_ai"), ("spend_usd", "generative"),
                          ("tokens_per_day", "generative")):
        rows = series[(series["metric"] == metric) & (series["scope"] == scope)]
        assert set(rows["year"]) == years, (metric, scope)
        assert (rows["p10"] <= rows["p50"] + 1e-9).all() and (rows["p50"] <= rows["p90"] + 1e-9).all()
    assert not series.duplicated(["metric", "scope", "year"]).any()
    assert metrics["scenario"] == "base" and metrics["snapshot_hash"] == "ab" * 32
    for metric in metrics["metrics"].values():
        assert {"value", "unit", "p10", "p90"} <= set(metric)
    assert 3 <= len(metrics["takeaways"]) <= 5
    files = rendered.archive_files()
    assert {"brief.pdf", "brief.html", "metrics.json"} <= set(files)
    assert {f for f in files if f.startswith("charts/")} == {
        "charts/split_flop.csv", "charts/split_usd.csv", "charts/tornado.csv", "charts/hardware_fit.csv",
        "charts/power_by_layer.csv", "charts/market_signals.csv",  # tokens/day levels even without marts
        "charts/capex_by_layer.csv", "charts/two_layers_gw.csv", "charts/training_durability.csv",
        "charts/fleet_mix.csv", "charts/thresholds.csv", "charts/revisions.csv"}


def test_pdf_metadata_names_partition_snapshot_and_code(june):
    _, rendered = june
    meta = PdfReader(io.BytesIO(rendered.pdf)).metadata
    assert "2025-06" in meta.title
    assert "ab" * 32 in meta.get("/Keywords", "") and "code=test" in meta.get("/Keywords", "")


def test_a_later_partition_states_what_changed(june, warehouse_inputs, campuses):
    _, first = june
    inputs = brief_inputs("2025-07", date(2025, 12, 31), warehouse_inputs, campuses, previous=first.metrics)
    later = render_brief(inputs)
    changes = later.metrics["changes"]
    assert changes, "more data by the later as-of date must move some numbers"
    text = pdf_text(later.pdf)
    assert "Since the 2025-06 brief" in text
    for change in changes[:3]:
        assert change["before"] in text and change["after"] in text
    assert what_changed(first.metrics, first.metrics) == []


def test_markup_in_data_is_text_and_fetches_nothing(june):
    inputs, _ = june
    hostile = '<img src="http://127.0.0.1:9/x.png"><script>alert(1)</script>'
    model = dict(inputs.model)
    fit = model["hardware_fit"].copy()
    fit.loc[fit["accelerator_id"] == "amd-mi355x", "accelerator_name"] = "MI355X " + hostile
    model["hardware_fit"] = fit
    campuses = inputs.campuses.copy()
    campuses.loc[campuses.index[0], "campus_name"] = "Campus <link rel=attachment href='file:///etc/passwd'>"
    rendered = render_brief(replace(inputs, model=model, campuses=campuses))
    assert rendered.refused_urls == []
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    text = pdf_text(rendered.pdf)
    assert "<script>alert(1)</script>" in text.replace(" ", "") or "alert(1)" in text
    assert "file:///etc/passwd" in text


def test_data_vintage_on_the_sources_page_and_in_metrics(june):
    _, rendered = june
    vintage = rendered.metrics["data_vintage"]
    assert [v["source_name"] for v in vintage] == ["epoch_gpu_clusters", "snapshot_accelerators"]
    assert vintage[0] | {"row_count": 1448, "is_stale": True, "vintage": "Epoch AI release of late 2025",
                         "retrieved_on": "2025-12-05", "fetched_at": "2026-11-02T00:00:00Z"} == vintage[0]
    assert vintage[1]["retrieved_on"] == "2026-11-26"
    text = pdf_text(rendered.pdf)
    # the publisher's name for the dataset, and when it served the copy (not when it landed)
    assert "Data vintage: 2 sources loaded; stale" in text and "Epoch AI, GPU Clusters" in text
    assert "2025-12-05" in text and "2026-11-02" not in text
    assert "Epoch AI release of late 2025" in text and "flopcast compilation, retrieved 2026-11-26" in text
    assert "1,448" in text  # row counts exact, not rounded like the model's figures


INTERNAL_NAMES = re.compile(r"\b(?:fct|dim|stg|int|raw)_[a-z0-9_]+|\b[\w/-]+\.(?:md|csv|py|ya?ml|sql|j2)\b"
                            r"|\bdata/(?:snapshot|publishers)\b|\bDOMAIN\b|\bMODEL\.md\b")


def test_no_project_internal_file_or_table_name_in_the_pdf(june):
    """The brief cites publishers and URLs, never the project's own files or tables (URLs aside)."""
    _, rendered = june
    urls = re.findall(r"https?://[^\s\"'<>)]+", rendered.html)
    tokens = [t for t in pdf_text(rendered.pdf).split()  # a URL wraps across lines in the PDF
              if not (len(t.strip("().,;")) > 3 and any(t.strip("().,;") in u for u in urls))]
    found = sorted(set(INTERNAL_NAMES.findall(" ".join(tokens))))
    assert not found, found


def test_no_driver_code_name_in_the_pdf(june):
    """The brief names every driver by its reader label - tables, thresholds, takeaways,
    methodology and backtest notes - never by the model's code name; values below 0.001 print in
    scientific notation."""
    import html as html_lib

    from models.driver_registry import DRIVERS
    from reports.formatting import driver_text

    inputs, rendered = june
    text = pdf_text(rendered.pdf)
    found = [name for name in DRIVERS if "_" in name and name in text]
    assert not found, found
    html = html_lib.unescape(rendered.html)
    tornado = inputs.model["tornado"]
    shown = tornado[(tornado["scenario"] == "base") & (tornado["unit"] == "share_of_accelerator_hours")]
    for name in shown.sort_values("rank")["driver"].head(3):
        assert f"<td>{driver_text(name, 'unit')}</td>" in html, name
    assert f"<td>{driver_text('attention_flop_coefficient')} <span" in html
    assert "0.00001" not in text and "1×10⁻⁵" in html


def test_reader_basis_and_source_labels():
    from reports.sources import reader_basis, reader_source

    assert reader_basis("source: Epoch AI, X, 2024 (https://epoch.ai/x)") == "Epoch AI, X, 2024 (https://epoch.ai/x)"
    assert reader_basis("snapshot: training_runs, active parameters of open models").startswith(
        "Bundled training runs (each row cites its publisher): active parameters")
    assert "fct_" not in reader_basis("fit: slope of fct_training_runs as of the date")
    assert reader_basis("assumption") == "assumption"
    row = reader_source({"source_name": "snapshot_rental_prices", "landing_url": "data/snapshot/rental_prices.csv"})
    assert "rental" in row["display_name"] and ".csv" not in row["display_url"]


def test_front_page_vintage_line_groups_sources_by_publisher():
    from reports.sources import vintage_summary

    line = vintage_summary([
        {"source_name": "snapshot_a", "vintage": "flopcast compilation, retrieved 2026-11-26"},
        {"source_name": "snapshot_b", "vintage": "flopcast compilation, retrieved 2026-11-30"},
        {"source_name": "epoch_x", "vintage": "Epoch AI release of late 2025 (latest 2025-10-15)", "is_stale": True},
        {"source_name": "mlperf_inference_v5_1", "vintage": "MLPerf Inference v5.1 round, published 2025-09-09"}])
    assert line.startswith("4 sources (1 stale)")
    assert "flopcast compilation: retrieved 2026-11-26, retrieved 2026-11-30" in line
    assert "Epoch AI: release of late 2025" in line and "MLPerf: v5.1 round" in line


def test_market_signals_mark_gaps_and_never_interpolate(june):
    from reports.inputs import ModelView
    from reports.market import market_context

    inputs, _ = june
    rows = [{"series": "s", "label": "S", "unit": "USD", "calendar_year": y, "calendar_quarter": q,
             "value": v, "is_complete": c, "detail": "d"}
            for y, q, v, c in ((2024, 1, 10e9, True), (2024, 2, 12e9, True), (2025, 1, 20e9, False),
                               (2025, 2, 30e9, True))]
    table, panels, frame = market_context(pd.DataFrame(rows), ModelView(inputs))
    first = table[0]
    assert first["quarter"] == "2025 Q2" and first["change_q"] == "+50%" and first["change_y"] == "+150%"
    assert "2024 Q3-2024 Q4 (gap, not interpolated)" in first["notes"] and "incomplete: 2025 Q1" in first["notes"]
    assert panels[0]["y"] == [10e9, 12e9, 20e9, 30e9]  # the reported quarters only
    gap = pd.DataFrame(rows[:1] + rows[3:])
    only = market_context(gap, ModelView(inputs))[0][0]
    assert only["change_q"] == "n/a (no figure)"  # never against an interpolated quarter
    assert set(frame["series"]) >= {"s"}


def _section_text(html: str, section_id: str) -> str:
    body = html[html.index(f'<section id="{section_id}"'):]
    body = body[:body.index("</section>")]
    body = re.sub(r'<img [^>]*>', " ", body)
    body = re.sub(r'<p class="caption refs">.*?</p>', " ", body, flags=re.S)  # cited sources' own figures
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_every_number_in_the_implications_is_archived(june):
    """Each number the implications pages state is a metrics.json value (as the brief formats it),
    a published reference the text cites, or a layer cost share; the charts' data are archived."""
    import html as html_lib

    from models.capex import LAYERS
    from reports.metrics import format_metric

    inputs, rendered = june
    text = html_lib.unescape(_section_text(rendered.html, "implications"))
    assert "Investment implications" in text and "What would change the view" in text
    metrics = rendered.metrics["metrics"]
    allowed = set()
    for metric in metrics.values():
        for key in ("value", "p10", "p90"):
            if metric.get(key) is not None:
                allowed.add(format_metric({"value": metric[key], "unit": metric["unit"]}))
                allowed.add(format_number(metric[key]))
                allowed.add(format_percent(metric[key]))
    allowed_numbers = set()
    for formatted in allowed:
        allowed_numbers.update(re.findall(r"\d[\d,.]*\d|\d", formatted))
    cited = {"35", "50", "60", "70", "8", "0", "1", "2", "4", "10", "90"}  # Bernstein, NVIDIA; dense 70B 8-bit; refs; sections; P10-P90
    shares = {str(round(layer.share_of_group * 100)) for layer in LAYERS}
    years = {str(y) for y in range(2019, 2031)}
    for name in sorted(set(inputs.model["hardware_fit"]["accelerator_name"]), key=len, reverse=True):
        text = text.replace(str(name), "")  # a chip's name is not a claim, e.g. "GH200 (96 GB)"
    stray = [m for m in re.finditer(r"(?<![A-Za-z\d.,])(?:\d[\d,.]*\d|\d)", text)  # not chip names (MI300X, v4)
             if m.group() not in allowed_numbers | cited | shares | years]
    assert not stray, [text[max(0, m.start() - 60):m.end() + 20] for m in stray[:5]]
    for name in ("capex_by_layer", "two_layers_gw", "training_durability", "thresholds"):
        assert f"charts/{name}.csv" in rendered.archive_files(), name
    capex = pd.read_csv(io.BytesIO(rendered.archive_files()["charts/capex_by_layer.csv"]))
    total = metrics["capex_total_usd_horizon"]
    assert capex.set_index("year").loc[total["year"], "capex_total_p50"] == pytest.approx(total["value"])


def test_revisions_are_archived_and_drawn(june):
    inputs, rendered = june
    assert [r["partition"] for r in rendered.metrics["revisions"]] == ["2025-05", "2025-06"]
    csv = pd.read_csv(io.BytesIO(rendered.archive_files()["charts/revisions.csv"]))
    assert csv["installed_gw_horizon"].tolist() == [80.0, 90.0]
    text = pdf_text(rendered.pdf)
    assert "Revisions over the last 2 monthly briefs" in text and "4,000 draws" in text
    assert "From 2025-05 to 2025-06" in text and "80 GW to 90 GW" in text


def test_market_page_sets_shipments_beside_the_models_purchases(june):
    """As of 2025-06 the installed base covers 2023 in full: the yearly shipments panel shows it;
    the model has no purchase figure for the stock's first observed year, so no model value."""
    inputs, rendered = june
    assert "AI accelerators shipped, yearly (vendors with a published figure that year, H100-equivalents)" in rendered.html
    assert "model bought" not in rendered.html
    csv = pd.read_csv(io.BytesIO(rendered.archive_files()["charts/market_signals.csv"]))
    shipped = csv[csv["series"] == "accelerator_shipments"]
    observed = inputs.model["observed_series"]
    expected = observed[(observed["scenario"] == "base")].dropna(subset=["shipped_h100e"])
    assert shipped["year"].tolist() == expected["year"].tolist() == [2023]
    assert shipped["shipped_h100e"].tolist() == pytest.approx(expected["shipped_h100e"].tolist())


def test_missing_values_print_as_nothing(june):
    """A campus with no country (Epoch's campuses have none) shows its address alone, never "…, nan"."""
    inputs, _ = june
    campuses = inputs.campuses.copy()
    campuses["country"] = campuses["country"].astype(object)
    campuses.loc[campuses.index[0], ["country", "operator"]] = [float("nan"), None]
    rendered = render_brief(replace(inputs, campuses=campuses))
    assert not re.search(r"\bnan\b|>None<|, None\b", rendered.html)
    assert not re.search(r"\bnan\b", pdf_text(rendered.pdf))


def test_dashboard_labels_name_units_as_the_field_writes_them(june):
    _, rendered = june
    text = pdf_text(rendered.pdf)
    assert "inference share of FLOP" in text and "share of flop" not in text
    assert not re.search(r"\d count\b", text)


def test_calibration_anchors_print_in_their_own_units(june):
    """Each anchor of the calibration table prints in its unit with a reader's label: training
    compute in FLOP (it printed '$376,000,000,000 quadrillion'), serving cost in dollars per
    million tokens, and no anchor is labelled by its internal id."""
    _, rendered = june
    section = rendered.html.split("<h3>Calibration</h3>")[1].split("</table>")[0]
    assert "quadrillion" not in section and "listed-training-runs" not in section
    assert "Final training-run compute, from the listed runs" in section and "×10" in section
    assert section.count('<tbody class="keep">') == section.count('<tr class="note">') > 0
    rows = section.split('<tbody class="keep">')[1:]
    flop = next(r for r in rows if "training-run compute" in r)
    assert "$" not in flop.split('<tr class="note">')[0] and "FLOP" in flop
    serving = [r for r in rows if "serving cost per" in r]
    assert all("US$ per million tokens" in r for r in serving)
