"""``metrics.json``: every number the brief states (pinned layout, extended with `label` and `year`
per metric), how the brief prints a metric, and what changed since the previous brief's metrics.

Pure functions over the model tables; :func:`build_metrics` is also how a missing month's metrics are
rebuilt, and the next month's "what changed" reads the archived result.
"""


import pandas as pd

from models.units import DAYS_PER_YEAR
from reports import implications
from reports.formatting import format_count, format_number, format_percent, format_sci, format_usd
from reports.inputs import BriefInputs, ModelView, metric_entry, scenario_views
from reports.sources import data_vintage

METRICS_SCHEMA_VERSION = 2
REFERENCE_MODEL = "dense 70B, 8-bit"  # the served model of the brief's hardware figures
SHARE_UNITS = {"accelerator_hours": "share_of_accelerator_hours", "flop": "share_of_flop",
               "spend": "share_of_spend", "energy": "share_of_energy"}
SHARE_LABELS = {"accelerator_hours": "accelerator-hours", "flop": "FLOP", "spend": "spend", "energy": "energy"}


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


def headline_series(view: ModelView) -> list[dict]:
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
            m[f"inference_share_{short}_{when}"] = metric_entry(
                p50, "share", f"inference share of {SHARE_LABELS[short]}, {year} (generative)", p10, p90, year)
    for unit, short in (("accelerator_hours", "accelerator_hours"), ("flop", "flop"), ("usd", "spend")):
        cross = view.crossover(unit)
        m[f"crossover_year_{short}"] = metric_entry(
            cross["p50"], "year", f"year inference overtakes training ({short.replace('_', '-')}, generative)",
            cross["p10"], cross["p90"])
        m[f"crossover_probability_{short}"] = metric_entry(
            cross["probability"], "probability", f"chance inference overtakes training by {horizon} ({short}, generative)",
            year=horizon)
    for layer in ("training_total", "inference_total", "total"):
        for when, year in (("now", now), ("horizon", horizon)):
            p10, p50, p90 = view.band(layer, "gw", year)
            m[f"{layer.replace('_total', '')}_gw_{when}"] = metric_entry(
                p50, "GW", f"installed power, {layer.replace('_', ' ')}, {year} (generative)", p10, p90, year)
    p10, p50, p90 = view.band("total", "usd", now)
    m["total_spend_usd_now"] = metric_entry(p50, "USD", f"compute spend, all buckets, {now} (generative)", p10, p90, now)
    p10, p50, p90 = view.band("total", "flop", now)
    m["total_flop_now"] = metric_entry(p50, "FLOP", f"compute used, all buckets, {now} (generative)", p10, p90, now)
    trend = view.tables["trend"].iloc[0]
    m["frontier_growth_per_year"] = metric_entry(
        trend["growth_per_year"], "x/yr", "frontier training compute growth, fit to the largest listed runs "
        "(the model's driver blends this fit with other paths: section 8)",
        trend["growth_p10"], trend["growth_p90"])
    history = view.tables["training_history"]
    largest = history.loc[history["frontier_max_flop"].idxmax()]
    m["largest_training_run_flop"] = metric_entry(largest["frontier_max_flop"], "FLOP",
                                             "largest training run on record", year=int(largest["year"]))
    accounting = view.tables["token_accounting"]
    anchors = accounting[accounting["status"] == "anchor"]
    m["disclosed_tokens_per_day"] = metric_entry(
        anchors["tokens_per_day"].sum(), "tokens/day",
        f"tokens/day, sum of the latest disclosure of each of {len(anchors)} providers (not a yearly average)")
    check = view.tables.get("supply_check", pd.DataFrame())
    if len(check):
        last = check.sort_values("year").iloc[-1]
        year = int(last["year"])
        m["observed_installed_h100e_last_year"] = metric_entry(
            last["observed_h100e"], "H100e", f"installed base shipped and in service, {year} average (all AI)",
            last["observed_h100e_low"], last["observed_h100e_high"], year)
        m["implied_utilisation_last_year"] = metric_entry(
            last["implied_utilisation_p50"], "share",
            f"modelled demand / observed installed base, {year}",
            last["implied_utilisation_p10"], last["implied_utilisation_p90"], year)
    for when, year in (("now", now), ("horizon", horizon)):
        if view.has("installed", "h100e", year):
            p10, p50, p90 = view.band("installed", "h100e", year, "all_ai")
            m[f"installed_h100e_{when}"] = metric_entry(p50, "H100e", f"installed AI accelerators, {year} (all AI)",
                                                   p10, p90, year)
            p10, p50, p90 = view.band("installed", "gw", year, "all_ai")
            m[f"installed_gw_{when}"] = metric_entry(p50, "GW", f"installed AI power, {year} (all AI)", p10, p90, year)
            p10, p50, p90 = view.band("inference_share", "share_of_accelerator_hours", year, "all_ai")
            m[f"inference_share_all_ai_accelerator_hours_{when}"] = metric_entry(
                p50, "share", f"inference share of accelerator-hours, {year} (all AI)", p10, p90, year)
    summary = view.tables.get("calibration_summary", pd.DataFrame())
    if len(summary):
        m["calibration_effective_draws"] = metric_entry(float(summary["effective_draws"].iloc[0]), "draws",
                                                   "effective draws after calibration")
    score = view.tables["backtest"].dropna(subset=["loo_p50"]) if "loo_p50" in view.tables["backtest"] else None
    if score is not None and len(score):
        m["backtest_loo_mean_error"] = metric_entry(float((score["loo_p50"] - score["published_share"]).mean()),
                                               "share", "leave-one-out backtest, mean signed error")
        m["backtest_loo_share_within"] = metric_entry(float(score["loo_within_p10_p90"].astype(bool).mean()),
                                                 "share", "leave-one-out backtest, share of rows inside P10-P90")
    chip = _reference_chip(inputs, view)
    m["reference_ridge_point_flop_per_byte"] = metric_entry(
        chip["ridge_point_flop_per_byte"], "FLOP/byte", f"{chip['accelerator_name']} ridge point (dense BF16)")
    m["reference_decode_tokens_per_s_batch1"] = metric_entry(
        chip["decode_tokens_per_s_batch1"], "tokens/s",
        f"{chip['accelerator_name']} batch-1 decode ceiling, {REFERENCE_MODEL}")
    fit = view.tables["hardware_fit"]
    dense = fit[fit["reference_model"] == REFERENCE_MODEL]
    m["best_training_flop_per_usd"] = metric_entry(dense["training_flop_per_usd"].max(), "FLOP/USD",
                                              "best training FLOP per rental dollar")
    m["accelerators_tracked"] = metric_entry(dense["accelerator_id"].nunique(), "count",
                                        f"accelerators released by {inputs.as_of.isoformat()}")
    views = scenario_views(inputs)
    m.update(implications.implication_metrics(views, inputs.scenario, now, horizon))
    m.update(implications.threshold_metrics(implications.thresholds(view, horizon), horizon))
    for i, chip in enumerate(implications.inference_leaders(fit, REFERENCE_MODEL), start=1):
        m[f"inference_fit_leader_{i}_usd_per_million_tokens"] = metric_entry(
            chip["usd_per_million_tokens"], "USD/M tokens",
            f"{chip['accelerator_name']}: serving cost per million tokens, {REFERENCE_MODEL} (rank {i})")
    mix = implications.fleet_mix(inputs.installed_base)
    for r in mix.itertuples():
        m[f"shipped_share_{r.vendor_class.replace(' ', '_')}_{r.year}"] = metric_entry(
            r.share, "share", f"{r.vendor_class} share of accelerators shipped, {r.year} (H100e, all work)", year=r.year)
    for year, g in mix.groupby("year"):
        m[f"shipped_h100e_{year}"] = metric_entry(float(g["shipped_h100e"].sum()), "H100e",
                                             f"accelerators shipped, {year}, vendors reporting", year=int(year))
    for series, implied in implications.model_implied(view, inputs.market).items():
        m[f"model_implied_{series}"] = metric_entry(
            implied["p50"], "USD", f"model-implied counterpart of {series.replace('_', ' ')}, {implied['year']}",
            implied["p10"], implied["p90"], implied["year"])
        m[f"reported_{series}"] = metric_entry(implied["reported"], "USD",
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


def format_metric(metric: dict) -> str:
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
    if unit == "count":  # the label names what is counted
        return format_number(value)
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
                            "after": format_metric(metric), "delta": "new"})
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
        changes.append({"name": name, "label": metric["label"], "before": format_metric(old),
                        "after": format_metric(metric), "delta": delta})
    return changes
