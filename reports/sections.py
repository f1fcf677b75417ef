"""The rows and sentences of the brief's sections, from the model tables of one scenario (a
:class:`reports.inputs.ModelView`) or of all of them: the split and scenario tables, the supply and
campus checks, calibration and backtest, the implications pages, fleet mix and revisions.

Plain values for the template; :mod:`reports.context` assembles them for the whole brief.
"""

import pandas as pd

from models.buckets import BUCKETS, INFERENCE_BUCKETS, TRAINING_BUCKETS, bucket_label
from reports import implications, revisions
from reports.formatting import driver_text, format_count, format_number, format_percent, format_quantity, format_sci, format_usd
from reports.inputs import ModelView
from reports.market import market_context
from reports.metrics import REFERENCE_MODEL
from reports.sources import reader_basis

# Scenario-table drivers: the ones readers ask about first.
SCENARIO_DRIVERS = ("frontier_growth_per_year", "query_growth_per_year", "reasoning_token_multiplier",
                    "agent_steps_per_task", "served_active_params", "training_mfu", "decode_utilisation",
                    "supply_growth_per_year")


def split_rows(view: ModelView, year: int) -> list[dict]:
    """The split table of one year: each bucket, then the training, inference and overall totals."""
    sides = {b: "training" for b in TRAINING_BUCKETS} | {b: "inference" for b in INFERENCE_BUCKETS}
    rows = []
    for bucket in BUCKETS + ("training_total", "inference_total", "total"):
        row = {"bucket": bucket_label(bucket), "side": sides.get(bucket, ""),
               "total": bucket.endswith("total")}
        for unit in ("flop", "accelerator_hours", "gw", "usd"):
            row[unit] = view.band(bucket, unit, year)
        rows.append(row)
    return rows


def scenario_rows(views: dict[str, ModelView], main_scenario: str) -> list[dict]:
    """The scenario table: the leading drivers per scenario, then the horizon outputs."""
    rows = []
    for driver in SCENARIO_DRIVERS:
        values = {}
        for name, view in views.items():
            drivers = view.tables["drivers"].set_index("driver")
            if driver in drivers.index:
                values[name] = (drivers.loc[driver, "p10"], drivers.loc[driver, "p50"], drivers.loc[driver, "p90"])
        main = views.get(main_scenario, next(iter(views.values()))).tables["drivers"].set_index("driver")
        if driver in main.index:
            rows.append({"label": driver_text(driver), "unit": main.loc[driver, "unit"],
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
    return rows


def supply_note(view: ModelView, now: int, horizon: int) -> str:
    """Demand before allocation against what the stock serves, in the years the rule binds."""
    if not (view.has("served_fraction", "fraction", horizon, "generative")
            and view.has("total_unconstrained", "h100e", horizon, "generative")):
        return ""
    parts = []
    for year in (now, horizon):
        frac = view.band("served_fraction", "fraction", year)
        if frac[1] >= 0.999:
            continue
        parts.append(f"in {year} the drivers' growth rates, compounded with nothing to slow them, would ask for "
                     f"about {format_number(1 / frac[1], 2)} times the stock that packaging and power allow: the "
                     f"stock serves {format_percent(frac[1])} of that demand (P10-P90 {format_percent(frac[0])}-"
                     f"{format_percent(frac[2])})")
    if not parts:
        return ""
    return ("Demand and supply: " + "; ".join(parts) + ". That unslowed demand is not a forecast; it shows the "
            "drivers' growth rates cannot all hold. The forecast is the served quantity in the tables "
            "above; where the drivers outrun the stock, usage growth must slow or get cheaper per token, and "
            "the split follows the allocation rule (methodology: Allocation) more than the demand drivers - "
            "the tornado shows it.")


def one_record_per_site(campuses: pd.DataFrame) -> pd.DataFrame:
    """One record per campus site: where two sources list a site (same ``site_id``), the most
    preferred record (lowest ``site_preference``) among those given, so no site counts twice."""
    if campuses.empty or "site_id" not in campuses:
        return campuses
    return (campuses.sort_values(["site_preference", "campus_id"], kind="stable")
            .drop_duplicates("site_id").sort_index())


def campus_check(view: ModelView, campuses: pd.DataFrame, now: int, shown: int) -> str:
    """The modelled installed power beside the operational power of the campuses in the data, one
    record per site (a floor); ``shown``: how many of them the campus table lists."""
    if campuses.empty or "operational_power_mw" not in campuses or not view.has("installed", "gw", now):
        return ""
    operational = pd.to_numeric(campuses["operational_power_mw"], errors="coerce").sum() / 1000.0
    if not operational > 0:
        return ""
    p10, p50, p90 = view.band("installed", "gw", now, "all_ai")
    listed = (f"the {len(campuses)} campuses in the data (the table lists the {shown} largest)"
              if shown < len(campuses) else f"the {len(campuses)} campuses listed")
    return (f"Check: {listed} report {format_number(operational)} GW operational; the model's installed "
            f"AI power in {now} is {format_number(p50)} GW ({format_number(p10)}-{format_number(p90)}), "
            f"{'above' if p10 >= operational else 'not clearly above'} that floor (campus figures include "
            "non-accelerator load and are not all AI).")


def calibration_warnings(view: ModelView) -> list[str]:
    """The methodology's closing paragraph when the calibration left a warning."""
    summary = view.tables.get("calibration_summary", pd.DataFrame())
    text = "; ".join(w for w in summary.get("warnings", pd.Series(dtype=str)) if w)
    return [f"Calibration warning for this brief: {text}. The numbers still stand on the calibrated draws; "
            "read their ranges as less certain than stated."] if text else []


def draws_text(view: ModelView) -> str:
    """How many draws the results stand on (and how many effective, after calibration)."""
    summary = view.tables.get("calibration_summary", pd.DataFrame())
    if summary.empty:
        run = view.tables.get("run", pd.DataFrame())
        return f"{int(run['draws'].iloc[0]):,}" if len(run) else "the"
    s = summary.iloc[0]
    return f"{int(s['draws']):,} ({float(s['effective_draws']):,.0f} effective)"


# How the calibration table prints an anchor's values, by the anchor table's ``unit``, and the unit
# it names in the row.
ANCHOR_FORMATS = {"share": format_percent, "usd": format_usd, "flop": format_sci,
                  "usd_per_million_tokens": lambda v: format_usd(v, sig=2)}
ANCHOR_UNITS = {"share": "", "usd": "US$ per year", "flop": "FLOP", "usd_per_million_tokens": "US$ per million tokens"}


def calibration_context(view: ModelView) -> tuple[str, list[dict], str]:
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
        fmt = ANCHOR_FORMATS[a["unit"]]
        observed = (f"{fmt(a['observed_low'])}-{fmt(a['observed_high'])}" if a["observed_low"] != a["observed_high"]
                    else fmt(a["observed_low"]))
        if a["kind"] == "lab_compute_spend":
            observed = f"OpenAI {format_usd(a['observed'])}; industry {observed}"
        elif a["kind"] == "training_runs":
            observed = f"listed {format_sci(a['observed'])}; final runs {observed}"
        rows.append({
            "label": a["label"], "unit": ANCHOR_UNITS[a["unit"]], "note": a["note"], "year": a["year"],
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


def implications_context(view: ModelView, views: dict[str, ModelView], horizon: int) -> dict:
    """Template variables of the implications pages (numbers come from metrics.json); ``views``:
    one per scenario (:func:`reports.inputs.scenario_views`)."""
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
        "thresholds": [t | {"low_text": driver_value(t["low"], t["unit"]), "high_text": driver_value(t["high"], t["unit"])}
                       for t in implications.thresholds(view, horizon)],
        "unobservable": implications.unobservable_leaders(view, horizon),
        "inference_leaders": implications.inference_leaders(fit, REFERENCE_MODEL),
    }


def revision_moves(frame: pd.DataFrame, labels: dict[str, str]) -> list[str]:
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


def driver_value(value: float, unit: str) -> str:
    """A driver's value with its unit, as the thresholds table prints it."""
    if unit == "fraction":
        return format_percent(value)
    if unit == "x/yr":
        return f"{format_number(value)}x/yr"
    return f"{format_quantity(value)} {unit}"


def fleet_mix_rows(mix: pd.DataFrame) -> list[dict]:
    """The fleet-mix table: per year, each vendor class's share of what shipped, the total and who is missing."""
    rows = []
    for year, g in mix.groupby("year"):
        shares = {r.vendor_class: r.share for r in g.itertuples()}
        rows.append({"year": int(year), "shares": shares,
                     "total": float(g["shipped_h100e"].sum()),
                     "missing": str(g["missing_vendors"].iloc[0])})
    return rows


def market_rows(market: pd.DataFrame, view: ModelView, as_of=None) -> tuple[list[dict], list[dict], pd.DataFrame]:
    """The market-signals table (:func:`reports.market.market_context`, quarters running at
    ``as_of`` marked), each row with the model's counterpart beside it, its chart panels and the
    chart's data."""
    rows, panels, frame = market_context(market, view, as_of)
    implied = implications.model_implied(view, market)
    for row in rows:
        hit = implied.get(row.get("series", ""))
        row["implied"] = (f"{hit['year']}: model {format_usd(hit['p50'])} ({format_usd(hit['p10'])}-"
                          f"{format_usd(hit['p90'])}) vs reported {format_usd(hit['reported'])}; {hit['scope']}"
                          if hit else "")
    ship = next((r for r in rows if r.get("series") == "accelerator_shipments"), None)
    if ship is not None and view.has("purchased", "h100e", int(ship["quarter"])):
        p10, p50, p90 = view.band("purchased", "h100e", int(ship["quarter"]), "all_ai")
        ship["implied"] = (f"{ship['quarter']}: model bought {format_count(p50)} ({format_count(p10)}-"
                           f"{format_count(p90)}) H100e; the model's stock is a year average, so its purchases "
                           f"trail the year's shipments")
    return rows, panels, frame
