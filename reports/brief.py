"""The monthly brief: model outputs -> metrics, takeaways and template context -> HTML -> PDF.

Pure functions over DataFrames; no Dagster, no DuckDB. The Dagster brief asset and the plain
bench path both call ``render_brief``; ``pipeline.build_brief`` archives the result.
Every number the brief states is in ``metrics.json`` (pinned layout, extended with `label` and
`year` per metric and the takeaways' text), and the next month's "what changed" reads it.
"""

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from models.calibration import UTILISATION_RANGE
from models.units import DAYS_PER_YEAR
from reports import charts, implications, revisions
from reports.market import market_context  # noqa: F401  (part of the brief's interface)
from reports.formatting import (
    format_count,
    format_number,
    format_percent,
    format_sci,
    format_si,
    format_usd,
)
from reports.pdf import AssetsOnlyFetcher, render_pdf

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
METRICS_SCHEMA_VERSION = 2
EPOCH_ATTRIBUTION = "Data: Epoch AI, CC BY 4.0, epoch.ai/data"
MLPERF_NOTICE = ("MLPerf is a trademark of MLCommons. MLPerf Inference results are used as "
                 "published (Apache-2.0); unverified derived figures are flopcast's.")
REFERENCE_MODEL = "dense 70B, 8-bit"
SHARE_UNITS = {"accelerator_hours": "share_of_accelerator_hours", "flop": "share_of_flop",
               "spend": "share_of_spend", "energy": "share_of_energy"}
UNIT_LABELS = {"flop": "FLOP", "accelerator_hours": "accelerator-hours", "usd": "USD",
               "twh": "TWh", "gw": "GW", "h100e": "H100-equivalents"}
TRAINING_BUCKETS = ("pretraining", "posttraining", "experiments", "synthetic_data")
INFERENCE_BUCKETS = ("internal_inference", "serving_chat", "serving_reasoning", "serving_agents")
# Scenario-table drivers: the ones readers ask about first.
SCENARIO_DRIVERS = ("frontier_growth_per_year", "query_growth_per_year", "reasoning_token_multiplier",
                    "agent_steps_per_task", "served_active_params", "training_mfu", "serving_utilisation",
                    "supply_growth_per_year")


@dataclass(frozen=True)
class BriefInputs:
    partition: str
    as_of: date
    scenario: str
    seed: int
    snapshot_hash: str
    code_version: str
    model: dict[str, pd.DataFrame]
    methodology: str
    data_sources: pd.DataFrame
    campuses: pd.DataFrame
    mlperf: pd.DataFrame
    market: pd.DataFrame = field(default_factory=pd.DataFrame)  # marts.fct_market_signals, as of the date
    previous: dict | None = None
    installed_base: pd.DataFrame = field(default_factory=pd.DataFrame)  # marts.fct_installed_base, one vintage
    revisions: list[dict] = field(default_factory=list)  # reports.revisions points, this month first
    reference_accelerator_id: str = "nvidia-h100-sxm"
    table_rows: int = 12


@dataclass
class RenderedBrief:
    html: str
    pdf: bytes
    metrics: dict
    chart_csvs: dict[str, bytes] = field(default_factory=dict)
    refused_urls: list[str] = field(default_factory=list)
    chart_uris: dict[str, str] = field(default_factory=dict)  # data: URIs of the SVG charts

    def archive_files(self) -> dict[str, bytes]:
        files = {
            "brief.pdf": self.pdf,
            "brief.html": self.html.encode(),
            "metrics.json": (json.dumps(self.metrics, indent=2, sort_keys=True) + "\n").encode(),
        }
        files.update({f"charts/{name}.csv": data for name, data in self.chart_csvs.items()})
        return files


# --- reading the model tables -------------------------------------------------------------------

class ModelView:
    """Lookups into the model tables of one scenario."""

    def __init__(self, inputs: BriefInputs, scenario: str | None = None):
        self.scenario = scenario or inputs.scenario
        self.tables = {name: (frame[frame["scenario"] == self.scenario] if "scenario" in frame else frame)
                       for name, frame in inputs.model.items()}
        demand = self.tables["demand"]
        if demand.empty:
            raise ValueError(f"no model outputs for scenario {self.scenario!r} in {inputs.partition}")
        if "scope" not in demand.columns:
            demand = demand.assign(scope="generative")
        self.all_demand = demand
        self.demand = demand[demand["scope"] == "generative"].set_index(["bucket", "unit", "year"])
        self.all_ai = demand[demand["scope"] == "all_ai"].set_index(["bucket", "unit", "year"])
        self.years = sorted(demand["year"].unique().tolist())
        self.horizon = self.years[-1]

    def band(self, bucket: str, unit: str, year: int,
             scope: str = "generative") -> tuple[float, float, float]:
        row = (self.demand if scope == "generative" else self.all_ai).loc[(bucket, unit, year)]
        return float(row["p10"]), float(row["p50"]), float(row["p90"])

    def has(self, bucket: str, unit: str, year: int, scope: str = "all_ai") -> bool:
        return (bucket, unit, year) in (self.demand if scope == "generative" else self.all_ai).index

    def series(self, bucket: str, unit: str, column: str = "p50") -> pd.Series:
        return self.demand.xs((bucket, unit), level=("bucket", "unit"))[column]

    def crossover(self, unit: str) -> dict:
        row = self.tables["crossover_summary"].set_index("unit").loc[unit]
        return {k: (None if pd.isna(row[k]) else int(row[k])) for k in ("p10", "p50", "p90")} | {
            "probability": float(row["probability_by_horizon"])}

    def driver(self, name: str) -> pd.Series:
        return self.tables["drivers"].set_index("driver").loc[name]


def _metric(value, unit: str, label: str, p10=None, p90=None, year=None) -> dict:
    def clean(x):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else float(x)

    return {"value": clean(value), "unit": unit, "p10": clean(p10), "p90": clean(p90), "label": label,
            "year": year}


DASHBOARD = ("inference_share_accelerator_hours_now", "inference_share_flop_now", "inference_share_spend_now",
             "inference_share_accelerator_hours_horizon", "crossover_year_accelerator_hours",
             "total_gw_now", "total_spend_usd_now", "disclosed_tokens_per_day", "largest_training_run_flop",
             "frontier_growth_per_year", "best_training_flop_per_usd", "accelerators_tracked")
HEADLINE_CHANGES = DASHBOARD + (  # the "what changed" table; every other change is counted and archived
    "inference_share_all_ai_accelerator_hours_now", "inference_share_all_ai_accelerator_hours_horizon",
    "installed_gw_now", "installed_gw_horizon", "capex_total_usd_now", "capex_total_usd_horizon",
    "near_users_share_horizon", "implied_utilisation_last_year")

SERIES = (  # metrics.json v2 `series`: (metric, scope, bucket, unit, unit label)
    ("inference_share_flop", "generative", "inference_share", "share_of_flop", "share"),
    ("inference_share_accelerator_hours", "generative", "inference_share", "share_of_accelerator_hours", "share"),
    ("inference_share_energy", "generative", "inference_share", "share_of_energy", "share"),
    ("inference_share_spend", "generative", "inference_share", "share_of_spend", "share"),
    ("inference_share_accelerator_hours", "all_ai", "inference_share", "share_of_accelerator_hours", "share"),
    ("inference_share_energy", "all_ai", "inference_share", "share_of_energy", "share"),
    ("inference_share_spend", "all_ai", "inference_share", "share_of_spend", "share"),
    ("installed_h100e", "all_ai", "installed", "h100e", "H100e"),
    ("installed_h100e", "generative", "total", "h100e", "H100e"),
    ("installed_gw", "all_ai", "installed", "gw", "GW"),
    ("installed_gw", "generative", "total", "gw", "GW"),
    ("energy_twh", "all_ai", "total", "twh", "TWh"),
    ("energy_twh", "generative", "total", "twh", "TWh"),
    ("spend_usd", "all_ai", "total", "usd", "USD"),
    ("spend_usd", "generative", "total", "usd", "USD"),
    ("fleet_utilisation", "all_ai", "utilisation", "fraction", "share"),
    ("served_fraction", "generative", "served_fraction", "fraction", "share"),
    ("demand_h100e", "generative", "total_unconstrained", "h100e", "H100e"),
)


def headline_series(view: "ModelView") -> list[dict]:
    """The headline quantities for every modelled year: metric, scope, year, unit, P10/P50/P90
    (and tokens/day, from the yearly token totals)."""
    out = []
    frame = view.all_demand
    for metric, scope, bucket, unit, label in SERIES:
        rows = frame[(frame["scope"] == scope) & (frame["bucket"] == bucket) & (frame["unit"] == unit)]
        for r in rows.sort_values("year").itertuples():
            out.append({"metric": metric, "scope": scope, "year": int(r.year), "unit": label,
                        "p10": float(r.p10), "p50": float(r.p50), "p90": float(r.p90)})
    tokens = frame[(frame["scope"] == "generative") & (frame["bucket"] == "inference_total")
                   & (frame["unit"] == "tokens")]
    for r in tokens.sort_values("year").itertuples():
        out.append({"metric": "tokens_per_day", "scope": "generative", "year": int(r.year),
                    "unit": "tokens/day", "p10": float(r.p10) / DAYS_PER_YEAR,
                    "p50": float(r.p50) / DAYS_PER_YEAR, "p90": float(r.p90) / DAYS_PER_YEAR})
    return out


def scenario_views(inputs: BriefInputs) -> dict[str, ModelView]:
    """One view per scenario in the model tables, bear-base-bull order."""
    names = sorted(inputs.model["demand"]["scenario"].unique(),
                   key=lambda s: {"bear": 0, "base": 1, "bull": 2}.get(s, 3))
    return {name: ModelView(inputs, name) for name in names}


def _reference_chip(inputs: BriefInputs, view: ModelView) -> pd.Series:
    fit = view.tables["hardware_fit"]
    match = fit[(fit["accelerator_id"] == inputs.reference_accelerator_id)
                & (fit["reference_model"] == REFERENCE_MODEL)]
    if match.empty:
        raise ValueError(f"reference accelerator {inputs.reference_accelerator_id!r} is not in the "
                         f"hardware table for {inputs.partition} (released later, or missing)")
    return match.iloc[0]


def build_metrics(inputs: BriefInputs) -> dict:
    """Every number the brief states, as archived in ``metrics.json``."""
    view = ModelView(inputs)
    now, horizon = inputs.as_of.year, view.horizon
    m: dict[str, dict] = {}
    for short, unit in SHARE_UNITS.items():
        for when, year in (("now", now), ("horizon", horizon)):
            p10, p50, p90 = view.band("inference_share", unit, year)
            m[f"inference_share_{short}_{when}"] = _metric(
                p50, "share", f"inference share of {short.replace('_', '-')}, {year} (generative)", p10, p90, year)
    for unit, short in (("accelerator_hours", "accelerator_hours"), ("flop", "flop"), ("usd", "spend")):
        cross = view.crossover(unit)
        m[f"crossover_year_{short}"] = _metric(
            cross["p50"], "year", f"year inference overtakes training ({short.replace('_', '-')}, generative)",
            cross["p10"], cross["p90"])
        m[f"crossover_probability_{short}"] = _metric(
            cross["probability"], "probability", f"chance inference overtakes training by {horizon} ({short}, generative)",
            year=horizon)
    for layer in ("training_total", "inference_total", "total"):
        for when, year in (("now", now), ("horizon", horizon)):
            p10, p50, p90 = view.band(layer, "gw", year)
            m[f"{layer.replace('_total', '')}_gw_{when}"] = _metric(
                p50, "GW", f"installed power, {layer.replace('_', ' ')}, {year} (generative)", p10, p90, year)
    p10, p50, p90 = view.band("total", "usd", now)
    m["total_spend_usd_now"] = _metric(p50, "USD", f"compute spend, all buckets, {now} (generative)", p10, p90, now)
    p10, p50, p90 = view.band("total", "flop", now)
    m["total_flop_now"] = _metric(p50, "FLOP", f"compute used, all buckets, {now} (generative)", p10, p90, now)
    trend = view.tables["trend"].iloc[0]
    m["frontier_growth_per_year"] = _metric(
        trend["growth_per_year"], "x/yr", "frontier training compute growth (fitted)",
        trend["growth_p10"], trend["growth_p90"])
    history = view.tables["training_history"]
    largest = history.loc[history["frontier_max_flop"].idxmax()]
    m["largest_training_run_flop"] = _metric(largest["frontier_max_flop"], "FLOP",
                                             "largest training run on record", year=int(largest["year"]))
    accounting = view.tables["token_accounting"]
    anchors = accounting[accounting["status"] == "anchor"]
    m["disclosed_tokens_per_day"] = _metric(
        anchors["tokens_per_day"].sum(), "tokens/day",
        f"tokens/day disclosed by {len(anchors)} providers (latest figure each)")
    check = view.tables.get("supply_check", pd.DataFrame())
    if len(check):
        last = check.sort_values("year").iloc[-1]
        year = int(last["year"])
        m["observed_installed_h100e_last_year"] = _metric(
            last["observed_h100e"], "H100e", f"installed base shipped and in service, {year} average (all AI)",
            last["observed_h100e_low"], last["observed_h100e_high"], year)
        m["implied_utilisation_last_year"] = _metric(
            last["implied_utilisation_p50"], "share",
            f"modelled demand / observed installed base, {year}",
            last["implied_utilisation_p10"], last["implied_utilisation_p90"], year)
    for when, year in (("now", now), ("horizon", horizon)):
        if view.has("installed", "h100e", year):
            p10, p50, p90 = view.band("installed", "h100e", year, "all_ai")
            m[f"installed_h100e_{when}"] = _metric(p50, "H100e", f"installed AI accelerators, {year} (all AI)",
                                                   p10, p90, year)
            p10, p50, p90 = view.band("installed", "gw", year, "all_ai")
            m[f"installed_gw_{when}"] = _metric(p50, "GW", f"installed AI power, {year} (all AI)", p10, p90, year)
            p10, p50, p90 = view.band("inference_share", "share_of_accelerator_hours", year, "all_ai")
            m[f"inference_share_all_ai_accelerator_hours_{when}"] = _metric(
                p50, "share", f"inference share of accelerator-hours, {year} (all AI)", p10, p90, year)
    summary = view.tables.get("calibration_summary", pd.DataFrame())
    if len(summary):
        m["calibration_effective_draws"] = _metric(float(summary["effective_draws"].iloc[0]), "draws",
                                                   "effective draws after calibration")
    score = view.tables["backtest"].dropna(subset=["loo_p50"]) if "loo_p50" in view.tables["backtest"] else None
    if score is not None and len(score):
        m["backtest_loo_mean_error"] = _metric(float((score["loo_p50"] - score["published_share"]).mean()),
                                               "share", "leave-one-out backtest, mean signed error")
        m["backtest_loo_share_within"] = _metric(float(score["loo_within_p10_p90"].astype(bool).mean()),
                                                 "share", "leave-one-out backtest, share of rows inside P10-P90")
    chip = _reference_chip(inputs, view)
    m["reference_ridge_point_flop_per_byte"] = _metric(
        chip["ridge_point_flop_per_byte"], "FLOP/byte", f"{chip['accelerator_name']} ridge point (dense BF16)")
    m["reference_decode_tokens_per_s_batch1"] = _metric(
        chip["decode_tokens_per_s_batch1"], "tokens/s",
        f"{chip['accelerator_name']} batch-1 decode ceiling, {REFERENCE_MODEL}")
    fit = view.tables["hardware_fit"]
    dense = fit[fit["reference_model"] == REFERENCE_MODEL]
    m["best_training_flop_per_usd"] = _metric(dense["training_flop_per_usd"].max(), "FLOP/USD",
                                              "best training FLOP per rental dollar")
    m["accelerators_tracked"] = _metric(dense["accelerator_id"].nunique(), "count",
                                        f"accelerators released by {inputs.as_of.isoformat()}")
    views = scenario_views(inputs)
    m.update(implications.implication_metrics(views, inputs.scenario, now, horizon))
    m.update(implications.threshold_metrics(implications.thresholds(view, horizon), horizon))
    for i, chip in enumerate(implications.inference_leaders(fit, REFERENCE_MODEL), start=1):
        m[f"inference_fit_leader_{i}_usd_per_million_tokens"] = _metric(
            chip["usd_per_million_tokens"], "USD/M tokens",
            f"{chip['accelerator_name']}: serving cost per million tokens, {REFERENCE_MODEL} (rank {i})")
    mix = implications.fleet_mix(inputs.installed_base)
    for r in mix.itertuples():
        m[f"shipped_share_{r.vendor_class.replace(' ', '_')}_{r.year}"] = _metric(
            r.share, "share", f"{r.vendor_class} share of accelerators shipped, {r.year} (H100e, all work)", year=r.year)
    for year, g in mix.groupby("year"):
        m[f"shipped_h100e_{year}"] = _metric(float(g["shipped_h100e"].sum()), "H100e",
                                             f"accelerators shipped, {year}, vendors reporting", year=int(year))
    for series, implied in implications.model_implied(view, inputs.market).items():
        m[f"model_implied_{series}"] = _metric(
            implied["p50"], "USD", f"model-implied counterpart of {series.replace('_', ' ')}, {implied['year']}",
            implied["p10"], implied["p90"], implied["year"])
        m[f"reported_{series}"] = _metric(implied["reported"], "USD",
                                          f"{series.replace('_', ' ')}, four reported quarters of {implied['year']}",
                                          year=implied["year"])
    return {
        "schema_version": METRICS_SCHEMA_VERSION,
        "series": headline_series(view) + implications.implication_series(view),
        "partition": inputs.partition,
        "scenario": inputs.scenario,
        "seed": inputs.seed,
        "snapshot_hash": inputs.snapshot_hash,
        "metrics": m,
        "data_vintage": data_vintage(inputs.data_sources),
    }


VINTAGE_COLUMNS = ("source_name", "source_mode", "vintage", "fetched_at", "row_count", "is_stale",
                   "landing_url", "landing_sha256", "licence")


def data_vintage(data_sources: pd.DataFrame) -> list[dict]:
    """Which sources loaded, their vintage and retrieval, rows and staleness, sorted by name (the
    sources page and metrics.json state the same list)."""
    frame = data_sources.reindex(columns=list(VINTAGE_COLUMNS)).sort_values("source_name")
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    for record in records:
        record["row_count"] = int(record["row_count"] or 0)
        record["is_stale"] = bool(record["is_stale"])
    return records


# --- what changed -------------------------------------------------------------------------------

def _fmt_metric(metric: dict) -> str:
    """A metric as the brief prints it (the same words in "what changed" and the email)."""
    value, unit = metric.get("value"), metric.get("unit", "")
    if value is None:
        return "not by horizon" if unit == "year" else "n/a"
    if unit in ("share", "probability"):
        return format_percent(value)
    if unit == "year":
        return str(int(value))
    if unit == "USD":
        return format_usd(value)
    if unit == "USD/GW":
        return f"{format_usd(value)} per GW"
    if unit == "x/yr":
        return f"{format_number(value)}x/yr"
    if unit in ("FLOP", "FLOP/USD"):
        return f"{format_sci(value)} {unit}"
    if unit in ("tokens/day", "H100e"):
        return format_count(value, unit)
    return f"{format_number(value)} {unit}".strip()


def what_changed(metrics: dict, previous: dict | None, tolerance: float = 0.005) -> list[dict]:
    """Metrics whose value differs from the previous brief's (relative change > ``tolerance``)."""
    if previous is None:
        return []
    changes = []
    for name, metric in metrics["metrics"].items():
        old = previous.get("metrics", {}).get(name)
        if old is None:
            changes.append({"name": name, "label": metric["label"], "before": "not reported",
                            "after": _fmt_metric(metric), "delta": "new"})
            continue
        a, b = old.get("value"), metric.get("value")
        if a == b or (a is not None and b is not None and abs(b - a) <= tolerance * max(abs(a), 1e-300)):
            continue
        if a is not None and b is not None:
            delta = (f"{b - a:+.0f} years" if metric["unit"] == "year"
                     else f"{100 * (b - a):+.1f} points" if metric["unit"] in ("share", "probability")
                     else f"{100 * (b / a - 1):+.1f}%" if a else "")
        else:
            delta = "changed"
        changes.append({"name": name, "label": metric["label"], "before": _fmt_metric(old),
                        "after": _fmt_metric(metric), "delta": delta})
    return changes


# --- takeaways ----------------------------------------------------------------------------------

def _range(p10, p90, fmt) -> str:
    return f"{fmt(p10)}-{fmt(p90)}"


def _year_text(value) -> str:
    return "after the horizon" if value is None else str(int(value))


def build_takeaways(inputs: BriefInputs, metrics: dict, changes: list[dict]) -> list[str]:
    """Three to five computed sentences with numbers and dates; the PDF's first page, the email
    body and ``metrics.json`` all carry these same words."""
    m = metrics["metrics"]
    view = ModelView(inputs)
    now, horizon = inputs.as_of.year, view.horizon
    hours_now, hours_h = m["inference_share_accelerator_hours_now"], m["inference_share_accelerator_hours_horizon"]
    flop_now = m["inference_share_flop_now"]
    all_now = m.get("inference_share_all_ai_accelerator_hours_now")
    all_text = (f"; across all AI accelerators (recommendation, vision and enterprise ML included) it is "
                f"{format_percent(all_now['value'])}" if all_now else "")
    sentences = [
        f"Generative inference uses {format_percent(hours_now['value'])} of generative AI accelerator-hours "
        f"in {now} (P10-P90 {_range(hours_now['p10'], hours_now['p90'], format_percent)}) but only "
        f"{format_percent(flop_now['value'])} of the FLOP, because serving runs at low utilisation"
        f"{all_text}; by {horizon} its share of accelerator-hours reaches {format_percent(hours_h['value'])} "
        f"({_range(hours_h['p10'], hours_h['p90'], format_percent)}) in the {inputs.scenario} scenario.",
    ]
    cross_h, cross_f = m["crossover_year_accelerator_hours"], m["crossover_year_flop"]
    prob_h = m["crossover_probability_accelerator_hours"]["value"]
    prob_f = m["crossover_probability_flop"]["value"]
    in_flop = (f"in FLOP in {_year_text(cross_f['value'])}" if cross_f["value"] is not None else
               f"in FLOP not by {horizon} in most simulations ({format_percent(prob_f)} cross by then)")
    sentences.append(
        f"Inference overtakes training in accelerator-hours in {_year_text(cross_h['value'])} "
        f"(P10 {_year_text(cross_h['p10'])}, P90 {_year_text(cross_h['p90'])}; "
        f"{format_percent(prob_h)} of simulations cross by {horizon}) and {in_flop}.")
    growth = _bucket_growth(view, now)
    top = view.tables["tornado"]
    top = top[top["unit"] == "share_of_accelerator_hours"].sort_values("rank")
    lead = top.iloc[0]
    sentences.append(
        f"{growth.index[0].replace('_', ' ').capitalize()} is the fastest-growing bucket "
        f"({format_number(growth.iloc[0])}x a year to {horizon} in accelerator-hours); the driver that "
        f"moves the {horizon} inference share most is {lead['driver'].replace('_', ' ')} "
        f"({format_number(100 * lead['swing'])} points between its P10 and P90).")
    gw_t, gw_i = m["training_gw_horizon"], m["inference_gw_horizon"]
    if "installed_gw_now" in m:
        inst_now, inst_h = m["installed_gw_now"], m["installed_gw_horizon"]
        observed = m.get("observed_installed_h100e_last_year")
        stock = (f"{format_count(observed['value'])} H100-equivalents were shipped and in service in "
                 f"{observed['year']}; " if observed else "")
        sentences.append(
            f"{stock}the installed AI fleet draws {format_number(inst_now['value'])} GW in {now} and "
            f"{format_number(inst_h['value'])} GW by {horizon} (P10-P90 "
            f"{_range(inst_h['p10'], inst_h['p90'], format_number)} GW, bounded by packaging and power)"
            + (f": {format_number(m['campus_gw_horizon']['value'])} GW of it working in remote campuses "
               f"(training, batch inference), where cheap power wins, and "
               f"{format_number(m['near_users_gw_horizon']['value'])} GW serving near users"
               if "campus_gw_horizon" in m and "near_users_gw_horizon" in m else
               f": {format_number(gw_t['value'])} GW for generative training and "
               f"{format_number(gw_i['value'])} GW for generative inference")
            + (f"; building what is added costs {format_usd(m['capex_total_usd_now']['value'])} in {now} and "
               f"{format_usd(m['capex_total_usd_horizon']['value'])} in {horizon}, "
               f"{format_percent(m['capex_accelerators_share']['value'] + m['capex_memory_share']['value'])} "
               f"of it for accelerators and their memory, "
               f"{format_percent(m['capex_power_cooling_share']['value'] + m['capex_buildings_share']['value'])} "
               f"for power, cooling and buildings"
               if "capex_total_usd_horizon" in m else "") + ".")
        sentences[-1] = sentences[-1][0].upper() + sentences[-1][1:]
    else:
        sentences.append(
            f"Installed AI compute draws {format_number(m['total_gw_now']['value'])} GW in {now} and "
            f"{format_number(m['total_gw_horizon']['value'])} GW by {horizon} "
            f"(P10-P90 {_range(m['total_gw_horizon']['p10'], m['total_gw_horizon']['p90'], format_number)} GW): "
            f"{format_number(gw_t['value'])} GW for training, where cheap remote power wins, and "
            f"{format_number(gw_i['value'])} GW for inference near users.")
    if inputs.previous is None:
        sentences.append(f"This is the first archived brief ({inputs.partition}); from next month this "
                         "line reports what changed.")
    elif not changes:
        sentences.append(f"Nothing the brief measures changed since {inputs.previous['partition']}"
                         + (" (rebuilt as of its month end)." if inputs.previous.get("rebuilt") else "."))
    else:
        shown = changes[:2]
        since = (f"Since {inputs.previous['partition']} (rebuilt as of its month end from the same data)"
                 if inputs.previous.get("rebuilt") else f"Since the {inputs.previous['partition']} brief")
        sentences.append(f"{since}: " + "; ".join(
            f"{c['label']} {c['before']} -> {c['after']}" for c in shown)
            + (f" (and {len(changes) - 2} more changes)." if len(changes) > 2 else "."))
    return sentences


def _bucket_growth(view: ModelView, now: int) -> pd.Series:
    """Growth factor per year from ``now`` to the horizon, per bucket (accelerator-hours, P50)."""
    years = view.horizon - now
    rates = {}
    for bucket in TRAINING_BUCKETS + INFERENCE_BUCKETS:
        start, end = view.band(bucket, "accelerator_hours", now)[1], view.band(bucket, "accelerator_hours", view.horizon)[1]
        if start > 0 and years > 0:
            rates[bucket] = (end / start) ** (1 / years)
    return pd.Series(rates).sort_values(ascending=False)


# --- context ------------------------------------------------------------------------------------

def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=format_number, si=format_si, pct=format_percent, metric=_fmt_metric,
                       year=_year_text, count=format_count, usd=format_usd, sci=format_sci, qty=_quantity)
    return env


def _quantity(value) -> str:
    """Driver values: plain below a million, in words above (3.46e10 -> '34.6 billion')."""
    return format_count(value) if value is not None and abs(float(value)) >= 1e6 else format_number(value)


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _stacked_frame(view: ModelView, unit: str) -> pd.DataFrame:
    frame = pd.DataFrame({b: view.series(b, unit) for b in TRAINING_BUCKETS + INFERENCE_BUCKETS})
    for q in ("p10", "p50", "p90"):
        frame[f"total_{q}"] = view.series("total", unit, q)
    frame.index.name = "year"
    return frame


def _split_rows(view: ModelView, year: int, sides: dict[str, str]) -> list[dict]:
    rows = []
    for bucket in TRAINING_BUCKETS + INFERENCE_BUCKETS + ("training_total", "inference_total", "total"):
        row = {"bucket": bucket.replace("_", " "), "side": sides.get(bucket, ""),
               "total": bucket.endswith("total")}
        for unit in ("flop", "accelerator_hours", "gw", "usd"):
            row[unit] = view.band(bucket, unit, year)
        rows.append(row)
    return rows


def _scenario_rows(inputs: BriefInputs, views: dict[str, ModelView]) -> tuple[list[str], list[dict]]:
    names = list(views)
    rows = []
    for driver in SCENARIO_DRIVERS:
        values = {}
        for name, view in views.items():
            drivers = view.tables["drivers"].set_index("driver")
            if driver in drivers.index:
                values[name] = (drivers.loc[driver, "p10"], drivers.loc[driver, "p50"], drivers.loc[driver, "p90"])
        main = views.get(inputs.scenario, next(iter(views.values()))).tables["drivers"].set_index("driver")
        if driver in main.index:
            rows.append({"label": driver.replace("_", " "), "unit": main.loc[driver, "unit"],
                         "basis": main.loc[driver, "kind"], "values": values, "kind": "driver"})
    for label, fn in (
        ("inference share of accelerator-hours, horizon",
         lambda v: v.band("inference_share", "share_of_accelerator_hours", v.horizon)),
        ("installed power, GW, horizon", lambda v: v.band("total", "gw", v.horizon)),
    ):
        rows.append({"label": label, "unit": "", "basis": "output", "kind": "output",
                     "values": {n: fn(v) for n, v in views.items()}})
    rows.append({"label": "crossover year, accelerator-hours (P50)", "unit": "", "basis": "output",
                 "kind": "year", "values": {n: v.crossover("accelerator_hours")["p50"] for n, v in views.items()}})
    return names, rows


def _supply_note(view: ModelView, now: int, horizon: int) -> str:
    """Demand before allocation against what the stock serves, in the years the rule binds."""
    if not (view.has("served_fraction", "fraction", horizon, "generative")
            and view.has("total_unconstrained", "h100e", horizon, "generative")):
        return ""
    parts = []
    for year in (now, horizon):
        frac = view.band("served_fraction", "fraction", year)
        if frac[1] >= 0.999:
            continue
        demand = view.band("total_unconstrained", "h100e", year)
        parts.append(f"in {year} the drivers' growth rates, if no compute limit slowed them, would need "
                     f"{format_count(demand[1])} H100-equivalents (P10-P90 {format_count(demand[0])}-"
                     f"{format_count(demand[2])}) and the stock that packaging and power allow serves "
                     f"{format_percent(frac[1])} of that ({format_percent(frac[0])}-{format_percent(frac[2])})")
    if not parts:
        return ""
    return ("Demand and supply: " + "; ".join(parts) + ". The forecast is the served quantity in the tables "
            "above; where the drivers outrun the stock, usage growth must slow or get cheaper per token, and "
            "the split follows the allocation rule (methodology: Allocation) more than the demand drivers - "
            "the tornado shows it.")


def _campus_check(view: ModelView, campuses: pd.DataFrame, now: int) -> str:
    """The modelled installed power beside the operational power of the listed campuses (a floor)."""
    if campuses.empty or "operational_power_mw" not in campuses or not view.has("installed", "gw", now):
        return ""
    operational = pd.to_numeric(campuses["operational_power_mw"], errors="coerce").sum() / 1000.0
    if not operational > 0:
        return ""
    p10, p50, p90 = view.band("installed", "gw", now, "all_ai")
    return (f"Check: the listed campuses report {format_number(operational)} GW operational; the model's installed "
            f"AI power in {now} is {format_number(p50)} GW ({format_number(p10)}-{format_number(p90)}), "
            f"{'above' if p10 >= operational else 'not clearly above'} that floor (campus figures include "
            "non-accelerator load and are not all AI).")


# Reader-facing names of the bundled tables and marts a basis or source may name (the PDF never
# shows a project-internal file or table name; each bundled row carries its publisher's URL).
TABLE_LABELS = {
    "training_runs": "training runs", "accelerators": "accelerator specifications",
    "token_volumes": "token-volume disclosures", "rental_prices": "cloud rental listings",
    "published_splits": "published training/inference splits", "datacenter_campuses": "data-centre campuses",
    "accelerator_shipments": "accelerator shipments", "company_financials": "company financials",
    "lab_compute_spend": "AI labs' compute spend", "installed_base": "installed-base estimate",
}
_INTERNAL = re.compile(r"\b(?:fct|dim|stg|int)_([a-z0-9_]+)")


def reader_text(text: str) -> str:
    """Internal table names replaced by what they hold (``fct_training_runs`` -> 'training runs')."""
    return _INTERNAL.sub(lambda m: TABLE_LABELS.get(m.group(1), m.group(1).replace("_", " ")), str(text))


def reader_basis(basis: str) -> str:
    """A driver's basis as the brief prints it: primary sources as given; a bundled table by what it
    holds (its rows cite their publishers, section 9); a fit described, not named by its table."""
    basis = str(basis).strip()
    if basis.startswith("source:"):
        return basis.removeprefix("source:").strip()
    if basis.startswith("snapshot:"):
        table, _, rest = basis.removeprefix("snapshot:").strip().partition(",")
        label = TABLE_LABELS.get(table.strip(), table.strip().replace("_", " "))
        return f"Bundled {label} (each row cites its publisher){': ' + reader_text(rest.strip()) if rest else ''}"
    if basis.startswith("fit:"):
        return "Fitted to the data as of the brief's date: " + reader_text(basis.removeprefix("fit:").strip())
    return reader_text(basis)


def reader_source(source: dict) -> dict:
    """A data source row as the sources page prints it: a bundled table by what it holds."""
    out = dict(source)
    name, url = str(source.get("source_name", "")), str(source.get("landing_url") or "")
    if name.startswith("snapshot_"):
        table = name.removeprefix("snapshot_")
        out["display_name"] = f"flopcast compilation: {TABLE_LABELS.get(table, table.replace('_', ' '))}"
        out["display_url"] = "public sources, one URL and retrieval date per row"
    else:
        out["display_name"] = name.replace("_", " ")
        out["display_url"] = url
    return out


def _calibration_warnings(view: ModelView) -> list[str]:
    summary = view.tables.get("calibration_summary", pd.DataFrame())
    text = "; ".join(w for w in summary.get("warnings", pd.Series(dtype=str)) if w)
    return [f"Calibration warning for this brief: {text}. The numbers still stand on the calibrated draws; "
            "read their ranges as less certain than stated."] if text else []


def vintage_summary(data_vintage: list[dict]) -> str:
    """One line for the front page: how many sources, and the vintage of each publisher group."""
    groups: dict[str, list[str]] = {}
    for src in data_vintage:
        name = str(src.get("source_name", ""))
        group = ("flopcast compilation" if name.startswith("snapshot_") else
                 name.split("_")[0].replace("epoch", "Epoch AI").replace("mlperf", "MLPerf")
                 .replace("openrouter", "OpenRouter"))
        vintage = str(src.get("vintage") or "").split(" (")[0]
        for prefix in ("flopcast compilation, ", "Epoch AI ", "MLPerf Inference "):
            vintage = vintage.removeprefix(prefix)
        if vintage and vintage not in groups.setdefault(group, []):
            groups[group].append(vintage)
    stale = sum(1 for src in data_vintage if src.get("is_stale"))
    parts = [f"{group}: {', '.join(sorted(v)[-2:])}" for group, v in groups.items() if v]
    return (f"{len(data_vintage)} sources ({stale} stale)" + (" · " + "; ".join(parts) if parts else ""))


def _draws_text(view: ModelView) -> str:
    summary = view.tables.get("calibration_summary", pd.DataFrame())
    if summary.empty:
        run = view.tables.get("run", pd.DataFrame())
        return f"{int(run['draws'].iloc[0]):,}" if len(run) else "the"
    s = summary.iloc[0]
    return f"{int(s['draws']):,} ({float(s['effective_draws']):,.0f} effective)"


def _calibration_context(view: ModelView) -> tuple[str, list[dict], str]:
    """The calibration paragraph, its anchor rows (formatted) and the backtest summary line."""
    summary = view.tables.get("calibration_summary", pd.DataFrame())
    anchors = view.tables.get("calibration", pd.DataFrame())
    text = "No calibration table in this partition."
    if len(summary):
        s = summary.iloc[0]
        text = (f"{int(s['draws']):,} draws from the scenario's priors, weighted against {int(s['anchors'])} "
                f"observations: {float(s['effective_draws']):,.0f} effective draws carry the calibrated results "
                f"(warning below {int(s['min_effective_draws'])}).")
        if s["warnings"]:
            text += f" Warning: {s['warnings']}."
    rows = []
    for a in anchors.to_dict(orient="records"):
        if a["kind"] == "published_split":
            continue  # in the backtest table above
        fmt = format_percent if a["scale"] == "logit" else format_usd
        observed = (f"{fmt(a['observed_low'])}-{fmt(a['observed_high'])}" if a["observed_low"] != a["observed_high"]
                    else fmt(a["observed_low"]))
        if a["kind"] == "lab_compute_spend":
            observed = f"{format_usd(a['observed'])} (industry {observed})"
        label = {"installed_base": "Utilisation of the installed base",
                 "lab_compute_spend": "Industry compute spend implied by OpenAI's"}.get(a["kind"], a["anchor_id"])
        rows.append({
            "label": label, "note": f"{a['note']} ({a['anchor_id']})", "year": a["year"],
            "observed_text": observed,
            "prior_text": f"{fmt(a['prior_p50'])} ({fmt(a['prior_p10'])}-{fmt(a['prior_p90'])})",
            "calibrated_text": f"{fmt(a['calibrated_p50'])} ({fmt(a['calibrated_p10'])}-{fmt(a['calibrated_p90'])})",
        })
    score = view.tables["backtest"]
    scored = score.dropna(subset=["loo_p50"]) if "loo_p50" in score else score.iloc[0:0]
    line = ""
    if len(scored):
        err = float((scored["loo_p50"] - scored["published_share"]).mean())
        inside = int(scored["loo_within_p10_p90"].astype(bool).sum())
        line = (f"Leave-one-out over {len(scored)} rows: mean signed error {100 * err:+.1f} points; "
                f"{inside} of {len(scored)} published values inside their P10-P90.")
        skipped = len(score) - len(scored)
        if skipped:
            line += f" {skipped} row(s) not scored (reason in the row)."
    return text, rows, line


def build_context(inputs: BriefInputs, metrics: dict, changes: list[dict]) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Template variables and the data behind each chart (archived as CSV)."""
    view = ModelView(inputs)
    now, horizon = inputs.as_of.year, view.horizon
    first_projected = now  # the as-of year is a nowcast; earlier years are history
    sides = {b: "training" for b in TRAINING_BUCKETS} | {b: "inference" for b in INFERENCE_BUCKETS}
    fit = view.tables["hardware_fit"]
    dense = fit[fit["reference_model"] == REFERENCE_MODEL].copy()
    dense["release_date"] = pd.to_datetime(dense["release_date"]).dt.strftime("%Y-%m-%d")
    leading = (dense[dense["chips_to_hold_model"] == 1]
               .sort_values(["inference_fit_rank", "accelerator_id"]).head(inputs.table_rows))
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
    campuses = inputs.campuses.copy()
    if not campuses.empty:
        campuses = campuses.sort_values("planned_power_mw", ascending=False, na_position="last").head(12)
    mlperf = inputs.mlperf
    views = scenario_views(inputs)  # one view per scenario, shared by the scenario table and the implications
    scenario_names, scenario_rows = _scenario_rows(inputs, views)
    backtest = view.tables["backtest"].copy()
    for column in ("period_start", "period_end"):
        backtest[column] = pd.to_datetime(backtest[column]).dt.strftime("%Y-%m-%d")
    drivers = view.tables["drivers"]
    cal_text, cal_rows, backtest_summary = _calibration_context(view)
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
        "split_now": _split_rows(view, now, sides),
        "split_horizon": _split_rows(view, horizon, sides),
        "scenario_names": scenario_names,
        "scenario_rows": scenario_rows,
        "tornado": tornado_data.to_dict(orient="records"),
        "hardware": leading.to_dict(orient="records"),
        "reference_model": REFERENCE_MODEL,
        "power": power.to_dict(orient="records"),
        "campuses": campuses.to_dict(orient="records"),
        "mlperf": mlperf.to_dict(orient="records"),
        "backtest": backtest.to_dict(orient="records"),
        "backtest_summary": backtest_summary,
        "draws_text": _draws_text(view),
        "vintage_line": vintage_summary(metrics["data_vintage"]),
        "supply_note": _supply_note(view, now, horizon),
        "campus_check": _campus_check(view, inputs.campuses, now),
        "calibration_text": cal_text,
        "calibration_anchors": cal_rows,
        "utilisation_range": "{:.0%} and {:.0%}".format(*UTILISATION_RANGE),
        "supply_check": view.tables.get("supply_check", pd.DataFrame()).to_dict(orient="records"),
        "drivers": [d | {"basis": reader_basis(d["basis"])} for d in drivers.to_dict(orient="records")],
        "assumption_count": int((drivers["kind"] == "assumption").sum()),
        "methodology": [p.strip() for p in inputs.methodology.split("\n\n") if p.strip()]
        + _calibration_warnings(view),
        "sources": [reader_source(src) for src in metrics["data_vintage"]],
        "stale_sources": [reader_source(s)["display_name"] for s in metrics["data_vintage"] if s["is_stale"]],
        "epoch_loaded": bool(inputs.data_sources["source_name"].str.startswith("epoch_").any()),
        "mlperf_loaded": not mlperf.empty,
        "epoch_attribution": EPOCH_ATTRIBUTION,
        "mlperf_notice": MLPERF_NOTICE,
        "charts": {
            "flop": _svg_data_uri(charts.demand_panels(flop_frame, "FLOP per year (log scale)", first_projected)),
            "usd": _svg_data_uri(charts.demand_panels(usd_frame, "USD per year (log scale)", first_projected)),
            "tornado": _svg_data_uri(charts.tornado(
                tornado_data, float(tornado_data["share_base"].iloc[0]),
                f"inference share of accelerator-hours in {horizon}")),
            "fit": _svg_data_uri(charts.fit_scatter(scatter, named)),
            "power": _svg_data_uri(charts.power_by_layer(power)),
        },
    }
    context.update(implications_context(view, views, horizon))
    capex = implications.capex_frame(view)
    layers = implications.two_layers_frame(view, now - 2)
    durability = implications.durability_frame(views)
    mix = implications.fleet_mix(inputs.installed_base)
    context["fleet_mix"] = _fleet_mix_rows(mix)
    context["charts"]["capex"] = _svg_data_uri(charts.capex_by_layer(
        capex, {layer.name: layer.label for layer in implications.LAYERS})) if len(capex) else ""
    context["charts"]["two_layers"] = _svg_data_uri(charts.two_layers(layers)) if len(layers) else ""
    market_rows, market_panels, market_frame = market_context(inputs.market, view)
    implied = implications.model_implied(view, inputs.market)
    ship = next((r for r in market_rows if r.get("series") == "accelerator_shipments"), None)
    if ship is not None and view.has("purchased", "h100e", int(ship["quarter"])):
        p10, p50, p90 = view.band("purchased", "h100e", int(ship["quarter"]), "all_ai")
        ship["implied_text"] = (f"{ship['quarter']}: model bought {format_count(p50)} ({format_count(p10)}-"
                                f"{format_count(p90)}) H100e; the model's stock is a year average, so its purchases "
                                f"trail the year's shipments")
    for row in market_rows:
        hit = implied.get(row.get("series", ""))
        if row.get("implied_text"):
            row["implied"] = row.pop("implied_text")
            continue
        row["implied"] = (f"{hit['year']}: model {format_usd(hit['p50'])} ({format_usd(hit['p10'])}-"
                          f"{format_usd(hit['p90'])}) vs reported {format_usd(hit['reported'])}; {hit['scope']}"
                          if hit else "")
    context["market"] = market_rows
    context["charts"]["market"] = _svg_data_uri(charts.market_signals(market_panels)) if market_panels else ""
    chart_data = {"split_flop": flop_frame.reset_index(), "split_usd": usd_frame.reset_index(),
                  "tornado": tornado_data, "hardware_fit": scatter.reset_index(drop=True),
                  "power_by_layer": power}
    if not market_frame.empty:
        chart_data["market_signals"] = market_frame
    revision_frame = revisions.revisions_frame(inputs.revisions)
    context["revisions"] = revision_frame.to_dict(orient="records")
    context["revision_labels"] = {k: v.format(now=now, horizon=horizon) for k, v in revisions.LABELS.items()}
    context["revision_moves"] = _revision_moves(revision_frame, context["revision_labels"])
    rebuilt_draws = revision_frame["draws"].dropna() if "draws" in revision_frame else pd.Series(dtype=float)
    context["revision_draws"] = int(rebuilt_draws.max()) if len(rebuilt_draws) else None
    short = {k: v.format(now=now, horizon=horizon) for k, v in revisions.SHORT_LABELS.items()}
    context["charts"]["revisions"] = (_svg_data_uri(charts.revisions(revision_frame, short))
                                      if len(revision_frame) > 1 else "")
    if len(revision_frame):
        chart_data["revisions"] = revision_frame
    chart_data.update({"capex_by_layer": capex, "two_layers_gw": layers, "training_durability": durability,
                       "thresholds": pd.DataFrame(context["thresholds"])})
    if len(mix):
        chart_data["fleet_mix"] = mix
    return context, chart_data


def implications_context(view: ModelView, views: dict[str, ModelView], horizon: int) -> dict:
    """Template variables of the implications pages (numbers come from metrics.json); ``views``:
    one per scenario (:func:`scenario_views`)."""
    fit = view.tables["hardware_fit"]
    refs: dict[str, int] = {}
    for layer in implications.LAYERS:
        refs.setdefault(layer.basis, len(refs) + 1)
    return {
        "durability_scenarios": list(views),
        "capex_layers": [{"name": layer.name, "label": layer.label, "group": layer.group,
                          "share_of_group": layer.share_of_group, "ref": refs[layer.basis]}
                         for layer in implications.LAYERS],
        "capex_sources": [(ref, reader_basis("source: " + basis)) for basis, ref in refs.items()],
        "thresholds": [t | {"low_text": _driver_value(t["low"], t["unit"]), "high_text": _driver_value(t["high"], t["unit"])}
                       for t in implications.thresholds(view, horizon)],
        "unobservable": implications.unobservable_leaders(view, horizon),
        "inference_leaders": implications.inference_leaders(fit, REFERENCE_MODEL),
    }


def _revision_moves(frame: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """One phrase per headline: its value in the oldest and the newest brief of the window."""
    out = []
    for column, move in revisions.moved(frame).items() if len(frame) else []:
        if move is None:
            continue
        first, last, _ = move
        fmt = (format_percent if column.startswith("inference_share") else
               (lambda v: str(int(v))) if column == "crossover_year" else (lambda v: f"{format_number(v)} GW"))
        out.append(f"{labels[column]} {fmt(first)} to {fmt(last)}")
    return out


def _driver_value(value: float, unit: str) -> str:
    if unit == "fraction":
        return format_percent(value)
    if unit == "x/yr":
        return f"{format_number(value)}x/yr"
    return f"{_quantity(value)} {unit}"


def _fleet_mix_rows(mix: pd.DataFrame) -> list[dict]:
    rows = []
    for year, g in mix.groupby("year"):
        shares = {r.vendor_class: r.share for r in g.itertuples()}
        rows.append({"year": int(year), "shares": shares,
                     "total": float(g["shipped_h100e"].sum()),
                     "missing": str(g["missing_vendors"].iloc[0])})
    return rows


def render_html(context: dict) -> str:
    return _environment().get_template("brief.html.j2").render(**context)


def render_brief(inputs: BriefInputs) -> RenderedBrief:
    metrics = build_metrics(inputs)
    changes = what_changed(metrics, inputs.previous)
    metrics["takeaways"] = build_takeaways(inputs, metrics, changes)
    metrics["changes"] = changes
    metrics["revisions"] = revisions.revisions_frame(inputs.revisions).astype(object).where(
        lambda f: f.notna(), None).to_dict(orient="records")
    context, chart_frames = build_context(inputs, metrics, changes)
    html = render_html(context)
    fetcher = AssetsOnlyFetcher()
    pdf = render_pdf(html, fetcher)
    chart_csvs = {name: frame.to_csv(index=False).encode() for name, frame in chart_frames.items()}
    return RenderedBrief(html=html, pdf=pdf, metrics=metrics, chart_csvs=chart_csvs,
                         refused_urls=list(fetcher.refused), chart_uris=dict(context["charts"]))
