"""How the headline figures moved over the last twelve monthly briefs.

A revision point is one partition's headline figures for fixed calendar years (the current
brief's nowcast year and horizon), read from that month's archived ``metrics.json`` where it
exists (what was published) or from a rebuild of that month as of its own month end (the as-of
rule on today's warehouse: what the data then known gives with today's code). Pure functions over
dicts and DataFrames.
"""

import math

import pandas as pd

COLUMNS = ["partition", "basis", "inference_share_now", "inference_share_horizon", "installed_gw_horizon",
           "crossover_year", "now_year", "horizon_year", "draws"]
SHORT_LABELS = {  # chart panel titles
    "inference_share_now": "inference share {now}, %",
    "inference_share_horizon": "inference share {horizon}, %",
    "installed_gw_horizon": "installed GW {horizon} (all AI)",
    "crossover_year": "crossover year (P50)",
}
LABELS = {
    "inference_share_now": "inference share of accelerator-hours, {now} (generative)",
    "inference_share_horizon": "inference share of accelerator-hours, {horizon} (generative)",
    "installed_gw_horizon": "installed AI power, {horizon}, GW (all AI)",
    "crossover_year": "crossover year, accelerator-hours (P50, generative)",
}


def _clean(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def point_from_metrics(partition: str, basis: str, metrics: dict, now: int, horizon: int) -> dict | None:
    """The headline figures from an archived or rebuilt metrics.json (schema 2: yearly series);
    None when the file has no series for these years."""
    series = metrics.get("series") or []

    def pick(metric, scope, year):
        for row in series:
            if row.get("metric") == metric and row.get("scope") == scope and row.get("year") == year:
                return _clean(row.get("p50"))
        return None

    share_now = pick("inference_share_accelerator_hours", "generative", now)
    share_horizon = pick("inference_share_accelerator_hours", "generative", horizon)
    if share_now is None and share_horizon is None:
        return None
    cross = (metrics.get("metrics") or {}).get("crossover_year_accelerator_hours", {})
    return {"partition": partition, "basis": basis, "inference_share_now": share_now,
            "inference_share_horizon": share_horizon,
            "installed_gw_horizon": pick("installed_gw", "all_ai", horizon),
            "crossover_year": _clean(cross.get("value")), "now_year": now, "horizon_year": horizon, "draws": None}


def point_from_model(partition: str, basis: str, demand: pd.DataFrame, crossover_summary: pd.DataFrame,
                     now: int, horizon: int, draws: int | None = None) -> dict:
    """The headline figures from one scenario's model outputs (``model.demand`` rows and the
    crossover summary); ``draws``: the Monte Carlo draws of a rebuild."""
    scope = demand["scope"] if "scope" in demand.columns else pd.Series("generative", index=demand.index)

    def pick(sc, bucket, unit, year):
        rows = demand[(scope == sc) & (demand["bucket"] == bucket) & (demand["unit"] == unit) & (demand["year"] == year)]
        return float(rows["p50"].iloc[0]) if len(rows) else None

    cross = crossover_summary[crossover_summary["unit"] == "accelerator_hours"]
    year = cross["p50"].iloc[0] if len(cross) else None
    return {"partition": partition, "basis": basis,
            "inference_share_now": pick("generative", "inference_share", "share_of_accelerator_hours", now),
            "inference_share_horizon": pick("generative", "inference_share", "share_of_accelerator_hours", horizon),
            "installed_gw_horizon": pick("all_ai", "installed", "gw", horizon),
            "crossover_year": None if year is None or pd.isna(year) else int(year),
            "now_year": now, "horizon_year": horizon, "draws": draws}


def revisions_frame(points: list[dict]) -> pd.DataFrame:
    """The points oldest first, one row per partition (the chart's CSV)."""
    frame = pd.DataFrame(points, columns=COLUMNS)
    return frame.sort_values("partition").reset_index(drop=True)


def moved(frame: pd.DataFrame) -> dict[str, tuple]:
    """Per headline: (first, last, change) over the window, None where a value is missing."""
    out = {}
    for column in LABELS:
        values = frame[column].dropna()
        out[column] = (values.iloc[0], values.iloc[-1], values.iloc[-1] - values.iloc[0]) if len(values) else None
    return out
