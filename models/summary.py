"""Summaries of the paths: P10/P50/P90 per year, scope, bucket and unit in the pinned long
format (:func:`summarise`), and the distribution of the first year inference >= training, per
unit (:func:`crossover`).

Units in the long table: those of :mod:`models.paths` and, for the bucket ``inference_share``,
``share_of_flop``, ``share_of_accelerator_hours``, ``share_of_energy``, ``share_of_spend``.
Totals per side are computed per draw, then summarised (P50 of a total is not the sum of the
buckets' P50s). Two more rows per year: ``total_unconstrained`` / ``h100e`` (installed H100e the
demand would need without the supply cap) and ``served_fraction`` / ``fraction`` (the share of
that demand the capped supply serves; 1 through the last observed year).
"""

import numpy as np
import pandas as pd

from models import capex
from models.buckets import BUCKETS, INFERENCE_BUCKETS, SERVING_BUCKETS
from models.paths import Paths
from models.stats import quantiles_rows

UNITS = ("flop", "accelerator_hours", "h100e", "gw", "twh", "usd")
SHARE_UNITS = {"flop": "share_of_flop", "accelerator_hours": "share_of_accelerator_hours",
               "twh": "share_of_energy", "usd": "share_of_spend"}
CROSSOVER_UNITS = ("flop", "accelerator_hours", "usd")
DEMAND_COLUMNS = ["scenario", "seed", "snapshot_hash", "year", "bucket", "unit", "p10", "p50", "p90",
                  "scope"]
CROSSOVER_COLUMNS = ["scenario", "seed", "snapshot_hash", "unit", "outcome", "year", "probability"]

ALL_AI_UNITS = ("accelerator_hours", "h100e", "gw", "twh", "usd")
SUMMARY_CHUNK = 24  # series summarised per block (memory: chunk x years x draws floats)
CAPEX_BUCKETS = ("purchased", capex.TOTAL_BUCKET, *capex.LAYER_BUCKETS)


def _series(paths: Paths) -> list[tuple[str, str, str, np.ndarray]]:
    """(scope, bucket, unit, values) for every summarised quantity."""
    out: list[tuple[str, str, str, np.ndarray]] = []
    tr_b, inf_b = paths.side_buckets("generative")
    cache: dict[tuple[str, str], np.ndarray] = {}

    def get(b, unit):
        if (b, unit) not in cache:
            cache[(b, unit)] = paths.unit(b, unit)
        return cache[(b, unit)]

    for unit in UNITS:
        for b in BUCKETS:
            out.append(("generative", b, unit, get(b, unit)))
        tr = sum(get(b, unit) for b in tr_b)
        inf = sum(get(b, unit) for b in inf_b)
        out += [("generative", "training_total", unit, tr), ("generative", "inference_total", unit, inf),
                ("generative", "total", unit, tr + inf)]
        if unit in SHARE_UNITS:
            out.append(("generative", "inference_share", SHARE_UNITS[unit], inf / (tr + inf)))
        if unit in ALL_AI_UNITS:
            o_tr, o_inf = get("other_ai_training", unit), get("other_ai_inference", unit)
            out += [("all_ai", "other_ai_training", unit, o_tr), ("all_ai", "other_ai_inference", unit, o_inf),
                    ("all_ai", "training_total", unit, tr + o_tr), ("all_ai", "inference_total", unit, inf + o_inf),
                    ("all_ai", "total", unit, tr + inf + o_tr + o_inf)]
            if unit in SHARE_UNITS:
                out.append(("all_ai", "inference_share", SHARE_UNITS[unit],
                            (inf + o_inf) / (tr + inf + o_tr + o_inf)))
            if unit in ("h100e", "gw"):
                idle = get("idle_or_ramping", unit)
                out += [("all_ai", "idle_or_ramping", unit, idle),
                        ("all_ai", "installed", unit, tr + inf + o_tr + o_inf + idle)]
    out.append(("all_ai", "utilisation", "fraction", paths.utilisation()))
    # the two infrastructure layers: interactive serving (external generative serving and the
    # other AI work's inference, ranking every request) sits near users; the rest can sit in campuses
    near = sum(get(b, "gw") for b in SERVING_BUCKETS) + get("other_ai_inference", "gw")
    campus = sum(get(b, "gw") for b in BUCKETS if b not in SERVING_BUCKETS) \
        + get("other_ai_training", "gw")
    out += [("all_ai", "near_users", "gw", near), ("all_ai", "campus", "gw", campus)]
    cx = paths.capex()
    out += [("all_ai", "purchased", "h100e", cx.purchased_h100e), ("all_ai", "purchased", "gw", cx.added_gw),
            ("all_ai", capex.TOTAL_BUCKET, capex.CAPEX_UNIT, cx.total_usd)]
    out += [("all_ai", name, capex.CAPEX_UNIT, cx.layer(name)) for name in capex.LAYER_BUCKETS]
    out.append(("generative", "total_unconstrained", "h100e",
                sum(paths.installed_h100e(h) for h in paths.demand_hours.values())))
    out.append(("generative", "served_fraction", "fraction", paths.served_fraction))
    tok_total = None
    for b in INFERENCE_BUCKETS:
        out.append(("generative", b, "tokens", paths.tokens[b]))
        tok_total = paths.tokens[b] if tok_total is None else tok_total + paths.tokens[b]
    out.append(("generative", "inference_total", "tokens", tok_total))
    return out


def summarise(paths: Paths, scenario: str, seed: int, snapshot_hash: str,
              only: set[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """P10/P50/P90 per year, scope, bucket and unit, in the pinned long format (plus ``scope``).
    ``only``: the (scope, bucket, unit) series to summarise; default every one."""
    series = _series(paths)
    if only is not None:
        series = [s for s in series if s[:3] in only]
    years = paths.ctx.years
    ny = len(years)
    chunks = []
    for start in range(0, len(series), SUMMARY_CHUNK):  # bounded memory: a chunk of series at a time
        part = [v for *_, v in series[start:start + SUMMARY_CHUNK]]
        chunks.append(quantiles_rows(np.concatenate(part, axis=0)))  # (3, chunk series * years)
    q = np.concatenate(chunks, axis=1)
    n = len(series)
    frame = pd.DataFrame({
        "scenario": scenario,
        "seed": int(seed),
        "snapshot_hash": snapshot_hash,
        "year": np.tile(years, n).astype(int),
        "bucket": np.repeat([b for _, b, _, _ in series], ny),
        "unit": np.repeat([u for _, _, u, _ in series], ny),
        "p10": q[0], "p50": q[1], "p90": q[2],
        "scope": np.repeat([sc for sc, _, _, _ in series], ny),
    }, columns=DEMAND_COLUMNS)
    # purchases and capex have no figure before the year after the first observed stock year
    return frame[frame["p50"].notna() | ~frame["bucket"].isin(CAPEX_BUCKETS)].reset_index(drop=True)


def crossover_years(paths: Paths, unit: str) -> np.ndarray:
    """Per draw, the first year from ``ctx.crossover_start_year`` on with inference >= training
    in ``unit``; 0 = not by the horizon."""
    years = paths.ctx.years
    start = int(np.searchsorted(years, paths.ctx.crossover_start_year))
    tr, inf = paths.side_totals(unit)
    crossed = (inf >= tr)[start:]
    first = np.argmax(crossed, axis=0)
    any_ = crossed.any(axis=0)
    return np.where(any_, years[start:][first], 0)


def crossover(paths: Paths, scenario: str, seed: int,
              snapshot_hash: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The crossover-year distribution per unit, and its P10/P50/P90 summary.

    The search starts at ``ctx.crossover_start_year``: the first year with observed token
    volumes (earlier inference is a back-cast, not an observation). Outcomes: ``in_year`` (the
    first year inference >= training), ``by_first_year`` (already true in the start year) and
    ``not_by_horizon``.
    """
    rows, summary = [], []
    years = paths.ctx.years
    years = years[years >= paths.ctx.crossover_start_year]
    for unit in CROSSOVER_UNITS:
        first = crossover_years(paths, unit)
        n = first.size
        never = first == 0
        if never.any():
            rows.append((unit, "not_by_horizon", None, float(never.mean())))
        at_start = first == years[0]
        if at_start.any():
            rows.append((unit, "by_first_year", int(years[0]), float(at_start.mean())))
        for y in years[1:]:
            hit = first == y
            if hit.any():
                rows.append((unit, "in_year", int(y), float(hit.mean())))
        finite = np.where(never, np.inf, first.astype(float))
        qs = np.quantile(finite, [0.1, 0.5, 0.9], method="inverted_cdf")
        summary.append({
            "scenario": scenario, "seed": int(seed), "snapshot_hash": snapshot_hash, "unit": unit,
            "p10": None if np.isinf(qs[0]) else int(qs[0]),
            "p50": None if np.isinf(qs[1]) else int(qs[1]),
            "p90": None if np.isinf(qs[2]) else int(qs[2]),
            "probability_by_horizon": float(1.0 - never.mean()), "draws": int(n),
        })
    dist = pd.DataFrame(rows, columns=["unit", "outcome", "year", "probability"])
    dist.insert(0, "snapshot_hash", snapshot_hash)
    dist.insert(0, "seed", int(seed))
    dist.insert(0, "scenario", scenario)
    dist["year"] = dist["year"].astype("Int64")
    summ = pd.DataFrame(summary)
    for col in ("p10", "p50", "p90"):
        summ[col] = summ[col].astype("Int64")
    return dist[CROSSOVER_COLUMNS], summ
