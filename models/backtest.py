"""Backtest mappings: each published training/inference split against the quantity the model
computes for it, in the scope it measures.

A published split is only comparable after mapping it onto the model's buckets, units, period and
scope (``MAPPINGS``: the model scope - ``generative`` or ``all_ai`` - the description, a scope
nuisance term in logit units and a note). ``mapping_for`` picks the mapping from the row's unit
and wording; ``KIND_SIGMA`` gives the spread of a measurement, an estimate or a forecast; a row
the model cannot compute (a share of all data-centre capacity, non-AI included) is kept and
explained, never silently dropped. ``split_anchors`` turns every row into a calibration anchor:
the per-draw model share over the row's period (years weighted by overlap). The calibration and
the leave-one-out scorecard are in :mod:`models.calibration`.
"""

import numpy as np
import pandas as pd

from models.buckets import SERVING_BUCKETS, TRAINING_BUCKETS
from models.paths import Paths

SCORECARD_COLUMNS = [
    "scenario", "seed", "snapshot_hash", "split_id", "period_start", "period_end", "scope", "unit",
    "kind", "mapping", "mapping_description", "model_scope", "model_years", "prior_p10", "prior_p50",
    "prior_p90", "model_p10", "model_p50", "model_p90", "loo_p10", "loo_p50", "loo_p90",
    "published_share", "sigma_logit", "error", "abs_error", "within_p10_p90", "loo_error",
    "loo_within_p10_p90", "note",
]

# mapping -> (model scope, description, scope nuisance in logit units, note)
MAPPINGS = {
    "energy_share": (
        "all_ai", "inference share of energy used (TWh), all AI work, research counted as training", 0.3,
        "One company's ML fleet (Google, pre-LLM: recommendation, search, ads ranking) against "
        "the all-AI energy split."),
    "power_capacity_share": (
        "all_ai", "inference share of the power capacity (GW) allocated to work, all AI", 0.4,
        "One company's capacity (Meta, recommendation-dominated) against the all-AI split."),
    "capacity_share": (
        "all_ai", "inference share of the power capacity (GW) allocated to work, all AI", 0.3,
        "Analyst estimate of AI data-centre capacity demand by workload."),
    "new_capacity_share": (
        "all_ai", "inference share of accelerators bought in the period (new installed H100e, all AI)", 0.4,
        "NVIDIA's estimate covers every inference workload it sells into (recommenders, search, "
        "video, generative)."),
    "installed_share": (
        "all_ai", "inference share of the installed accelerators allocated to work (H100e, all AI)", 0.4,
        "Analyst estimate counts units, the model H100-equivalents."),
    "compute_share": (
        "all_ai", "inference share of accelerator-hours, all AI", 0.5,
        "Analyst estimate without a published method: 'AI compute' read as all-AI accelerator-hours, "
        "with a wide nuisance term."),
    "spend_share_all_ai": (
        "all_ai", "inference share of compute spend, all AI", 0.4,
        "Cloud IaaS spending only; owned fleets are outside Gartner's scope."),
    "spend_share_frontier_lab": (
        "generative", "serving spend vs R&D compute (training buckets + internal inference)", 0.5,
        "One frontier lab against the industry-wide generative split; the R&D-to-final-run compute ratio cites the "
        "same source."),
    "spend_training_vs_serving": (
        "generative", "serving spend vs training compute without experiments (pre-, post-training, synthetic data)", 0.5,
        "One frontier lab's reported compute expense (research compute booked apart) against the "
        "industry-wide generative split."),
    "spend_final_runs_vs_serving": (
        "generative", "serving spend vs final training runs (pre- + post-training)", 0.6,
        "One lab's final runs; the industry-wide ratio of serving to final runs need not match."),
}

KIND_SIGMA = {"measurement": 0.25, "estimate": 0.4, "forecast": 0.6}
"""Logit-scale spread of a published figure around the quantity it measures, by kind."""

NOT_SCORABLE = {
    "total_dc": "a share of all data-centre capacity (non-AI included), which the model does not cover",
}


def mapping_for(row: pd.Series) -> str | None:
    unit = str(row.get("unit", "")).lower()
    text = f"{row.get('measure', '')} {row.get('scope', '')}".lower()
    if unit == "energy":
        return "energy_share"
    if unit == "revenue":
        return "new_capacity_share"
    if unit == "spend":
        if "final training runs only" in text or "experiments excluded" in text:
            return "spend_final_runs_vs_serving"
        if "iaas" in text:
            return "spend_share_all_ai"
        if "research compute reported separately" in text:
            return "spend_training_vs_serving"
        return "spend_share_frontier_lab"
    if unit == "compute":
        return "power_capacity_share" if "power capacity" in text else "compute_share"
    if unit == "capacity":
        if "total data-centre" in text or "non-ai" in text:
            return "total_dc"
        if "installed ai accelerators" in text:
            return "installed_share"
        return "capacity_share"
    return None


def sigma_for(row: pd.Series, mapping: str) -> float:
    kind = str(row.get("kind", "estimate")).lower()
    return float(np.hypot(KIND_SIGMA.get(kind, 0.5), MAPPINGS[mapping][2]))


def published_share(row: pd.Series) -> float:
    share = row.get("inference_share")
    if share is not None and not pd.isna(share):
        return float(share)
    iv, tv = row.get("inference_value"), row.get("training_value")
    if iv is not None and tv is not None and not pd.isna(iv) and not pd.isna(tv) and iv + tv > 0:
        return float(iv / (iv + tv))
    return float("nan")


def period_weights(years: np.ndarray, start, end) -> np.ndarray:
    """Days of [start, end] falling in each model year, normalised to sum to 1."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    w = np.zeros(len(years))
    for i, y in enumerate(years):
        lo = max(start, pd.Timestamp(f"{y}-01-01"))
        hi = min(end, pd.Timestamp(f"{y}-12-31"))
        w[i] = max((hi - lo).days + 1, 0)
    total = w.sum()
    return w / total if total > 0 else w


def _sum(paths: Paths, buckets, unit: str) -> np.ndarray:
    return sum(paths.unit(b, unit) for b in buckets)


def model_share(paths: Paths, mapping: str, weights: np.ndarray) -> np.ndarray:
    """The mapped inference share per draw, over the weighted years."""
    scope = MAPPINGS[mapping][0]
    tr_b, inf_b = paths.side_buckets(scope)
    w = weights[:, None]
    units = {"energy_share": "twh", "power_capacity_share": "gw", "capacity_share": "gw",
             "compute_share": "accelerator_hours", "installed_share": "h100e",
             "spend_share_all_ai": "usd"}
    if mapping in units:
        unit = units[mapping]
        inf = (w * _sum(paths, inf_b, unit)).sum(axis=0)
        tr = (w * _sum(paths, tr_b, unit)).sum(axis=0)
        return inf / (inf + tr)
    if mapping == "new_capacity_share":
        keep = 1.0 - 1.0 / paths.ctx.settings.retirement_life_years
        new = {}
        for side, buckets in (("inference", inf_b), ("training", tr_b)):
            inst = _sum(paths, buckets, "h100e")
            prev = np.vstack([np.full_like(inst[:1], np.nan), inst[:-1]])
            new[side] = np.maximum(inst - keep * prev, 0.0)
        if np.isnan(new["inference"][weights > 0]).any():
            raise ValueError("new capacity needs the year before the period in the modelled years")
        inf = (w * np.nan_to_num(new["inference"])).sum(axis=0)
        tr = (w * np.nan_to_num(new["training"])).sum(axis=0)
        return inf / (inf + tr)
    if mapping == "spend_share_frontier_lab":
        rd = list(TRAINING_BUCKETS) + ["internal_inference"]
    elif mapping == "spend_training_vs_serving":
        rd = ["pretraining", "posttraining", "synthetic_data"]
    elif mapping == "spend_final_runs_vs_serving":
        rd = ["pretraining", "posttraining"]
    else:
        raise KeyError(mapping)
    inf = (w * _sum(paths, SERVING_BUCKETS, "usd")).sum(axis=0)
    tr = (w * _sum(paths, rd, "usd")).sum(axis=0)
    return inf / (inf + tr)


def split_anchors(paths: Paths, splits: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """Every published split as an anchor (per-draw model share, published share, sigma), and the
    rows that cannot be scored with the reason."""
    years = paths.ctx.years
    anchors, skipped = [], []
    for _, row in splits.iterrows():
        mapping = mapping_for(row)
        pub = published_share(row)
        weights = period_weights(years, row["period_start"], row["period_end"])
        reason = None
        if mapping is None:
            reason = f"no mapping for unit {row['unit']!r}"
        elif mapping in NOT_SCORABLE:
            reason = NOT_SCORABLE[mapping]
        elif np.isnan(pub):
            reason = "no published share or value pair"
        elif weights.sum() == 0:
            reason = "period outside the modelled years"
        share = None
        if reason is None:
            try:
                share = model_share(paths, mapping, weights)
            except ValueError as exc:
                reason = str(exc)
        if reason is not None:
            skipped.append({"row": row, "mapping": mapping, "published": pub, "reason": reason})
            continue
        anchors.append({"row": row, "mapping": mapping, "published": pub, "values": share,
                        "sigma": sigma_for(row, mapping),
                        "years": ",".join(str(y) for y, wi in zip(years, weights) if wi > 0)})
    return anchors, skipped
