"""The brief's template context: every variable the template reads and the data behind each chart
(archived as CSV), assembled from the inputs, the metrics and the rows of :mod:`reports.sections`."""

import pandas as pd

from models.buckets import BUCKETS
from models.calibration import UTILISATION_RANGE
from reports import chart_drawing, charts, implications, revisions, sections
from reports.formatting import records
from reports.inputs import BriefInputs, ModelView, scenario_views
from reports.metrics import DASHBOARD, HEADLINE_CHANGES, REFERENCE_MODEL
from reports.sources import reader_basis, reader_source, vintage_summary

CAMPUS_ROWS = 12  # the campus table lists the largest sites by planned power
MLPERF_NOTICE = ("MLPerf is a trademark of MLCommons. MLPerf Inference results are used as "
                 "published (Apache-2.0); unverified derived figures are flopcast's.")


def _stacked_frame(view: ModelView, unit: str) -> pd.DataFrame:
    frame = pd.DataFrame({b: view.series(b, unit) for b in BUCKETS})
    for q in ("p10", "p50", "p90"):
        frame[f"total_{q}"] = view.series("total", unit, q)
    frame.index.name = "year"
    return frame


def training_above_main(p50: dict[str, dict[int, tuple[float, float]]], main: str) -> list[str]:
    """The scenarios that serve more training than the main one while their inference demand is
    lower, in some year: the caption says why (the allocation), since a reader expects a smaller
    case to train less. ``p50``: scenario -> year -> (training FLOP, inference FLOP), P50s."""
    return [name for name, years in p50.items() if name != main and any(
        training > p50[main][year][0] and inference < p50[main][year][1]
        for year, (training, inference) in years.items() if year in p50[main])]


def mlperf_layout(mlperf: pd.DataFrame) -> dict:
    """The MLPerf rows set in two columns (fastest first, down the left then the right), with what
    every row shares (model, scenario, units) said once in the heading."""
    shared = {c: mlperf[c].iloc[0] for c in ("model", "scenario", "units")
              if c in mlperf and len(mlperf) and mlperf[c].nunique(dropna=False) == 1}
    rows = mlperf.to_dict(orient="records")
    half = (len(rows) + 1) // 2
    pairs = [(rows[i], rows[i + half] if i + half < len(rows) else None) for i in range(half)]
    return {"mlperf": rows, "mlperf_pairs": pairs, "mlperf_shared": shared}


def chart_placeholder(name: str) -> str:
    """What the template gets for a chart being drawn: a URL that nothing fetches (the PDF renderer
    takes the chart from ``context["chart_drawing"]``, the archived HTML gets its data: URI)."""
    return f"flopcast-chart:{name}"


def build_context(inputs: BriefInputs, metrics: dict, changes: list[dict],
                  fork_charts: bool = True) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Template variables and the data behind each chart (archived as CSV). The charts are being
    drawn when it returns (``context["chart_drawing"]``, :class:`reports.chart_drawing.ChartsDrawing`):
    the caller closes it."""
    view = ModelView(inputs)
    now, horizon = inputs.as_of.year, view.horizon
    first_projected = now  # the as-of year is a nowcast; earlier years are history
    fit = view.tables["hardware_fit"]
    dense = fit[fit["reference_model"] == REFERENCE_MODEL].copy()
    dense["release_date"] = pd.to_datetime(dense["release_date"]).dt.strftime("%Y-%m-%d")
    one_chip = dense[dense["chips_to_hold_model"] == 1]
    ranked = one_chip["inference_fit_rank"].notna()
    leading = one_chip[ranked].sort_values(["inference_fit_rank", "accelerator_id"]).head(inputs.table_rows)
    unpriced = one_chip[~ranked].sort_values("accelerator_name")["accelerator_name"].tolist()
    several = dense[(dense["chips_to_hold_model"] > 1) & dense["inference_fit_rank"].notna()].sort_values(
        "inference_fit_rank").head(1)[["accelerator_name", "chips_to_hold_model"]].to_dict(orient="records")
    scatter = dense.dropna(subset=["training_fit_score", "inference_fit_score"])[
        ["accelerator_id", "accelerator_name", "training_fit_score", "inference_fit_score", "better_fit",
         "price_basis"]]
    named = set(scatter.nlargest(4, "training_fit_score")["accelerator_id"]) | set(
        scatter.nlargest(4, "inference_fit_score")["accelerator_id"]) | {inputs.reference_accelerator_id}
    tornado_rows = view.tables["tornado"]
    tornado_rows = tornado_rows[tornado_rows["unit"] == "share_of_accelerator_hours"].sort_values("rank").head(10)
    tornado_data = tornado_rows[["driver", "value_p10", "value_p50", "value_p90", "share_at_p10",
                                 "share_base", "share_at_p90", "swing"]].reset_index(drop=True)
    power_years = [y for y in view.years if y >= now - 2]
    power = pd.DataFrame({"year": power_years})
    for layer, bucket in (("training", "training_total"), ("inference", "inference_total")):
        for q in ("p10", "p50", "p90"):
            power[f"{layer}_{q}"] = view.series(bucket, "gw", q).reindex(power_years).to_numpy()
    flop_frame, usd_frame = _stacked_frame(view, "flop"), _stacked_frame(view, "usd")
    sites = sections.one_record_per_site(inputs.campuses)
    campuses = sites.copy()
    if not campuses.empty:
        campuses = campuses.sort_values("planned_power_mw", ascending=False, na_position="last").head(CAMPUS_ROWS)
    mlperf = inputs.mlperf
    views = scenario_views(inputs)  # one view per scenario, shared by the scenario table and the implications
    backtest = view.tables["backtest"].copy()
    for column in ("period_start", "period_end"):
        backtest[column] = pd.to_datetime(backtest[column]).dt.strftime("%Y-%m-%d")
    drivers = view.tables["drivers"]
    cal_text, cal_rows, backtest_summary = sections.calibration_context(view)
    context = {
        "partition": inputs.partition,
        "as_of": inputs.as_of.isoformat(),
        "now": now,
        "horizon": horizon,
        "scenario": inputs.scenario,
        "seed": inputs.seed,
        "snapshot_hash": inputs.snapshot_hash,
        "code_version": inputs.code_version,
        "metrics": metrics["metrics"],
        "takeaways": metrics["takeaways"],
        "changes": changes,
        "changes_by_name": {c["name"]: c for c in changes},
        "changes_shown": [c for name in HEADLINE_CHANGES for c in changes if c["name"] == name and c["delta"] != "new"],
        "dashboard": DASHBOARD,
        "previous_partition": inputs.previous["partition"] if inputs.previous else None,
        "previous_rebuilt": bool(inputs.previous and inputs.previous.get("rebuilt")),
        "split_now": sections.split_rows(view, now),
        "split_horizon": sections.split_rows(view, horizon),
        "scenario_names": list(views),
        "scenario_rows": sections.scenario_rows(views, inputs.scenario),
        "tornado": tornado_data.to_dict(orient="records"),
        "hardware": leading.to_dict(orient="records"),
        "hardware_unpriced": unpriced,
        "hardware_several_chips": several[0] if several else None,
        "reference_model": REFERENCE_MODEL,
        "power": power.to_dict(orient="records"),
        "campuses": records(campuses),
        **mlperf_layout(mlperf),
        "backtest": backtest.to_dict(orient="records"),
        "backtest_summary": backtest_summary,
        "draws_text": sections.draws_text(view),
        "vintage_line": vintage_summary(metrics["data_vintage"]),
        "supply_note": sections.supply_note(view, now, horizon),
        "campus_check": sections.campus_check(view, sites, now, len(campuses)),
        "calibration_text": cal_text,
        "calibration_anchors": cal_rows,
        "utilisation_range": "{:.0%} and {:.0%}".format(*UTILISATION_RANGE),
        "supply_check": view.tables.get("supply_check", pd.DataFrame()).to_dict(orient="records"),
        "drivers": [d | {"basis": reader_basis(d["basis"])} for d in drivers.to_dict(orient="records")],
        "assumption_count": int((drivers["kind"] == "assumption").sum()),
        "methodology": [p.strip() for p in inputs.methodology.split("\n\n") if p.strip()]
        + sections.calibration_warnings(view),
        "sources": [reader_source(src) for src in metrics["data_vintage"]],
        "stale_sources": [reader_source(s)["display_name"] for s in metrics["data_vintage"] if s["is_stale"]],
        "attributions": sorted(set(inputs.data_sources["attribution"].dropna()) - {""}),
        "mlperf_loaded": not mlperf.empty,
        "mlperf_notice": MLPERF_NOTICE,
    }
    jobs = {
        "flop": lambda: charts.demand_panels(flop_frame, "FLOP per year (log scale)", first_projected),
        "usd": lambda: charts.demand_panels(usd_frame, "USD per year (log scale)", first_projected),
        "tornado": lambda: charts.tornado(tornado_data, float(tornado_data["share_base"].iloc[0]),
                                          f"inference share of accelerator-hours in {horizon}"),
        "fit": lambda: charts.fit_scatter(scatter, named),
        "power": lambda: charts.power_by_layer(power),
    }
    context.update(sections.implications_context(view, views, horizon))
    context["training_above_main"] = training_above_main(
        {name: {year: (v.band("training_total", "flop", year)[1], v.band("inference_total", "flop", year)[1])
                for year in (now, horizon)} for name, v in views.items()}, inputs.scenario)
    capex = implications.capex_frame(view)
    layers = implications.two_layers_frame(view, now - 2)
    durability = implications.durability_frame(views)
    mix = implications.fleet_mix(inputs.installed_base)
    context["fleet_mix"] = sections.fleet_mix_rows(mix)
    jobs["capex"] = (lambda: charts.capex_by_layer(capex, {layer.name: layer.label for layer in implications.LAYERS})
                     ) if len(capex) else None
    jobs["two_layers"] = (lambda: charts.two_layers(layers)) if len(layers) else None
    market_rows, market_panels, market_frame = sections.market_rows(inputs.market, view, inputs.as_of)
    context["market"] = market_rows
    jobs["market"] = (lambda: charts.market_signals(market_panels)) if market_panels else None
    chart_data = {"split_flop": flop_frame.reset_index(), "split_usd": usd_frame.reset_index(),
                  "tornado": tornado_data, "hardware_fit": scatter.reset_index(drop=True),
                  "power_by_layer": power}
    if not market_frame.empty:
        chart_data["market_signals"] = market_frame
    revision_frame = revisions.revisions_frame(inputs.revisions)
    context["revisions"] = revision_frame.to_dict(orient="records")
    context["revision_labels"] = {k: v.format(now=now, horizon=horizon) for k, v in revisions.LABELS.items()}
    context["revision_moves"] = sections.revision_moves(revision_frame, context["revision_labels"])
    rebuilt_draws = revision_frame["draws"].dropna() if "draws" in revision_frame else pd.Series(dtype=float)
    context["revision_draws"] = int(rebuilt_draws.max()) if len(rebuilt_draws) else None
    short = {k: v.format(now=now, horizon=horizon) for k, v in revisions.SHORT_LABELS.items()}
    jobs["revisions"] = (lambda: charts.revisions(revision_frame, short)) if len(revision_frame) > 1 else None
    # The charts are drawn from here on, in the order the brief shows them, while the caller goes on;
    # the template gets a placeholder per chart (chart_placeholder) and "" for a chart not drawn.
    in_brief_order = ("capex", "two_layers", "flop", "usd", "tornado", "fit", "power", "market", "revisions")
    context["chart_drawing"] = chart_drawing.ChartsDrawing(
        {name: jobs[name] for name in in_brief_order if jobs[name] is not None}, fork=fork_charts)
    context["charts"] = {name: chart_placeholder(name) if jobs[name] is not None else "" for name in jobs}
    if len(revision_frame):
        chart_data["revisions"] = revision_frame
    chart_data.update({"capex_by_layer": capex, "two_layers_gw": layers, "training_durability": durability,
                       "thresholds": pd.DataFrame(context["thresholds"])})
    if len(mix):
        chart_data["fleet_mix"] = mix
    return context, chart_data
