"""The brief's investment implications: durability of training demand, capex by layer, the two
infrastructure layers and the thresholds that would change the view.

Pure functions over the model tables (one :class:`reports.inputs.ModelView` per scenario, passed
in) and the installed-base mart rows. Every number they state goes into ``metrics.json`` (the
``metrics`` entries from :func:`implication_metrics`, the yearly series from
:func:`implication_series`) and into a chart CSV (:func:`implication_frames`); the template reads
the metrics, so the PDF states exactly what is archived.
"""

import pandas as pd

from models.capex import LAYERS, TOTAL_BUCKET
from models.capex import CAPEX_UNIT as CAPEX
from reports.formatting import driver_text
from reports.inputs import metric_entry

# Observables behind the drivers a reader can watch: driver -> (what to watch, where it is published).
# The thresholds page takes the drivers of the tornado with the widest swing that have one.
OBSERVABLES = {
    "training_floor_share": (
        "Share of the industry's accelerator stock held for labs' R&D (training, experiments, internal "
        "inference) when demand exceeds supply",
        "lab disclosures of compute by purpose (OpenAI put ~70% of its 2024 compute spend into R&D: one "
        "lab, not the industry's stock)"),
    "decode_utilisation": (
        "Share of peak FLOP/s that production serving uses (decode)",
        "providers' serving statistics (e.g. DeepSeek's inference-system overview)"),
    "serving_peak_to_average": (
        "Peak-hour to average serving load",
        "providers' serving statistics"),
    "query_growth_per_year": (
        "Yearly growth of queries (users x use)",
        "providers' disclosed token and user counts"),
    "frontier_growth_per_year": (
        "Yearly growth of the largest training run's compute",
        "Epoch AI's notable and frontier models"),
    "supply_growth_per_year": (
        "Yearly growth of accelerators shipped (H100-equivalents)",
        "company disclosures and analysts; NVIDIA data-centre revenue and hyperscaler capex lead it"),
    "power_growth_cap_per_year": (
        "Yearly growth of AI data-centre power coming online",
        "operators' campus disclosures, utilities' interconnection queues"),
    "reasoning_token_multiplier": (
        "Tokens per reasoning answer vs a plain chat answer",
        "OpenRouter and Epoch AI token statistics"),
    "agent_share_growth_per_year": (
        "Growth of the agent share of queries",
        "OpenRouter rankings, provider disclosures"),
    "usd_per_h100e_hour": ("H100 rental price per hour", "on-demand rental listings"),
    "training_mfu": ("Model FLOP utilisation of published training runs", "technical reports"),
}
NO_PUBLIC_SERIES = ("internal_inference_ratio", "internal_inference_growth_per_year")

# Vendor classes of the installed base: merchant GPUs vs the hyperscalers' own chips vs others.
VENDOR_CLASSES = {
    "nvidia": "GPU", "amd": "GPU", "intel": "other accelerator",
    "google": "custom ASIC", "aws": "custom ASIC", "meta": "custom ASIC", "microsoft": "custom ASIC",
    "huawei": "other accelerator", "cambricon": "other accelerator",
}
CLASS_ORDER = ("GPU", "custom ASIC", "other accelerator")
THRESHOLD_ROWS = 4
THRESHOLD_MIN_SWING = 0.01  # a driver that moves the share by less than a point changes no view


def _growth(start: float, end: float, years: int) -> float | None:
    if start is None or end is None or start <= 0 or end <= 0 or years <= 0:
        return None
    return (end / start) ** (1.0 / years)


def capex_years(view) -> list[int]:
    """Years with a capex figure (the year after the first observed stock year onwards)."""
    if (TOTAL_BUCKET, CAPEX) not in view.all_ai.index.droplevel("year"):
        return []
    return sorted(view.all_ai.xs((TOTAL_BUCKET, CAPEX), level=("bucket", "unit")).index.tolist())


def implication_metrics(views: dict, main: str, now: int, horizon: int) -> dict[str, dict]:
    """Every number of the implications pages, as metrics.json entries. ``views``: scenario ->
    ModelView (the bundled scenarios the run produced); ``main``: the brief's scenario."""
    m: dict[str, dict] = {}
    span = horizon - now
    for name, view in views.items():
        p10, p50, p90 = view.band("training_total", "flop", now)
        m[f"training_flop_now_{name}"] = metric_entry(p50, "FLOP", f"training compute, {now} ({name}, generative)", p10, p90, now)
        h10, h50, h90 = view.band("training_total", "flop", horizon)
        m[f"training_flop_horizon_{name}"] = metric_entry(h50, "FLOP", f"training compute, {horizon} ({name}, generative)",
                                                h10, h90, horizon)
        m[f"training_flop_growth_per_year_{name}"] = metric_entry(
            _growth(p50, h50, span), "x/yr", f"training compute growth per year {now}-{horizon}, P50s ({name})")
    v = views[main]
    years = capex_years(v)
    if now in years and horizon in years:
        for layer in (*LAYERS, None):
            bucket = layer.name if layer else TOTAL_BUCKET
            label = layer.label if layer else "All layers"
            for when, year in (("now", now), ("horizon", horizon)):
                p10, p50, p90 = v.band(bucket, CAPEX, year, "all_ai")
                m[f"{bucket}_usd_{when}"] = metric_entry(p50, "USD", f"capex, {label.lower()}, {year} (all AI)", p10, p90, year)
            m[f"{bucket}_growth_per_year"] = metric_entry(
                _growth(v.band(bucket, CAPEX, now, "all_ai")[1], v.band(bucket, CAPEX, horizon, "all_ai")[1], span),
                "x/yr", f"capex growth per year {now}-{horizon}, {label.lower()}, P50s")
            if layer:
                m[f"{bucket}_share"] = metric_entry(
                    v.band(bucket, CAPEX, horizon, "all_ai")[1] / v.band(TOTAL_BUCKET, CAPEX, horizon, "all_ai")[1],
                    "share", f"{label} share of capex, {horizon}", year=horizon)
        for name, parts, label in (
                ("capex_facility_share", [layer.name for layer in LAYERS if layer.group == "facility"],
                 "power, cooling and buildings"),
                ("capex_chips_share", ["capex_accelerators", "capex_memory"], "accelerators and their memory")):
            m[name] = metric_entry(sum(m[f"{part}_share"]["value"] for part in parts), "share",
                                   f"Share of capex, {label}, {horizon}", year=horizon)
        for when, year in (("now", now), ("horizon", horizon)):
            p10, p50, p90 = v.band("purchased", "gw", year, "all_ai")
            m[f"added_gw_{when}"] = metric_entry(p50, "GW", f"AI power added, {year} (all AI)", p10, p90, year)
            per_gw = v.band(TOTAL_BUCKET, CAPEX, year, "all_ai")[1] / p50 if p50 else None
            m[f"capex_usd_per_gw_{when}"] = metric_entry(per_gw, "USD/GW", f"capex per GW added, {year} (P50s)", year=year)
    for layer in ("campus", "near_users"):
        for when, year in (("now", now), ("horizon", horizon)):
            if v.has(layer, "gw", year):
                p10, p50, p90 = v.band(layer, "gw", year, "all_ai")
                label = "remote campuses (training, batch inference)" if layer == "campus" else "near users (serving)"
                m[f"{layer}_gw_{when}"] = metric_entry(p50, "GW", f"working AI power, {label}, {year} (all AI)", p10, p90, year)
    for when, year in (("now", now), ("horizon", horizon)):
        if f"campus_gw_{when}" in m and f"near_users_gw_{when}" in m:
            near, campus = m[f"near_users_gw_{when}"]["value"], m[f"campus_gw_{when}"]["value"]
            m[f"near_users_share_{when}"] = metric_entry(near / (near + campus), "share",
                                               f"share of working AI power near users, {year} (P50s)", year=year)
    return m


def implication_series(view) -> list[dict]:
    """metrics.json series of the implications: capex per layer and in total, power added, and the
    two layers' GW, per year (main scenario, all AI)."""
    out = []
    frame = view.all_demand[view.all_demand["scope"] == "all_ai"]
    picks = [(layer.name, CAPEX, "capex_usd", "USD") for layer in LAYERS] + [
        (TOTAL_BUCKET, CAPEX, "capex_usd", "USD"), ("purchased", "gw", "added_gw", "GW"),
        ("campus", "gw", "campus_gw", "GW"), ("near_users", "gw", "near_users_gw", "GW")]
    for bucket, unit, metric, label in picks:
        rows = frame[(frame["bucket"] == bucket) & (frame["unit"] == unit)].sort_values("year")
        name = metric if metric != "capex_usd" else f"capex_usd_{bucket.removeprefix('capex_')}"
        for r in rows.itertuples():
            out.append({"metric": name, "scope": "all_ai", "year": int(r.year), "unit": label,
                        "p10": float(r.p10), "p50": float(r.p50), "p90": float(r.p90)})
    return out


def fleet_mix(installed_base: pd.DataFrame) -> pd.DataFrame:
    """H100-equivalents shipped per year by vendor class (GPU, custom ASIC, other), from the
    installed-base mart's cumulative shipments per vendor (one vintage). A vendor with no figure
    for a year (its series starts later, or its cumulative figure does not move) is listed by name
    (``vendor_name`` where the mart has it) in ``missing_vendors`` and the year's shares are of the
    vendors that report."""
    cols = ["year", "vendor_class", "shipped_h100e", "share", "missing_vendors"]
    if installed_base is None or installed_base.empty:
        return pd.DataFrame(columns=cols)
    rows = installed_base[installed_base["vendor"] != "all"].copy()
    if "as_of_date" in rows.columns and rows["as_of_date"].nunique() > 1:  # several vintages: the latest
        rows = rows[rows["as_of_date"] == rows["as_of_date"].max()]
    rows["period_end"] = pd.to_datetime(rows["period_end"])
    names = (dict(zip(rows["vendor"], rows["vendor_name"])) if "vendor_name" in rows else {})
    cum = (rows.sort_values("period_end").groupby(["vendor", "year"])["shipped_h100e_cumulative"].last()
           .unstack("year").sort_index(axis=1))
    shipped = cum.diff(axis=1)
    first = cum.notna().idxmax(axis=1) if len(cum) else pd.Series(dtype=int)
    for vendor, year in first.items():
        shipped.loc[vendor, year] = cum.loc[vendor, year]  # a vendor's first year: its shipments to date
    out = []
    for year in shipped.columns:
        col = shipped[year]
        reported = col[col > 0]
        missing = sorted(names.get(v, v) for v in col.index if not col.get(v, 0) > 0)
        total = reported.sum()
        for cls in CLASS_ORDER:
            vendors = [v for v in reported.index if VENDOR_CLASSES.get(v, "other accelerator") == cls]
            value = float(reported[vendors].sum()) if vendors else 0.0
            out.append({"year": int(year), "vendor_class": cls, "shipped_h100e": value,
                        "share": value / total if total else None, "missing_vendors": ", ".join(missing)})
    return pd.DataFrame(out, columns=cols)


def thresholds(view, horizon: int, unit: str = "share_of_accelerator_hours") -> list[dict]:
    """The observable drivers with the widest swing on the horizon inference share (at least
    ``THRESHOLD_MIN_SWING``): the driver's P10/P90 as the threshold a reader can watch, and where
    the share would move."""
    torn = view.tables["tornado"]
    torn = torn[(torn["unit"] == unit) & (torn["year"] == horizon)].sort_values("swing", ascending=False)
    rows = []
    for r in torn.itertuples():
        if r.driver not in OBSERVABLES or not r.swing >= THRESHOLD_MIN_SWING:
            continue
        watch, where = OBSERVABLES[r.driver]
        rows.append({"driver": r.driver, "watch": watch, "where": where, "unit": r.driver_unit,
                     "low": float(r.value_p10), "base": float(r.value_p50), "high": float(r.value_p90),
                     "share_at_low": float(r.share_at_p10), "share_base": float(r.share_base),
                     "share_at_high": float(r.share_at_p90), "swing": float(r.swing), "rank": int(r.rank)})
        if len(rows) == THRESHOLD_ROWS:
            break
    return rows


def unobservable_leaders(view, horizon: int, unit: str = "share_of_accelerator_hours") -> list[dict]:
    """Drivers above the first observable one in the tornado that no public series tracks."""
    torn = view.tables["tornado"]
    torn = torn[(torn["unit"] == unit) & (torn["year"] == horizon)].sort_values("swing", ascending=False)
    out = []
    for r in torn.itertuples():
        if r.driver in OBSERVABLES:
            break
        out.append({"driver": r.driver, "swing": float(r.swing), "rank": int(r.rank),
                    "public_series": r.driver not in NO_PUBLIC_SERIES})
    return out


def threshold_metrics(rows: list[dict], horizon: int) -> dict[str, dict]:
    """Each threshold driver at its P10 and P90 with the share there, and the share every
    threshold is read against (all drivers at P50, an uncalibrated point run)."""
    m = {}
    if rows:
        m["threshold_share_all_p50"] = metric_entry(
            rows[0]["share_base"], "share",
            f"{horizon} inference share of accelerator-hours, every driver at P50 (uncalibrated point run)",
            year=horizon)
    for r in rows:
        label = driver_text(r["driver"])
        m[f"threshold_{r['driver']}_low"] = metric_entry(
            r["low"], r["unit"], f"{label} at its P10: {horizon} inference share of accelerator-hours",
            p10=r["share_at_low"], year=horizon)
        m[f"threshold_{r['driver']}_high"] = metric_entry(
            r["high"], r["unit"], f"{label} at its P90: {horizon} inference share of accelerator-hours",
            p90=r["share_at_high"], year=horizon)
    return m


def inference_leaders(hardware_fit: pd.DataFrame, reference_model: str, n: int = 3) -> list[dict]:
    """The chips with the lowest serving cost per million tokens on the reference model (rental
    basis where listed), with their decode ceiling and memory bandwidth."""
    fit = hardware_fit[hardware_fit["reference_model"] == reference_model]
    fit = fit.dropna(subset=["usd_per_million_tokens"]).sort_values(["usd_per_million_tokens", "accelerator_id"])
    cols = ["accelerator_id", "accelerator_name", "usd_per_million_tokens", "decode_tokens_per_s_batch1",
            "price_basis"]
    return fit.reindex(columns=cols).head(n).to_dict(orient="records")


def capex_frame(view) -> pd.DataFrame:
    """Capex per layer and year (P10/P50/P90, USD) and the power added, the chart's CSV."""
    years = capex_years(view)
    out = pd.DataFrame({"year": years})
    for bucket in [layer.name for layer in LAYERS] + [TOTAL_BUCKET]:
        for q in ("p10", "p50", "p90"):
            out[f"{bucket}_{q}"] = [view.band(bucket, CAPEX, y, "all_ai")[("p10", "p50", "p90").index(q)]
                                    for y in years]
    for q in ("p10", "p50", "p90"):
        out[f"added_gw_{q}"] = [view.band("purchased", "gw", y, "all_ai")[("p10", "p50", "p90").index(q)]
                                for y in years]
    return out


def two_layers_frame(view, first_year: int) -> pd.DataFrame:
    """Working GW per year in remote campuses vs near users (P10/P50/P90), the chart's CSV."""
    years = [y for y in view.years if y >= first_year and view.has("campus", "gw", y)]
    out = pd.DataFrame({"year": years})
    for layer in ("campus", "near_users"):
        for i, q in enumerate(("p10", "p50", "p90")):
            out[f"{layer}_{q}"] = [view.band(layer, "gw", y, "all_ai")[i] for y in years]
    return out


def durability_frame(views: dict) -> pd.DataFrame:
    """Training compute per year and scenario (P10/P50/P90, FLOP), the chart's CSV."""
    frames = []
    for name, view in views.items():
        years = view.years
        frames.append(pd.DataFrame({
            "scenario": name, "year": years,
            **{q: [view.band("training_total", "flop", y)[i] for y in years]
               for i, q in enumerate(("p10", "p50", "p90"))}}))
    return pd.concat(frames, ignore_index=True)


# Market series the model implies a value for: series -> (model buckets summed, scope note).
# The IT layers are fixed shares of one per-draw total, so the sum of their quantiles is the
# quantile of their sum.
IMPLIED = {
    "hyperscaler_capex": ((TOTAL_BUCKET,), "model: all AI data-centre capex, every buyer; reported: "
                          "the listed companies' total capex, AI and not"),
    "nvidia_data_center_revenue": (("capex_accelerators", "capex_memory", "capex_networking"),
                                   "model: accelerators, HBM and networking of every vendor; "
                                   "reported: NVIDIA alone"),
}


def latest_vintages(market: pd.DataFrame) -> pd.DataFrame:
    """Per series and quarter, the latest vintage in ``market`` (rows already cut at the as-of
    date): a restated quarter shows its restated value, flagged ``is_restated``."""
    if market is None or market.empty or "disclosed_on" not in market.columns:
        return market
    order = market.assign(_on=pd.to_datetime(market["disclosed_on"])).sort_values("_on", kind="stable")
    return (order.drop_duplicates(["series", "calendar_year", "calendar_quarter"], keep="last")
            .drop(columns="_on").sort_values(["series", "calendar_year", "calendar_quarter"]).reset_index(drop=True))


def model_implied(view, market: pd.DataFrame) -> dict[str, dict]:
    """Per market series with a model counterpart: the last calendar year whose four quarters are
    all reported and complete, its reported sum and the model's value for that year."""
    out: dict[str, dict] = {}
    if market is None or market.empty:
        return out
    years = set(capex_years(view))
    market = latest_vintages(market)
    for series, (buckets, scope) in IMPLIED.items():
        g = market[market["series"] == series]
        full = g[g["is_complete"].astype(bool)].groupby("calendar_year")["calendar_quarter"].nunique()
        full = [int(y) for y, n in full.items() if n == 4 and int(y) in years]
        if not full:
            continue
        year = max(full)
        reported = float(g[(g["calendar_year"] == year) & g["is_complete"].astype(bool)]["value"].sum())
        bands = [view.band(b, CAPEX, year, "all_ai") for b in buckets]
        p10, p50, p90 = (sum(b[i] for b in bands) for i in range(3))
        out[series] = {"year": year, "reported": reported, "p10": p10, "p50": p50, "p90": p90,
                       "ratio": p50 / reported if reported else None, "scope": scope}
    return out
