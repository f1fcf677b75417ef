"""Calibration: the Monte Carlo draws weighted against every observed anchor in the warehouse.

Method (importance weighting with flat-topped likelihoods, a form of history matching). Each draw
is a full model path from the prior (the scenario's drivers). Each anchor compares one model
quantity per draw with what was observed:

    log L(draw) = -1/2 (d / sigma)^2,   d = distance of the model value outside [low, high]

on a logit scale for shares and a log scale for levels; a point observation has low = high.
The draw's weight is the product of its anchors' likelihoods; the calibrated results are the
draws resampled by weight (systematic resampling, seeded), so every summary downstream is the
same code on the resampled draws. The effective sample size 1 / sum(w^2) says how many draws
carry the result.

Anchors
    published splits    every row the model can map to a quantity (``models.backtest``), sigma =
                        the row's kind (measurement / estimate / forecast) combined with a stated
                        scope nuisance term;
    installed base      for each observed year (``supply.supply_basis``), the share of the stock
                        the modelled work occupies lies in UTILISATION_RANGE;
    lab compute spend   OpenAI's disclosed inference and R&D compute spend of every complete year
                        with a figure, divided by the OpenAI share of the industry in
                        LAB_SHARE_RANGE, bracket the modelled industry serving and training spend;
    training runs       final-run compute of the last two complete years is at least the sum of
                        the runs listed with a FLOP figure (lists miss runs) and at most
                        RUN_LIST_COVERAGE_MAX times it;
    serving cost        the modelled serving cost per million processed tokens in 2025 lies
                        within SERVING_COST_RANGE of DeepSeek's published cost (served model
                        size and caching calibrated jointly with spend);
    token volumes and   enter the model as levels (``inference.token_levels``) and as the price
    rental prices       index; they are reported beside the model, not weighted (they hold by
                        construction).

Leave-one-out. Each published split is predicted by the calibration without its own likelihood:
weights w / L_i, and the predictive distribution adds the row's own noise (the published figure
= model quantity + scope and measurement error).

Warnings: an effective sample size below MIN_ESS, or an anchor no draw comes within two sigma of.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models import units
from models.backtest import MAPPINGS, SCORECARD_COLUMNS, split_anchors
from models.buckets import SERVING_BUCKETS, TRAINING_BUCKETS

MIN_ESS = 500
RESAMPLE_MAX = 20_000
"""The calibrated summaries use at most this many resampled draws: their precision is bounded by
the effective sample size (hundreds to thousands), not by the resample size."""
UTILISATION_RANGE = (0.5, 0.95)
UTILISATION_SIGMA = 0.3
LAB_SHARE_RANGE = {"inference": (0.15, 0.6), "r_and_d": (0.1, 0.5)}
LAB_SIGMA = 0.3
RUN_LIST_COVERAGE_MAX = 10.0
RUN_LIST_SIGMA = 0.3
DEEPSEEK_SERVING = {  # DeepSeek-V3/R1 Inference System Overview (open-infra-index, Feb 2025):
    "year": 2025,       # 24 h to 2025-02-28: 608B input + 168B output tokens, cost $87,072 at $2/H800-hour
    "tokens_per_day": 776e9, "usd_per_day": 87_072.0,
    "url": "https://github.com/deepseek-ai/open-infra-index/blob/main/202502OpenSourceWeek/"
           "day_6_one_more_thing_deepseekV3R1_inference_system_overview.md"}
SERVING_COST_RANGE = (0.5, 10.0)
SERVING_COST_SIGMA = 0.3

# ``label`` names what an anchor measures for a reader; ``unit`` is the unit of its observed and
# modelled values: share (0-1), usd, flop or usd_per_million_tokens.
ANCHOR_COLUMNS = ["anchor_id", "kind", "label", "unit", "year", "scale", "observed", "observed_low",
                  "observed_high", "sigma", "prior_p10", "prior_p50", "prior_p90", "calibrated_p10",
                  "calibrated_p50", "calibrated_p90", "prior_within", "calibrated_within", "weighted", "note"]


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def expit(x) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def flat_top_loglik(x: np.ndarray, low: float, high: float, sigma: float) -> np.ndarray:
    d = np.maximum(low - x, 0.0) + np.maximum(x - high, 0.0)
    return -0.5 * (d / sigma) ** 2


def normalise(loglik: np.ndarray) -> np.ndarray:
    finite = np.where(np.isfinite(loglik), loglik, -np.inf)
    w = np.exp(finite - finite.max())
    return w / w.sum()


def effective_sample_size(w: np.ndarray) -> float:
    return float(1.0 / np.sum(np.square(w)))


def weighted_quantiles(values: np.ndarray, w: np.ndarray, qs=(0.1, 0.5, 0.9)) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    v, cw = values[order], np.cumsum(w[order])
    cw = cw / cw[-1]
    return np.array([v[min(int(np.searchsorted(cw, q)), len(v) - 1)] for q in qs])


def systematic_resample(w: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    positions = (rng.random() + np.arange(n)) / n
    idx = np.searchsorted(np.cumsum(w), positions)
    return np.minimum(idx, len(w) - 1)


@dataclass
class Calibration:
    weights: np.ndarray
    ess: float
    idx: np.ndarray  # the resampled draws
    anchors: pd.DataFrame
    scorecard: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _lab_spend(lab_spend: pd.DataFrame, year: int, category: str) -> tuple[float, int] | None:
    """OpenAI's ``category`` compute spend in ``year``: the median of the actual figures that cover
    the whole calendar year, and how many there are; None without one. A part-year figure (e.g.
    five months of GPT-5 serving) says nothing about the year's level, and picking one figure of
    several by its id made the anchor arbitrary (2025 used a five-month $3.6B against $8.4B)."""
    if lab_spend is None or lab_spend.empty:
        return None
    rows = lab_spend[(lab_spend["lab"].str.lower() == "openai") & (lab_spend["year"] == year)
                     & (lab_spend["category"] == category) & (lab_spend["kind"] == "actual")
                     & (lab_spend["value_usd"] > 0)]
    start, end = pd.to_datetime(rows["period_start"]), pd.to_datetime(rows["period_end"])
    full = rows[(start == pd.Timestamp(year, 1, 1)) & (end == pd.Timestamp(year, 12, 31))]
    if full.empty:
        return None
    return float(full["value_usd"].median()), len(full)


def _anchor_row(m: dict, w: np.ndarray) -> dict:
    """One row of the anchor table from an anchor's description ``m`` and the weights ``w``."""
    scale, sigma, values, low, high = m["scale"], m["sigma"], m["values"], m["low"], m["high"]
    tf = logit if scale == "logit" else np.log
    prior = np.quantile(values, [0.1, 0.5, 0.9])
    post = weighted_quantiles(values, w)
    lo_t, hi_t = tf(low), tf(high)
    return {
        "anchor_id": m["anchor_id"], "kind": m["kind"], "label": m["label"], "unit": m["unit"],
        "year": m["year"], "scale": scale, "observed": m["observed"],
        "observed_low": low, "observed_high": high, "sigma": sigma,
        "prior_p10": prior[0], "prior_p50": prior[1], "prior_p90": prior[2],
        "calibrated_p10": post[0], "calibrated_p50": post[1], "calibrated_p90": post[2],
        "prior_within": bool(tf(prior[0]) - sigma <= hi_t and tf(prior[2]) + sigma >= lo_t),
        "calibrated_within": bool(lo_t - 2 * sigma <= tf(post[1]) <= hi_t + 2 * sigma),
        "weighted": m["weighted"], "note": m["note"],
    }


def calibrate(paths, splits: pd.DataFrame, lab_spend: pd.DataFrame | None, seed: int,
              scenario: str, snapshot_hash: str,
              training_history: pd.DataFrame | None = None) -> Calibration:
    """Weights, resampled draws, the anchor table and the backtest scorecard (see module doc)."""
    ctx = paths.ctx
    years = ctx.years
    n = paths.stock_h100e.shape[1]
    logliks: list[np.ndarray] = []
    meta: list[dict] = []

    anchors, skipped = split_anchors(paths, splits)
    for a in anchors:
        x = logit(a["values"])
        ll = flat_top_loglik(x, logit(a["published"]), logit(a["published"]), a["sigma"])
        logliks.append(ll)
        meta.append({"anchor_id": a["row"]["split_id"], "kind": "published_split",
                     "label": str(a["row"]["scope"]), "unit": "share", "year": a["years"],
                     "scale": "logit", "observed": a["published"], "low": a["published"],
                     "high": a["published"], "sigma": a["sigma"], "values": a["values"],
                     "weighted": True, "note": MAPPINGS[a["mapping"]][1]})

    util = paths.utilisation()
    for y in ctx.observed_years:
        i = int(np.searchsorted(years, y))
        lo, hi = UTILISATION_RANGE
        logliks.append(flat_top_loglik(logit(util[i]), logit(lo), logit(hi), UTILISATION_SIGMA))
        meta.append({"anchor_id": f"installed-base-utilisation-{y}", "kind": "installed_base",
                     "label": "Utilisation of the installed base", "unit": "share",
                     "year": str(y), "scale": "logit", "observed": np.nan, "low": lo, "high": hi,
                     "sigma": UTILISATION_SIGMA, "values": util[i], "weighted": True,
                     "note": "share of the shipment-based stock the modelled work occupies"})

    last = ctx.train_anchor_year
    for year in years[years <= last]:
        i = int(np.searchsorted(years, year))
        for category in ("inference", "r_and_d"):
            found = _lab_spend(lab_spend, int(year), category)
            if found is None:
                continue
            value, figures = found
            if category == "inference":
                model = sum(paths.unit(b, "usd")[i] for b in SERVING_BUCKETS)
            else:
                model = sum(paths.unit(b, "usd")[i] for b in TRAINING_BUCKETS) \
                    + paths.unit("internal_inference", "usd")[i]
            s_lo, s_hi = LAB_SHARE_RANGE[category]
            lo, hi = value / s_hi, value / s_lo
            logliks.append(flat_top_loglik(np.log(model), np.log(lo), np.log(hi), LAB_SIGMA))
            meta.append({"anchor_id": f"openai-{int(year)}-{category}-industry", "kind": "lab_compute_spend",
                         "label": f"Industry {'inference' if category == 'inference' else 'R&D'} compute "
                                  "spend, from OpenAI's disclosed spend", "unit": "usd",
                         "year": str(year), "scale": "log", "observed": value, "low": lo, "high": hi,
                         "sigma": LAB_SIGMA, "values": model, "weighted": True,
                         "note": f"OpenAI {'inference' if category == 'inference' else 'R&D'} compute spend "
                                 f"({'median of ' + str(figures) + ' full-year figures' if figures > 1 else 'one full-year figure'})"
                                 f" / an OpenAI share of {s_lo:.0%}-{s_hi:.0%} brackets the industry's"})

    history = training_history if training_history is not None else pd.DataFrame()
    for year in years[(years <= last) & (years > last - 2)]:
        row = history[history["year"] == year] if len(history) else history
        if row.empty or not row["notable_total_flop"].iloc[0] > 0:
            continue
        listed = float(row["notable_total_flop"].iloc[0])
        i = int(np.searchsorted(years, year))
        final = paths.unit("pretraining", "flop")[i] + paths.unit("posttraining", "flop")[i]
        lo, hi = listed, listed * RUN_LIST_COVERAGE_MAX
        logliks.append(flat_top_loglik(np.log(final), np.log(lo), np.log(hi), RUN_LIST_SIGMA))
        meta.append({"anchor_id": f"listed-training-runs-{year}", "kind": "training_runs",
                     "label": "Final training-run compute, from the listed runs", "unit": "flop",
                     "year": str(year), "scale": "log", "observed": listed, "low": lo, "high": hi,
                     "sigma": RUN_LIST_SIGMA, "values": final, "weighted": True,
                     "note": "final-run compute (pre- + post-training) is at least the sum of the runs "
                             f"listed with a FLOP figure, and at most {RUN_LIST_COVERAGE_MAX:g}x it"})

    cost_year = DEEPSEEK_SERVING["year"]
    if cost_year in set(years.tolist()) and cost_year <= last:
        i = int(np.searchsorted(years, cost_year))
        spend = sum(paths.unit(b, "usd")[i] for b in SERVING_BUCKETS)
        tokens = sum(paths.tokens[b][i] for b in SERVING_BUCKETS)
        per_m = units.usd_per_million_tokens(spend, tokens)
        ref = units.usd_per_million_tokens(DEEPSEEK_SERVING["usd_per_day"], DEEPSEEK_SERVING["tokens_per_day"])
        lo, hi = ref * SERVING_COST_RANGE[0], ref * SERVING_COST_RANGE[1]
        logliks.append(flat_top_loglik(np.log(per_m), np.log(lo), np.log(hi), SERVING_COST_SIGMA))
        meta.append({"anchor_id": f"serving-cost-per-million-tokens-{cost_year}", "kind": "serving_cost",
                     "label": "Industry serving cost per million tokens", "unit": "usd_per_million_tokens",
                     "year": str(cost_year), "scale": "log", "observed": ref, "low": lo, "high": hi,
                     "sigma": SERVING_COST_SIGMA, "values": per_m, "weighted": True,
                     "note": "the industry's serving cost per million processed tokens against DeepSeek's "
                             f"published ${ref:.2f} (V3/R1, Feb 2025), the efficient end: "
                             f"{SERVING_COST_RANGE[0]:g}x-{SERVING_COST_RANGE[1]:g}x of it"})

    total = np.sum(logliks, axis=0) if logliks else np.zeros(n)
    w = normalise(total)
    ess = effective_sample_size(w)
    rng = np.random.default_rng([seed, 0xCA1])
    idx = systematic_resample(w, min(n, RESAMPLE_MAX), rng)

    warnings: list[str] = []
    if ess < MIN_ESS:
        warnings.append(f"calibration leaves {ess:,.0f} effective draws (fewer than {MIN_ESS})")
    rows = []
    for m, ll in zip(meta, logliks):
        rows.append(_anchor_row(m, w))
        if ll.max() < -2.0:
            warnings.append(f"anchor {m['anchor_id']}: no draw comes within two sigma of the observation")
    table = pd.DataFrame(rows, columns=ANCHOR_COLUMNS)
    score = _scorecard(anchors, skipped, logliks[:len(anchors)], w, rng, years, scenario, seed,
                       snapshot_hash, list(splits["split_id"]) if len(splits) else None)
    return Calibration(w, ess, idx, table, score, warnings)


def _scorecard(anchors, skipped, logliks, w, rng, years, scenario, seed, snapshot_hash,
               order_by=None) -> pd.DataFrame:
    rows = []
    for a, ll in zip(anchors, logliks):
        row, pub, values, sigma = a["row"], a["published"], a["values"], a["sigma"]
        prior = np.quantile(values, [0.1, 0.5, 0.9])
        post = weighted_quantiles(values, w)
        w_loo = w * np.exp(-(ll - ll.max()))
        w_loo = w_loo / w_loo.sum()
        predictive = expit(logit(values) + sigma * rng.standard_normal(values.size))
        loo = weighted_quantiles(predictive, w_loo)
        rows.append({
            "split_id": row["split_id"], "period_start": row["period_start"],
            "period_end": row["period_end"], "scope": row["scope"], "unit": row["unit"],
            "kind": row.get("kind"), "mapping": a["mapping"],
            "mapping_description": MAPPINGS[a["mapping"]][1], "model_scope": MAPPINGS[a["mapping"]][0],
            "model_years": a["years"], "prior_p10": prior[0], "prior_p50": prior[1], "prior_p90": prior[2],
            "model_p10": post[0], "model_p50": post[1], "model_p90": post[2],
            "loo_p10": loo[0], "loo_p50": loo[1], "loo_p90": loo[2], "published_share": pub,
            "sigma_logit": sigma, "error": post[1] - pub, "abs_error": abs(post[1] - pub),
            "within_p10_p90": bool(post[0] <= pub <= post[2]), "loo_error": loo[1] - pub,
            "loo_within_p10_p90": bool(loo[0] <= pub <= loo[2]), "note": MAPPINGS[a["mapping"]][3],
        })
    for sk in skipped:
        row = sk["row"]
        rows.append({
            "split_id": row["split_id"], "period_start": row["period_start"],
            "period_end": row["period_end"], "scope": row["scope"], "unit": row["unit"],
            "kind": row.get("kind"), "mapping": sk["mapping"],
            "mapping_description": MAPPINGS.get(sk["mapping"], ("", ""))[1] if sk["mapping"] else "",
            "model_scope": MAPPINGS.get(sk["mapping"], ("",))[0] if sk["mapping"] else "",
            "published_share": sk["published"], "note": f"not scored: {sk['reason']}",
        })
    out = pd.DataFrame(rows).reindex(columns=SCORECARD_COLUMNS)
    order = {split_id: i for i, split_id in enumerate(list(dict.fromkeys(
        [a["row"]["split_id"] for a in anchors] + [sk["row"]["split_id"] for sk in skipped])))}
    if order_by is not None:
        order = {split_id: i for i, split_id in enumerate(order_by)}
    out = out.sort_values("split_id", key=lambda c: c.map(order)).reset_index(drop=True)
    out["scenario"], out["seed"], out["snapshot_hash"] = scenario, int(seed), snapshot_hash
    for col in ("within_p10_p90", "loo_within_p10_p90"):
        out[col] = out[col].astype("boolean")
    return out
