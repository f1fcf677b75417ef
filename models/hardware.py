"""Hardware fit per accelerator: which chips suit training, which suit inference.

Per chip (released by the as-of date) and reference served model:

- ridge point = dense FLOP/s / memory bandwidth (BF16, and at the serving precision);
- batch-1 decode ceiling = bandwidth / (bytes per parameter x active parameters): weights only,
  as in :mod:`models.roofline` (a 70B 8-bit model on an H100: 3.35e12 / 70e9 ~ 48 tokens/s);
- batched decode ceiling at batch B and context C: one step reads the weights once (for a MoE,
  min(total, active x B) parameters) plus B x C x KV bytes per token, and computes 2 x active x B
  FLOP; tokens/s = B / max(bytes / bandwidth, FLOP / peak at the serving precision). The model
  is assumed sharded over as many chips as its weights and KV cache need, with perfect scaling,
  so the figure is per chip;
- tokens per joule = batched ceiling / TDP; $ per million tokens = median rental price per
  accelerator-hour (as of the date) / (batched ceiling x 3600) x 1e6;
- training FLOP per $ = dense BF16 peak x 3600 / rental price; training FLOP/s per W = BF16 / TDP.

Ranking: by dollar efficiency at the rental price (on-demand median where listed, else any
listing; ``price_basis`` says which): training fit = training FLOP per $, inference fit = batched
tokens per $, each as a score relative to the best chip; chips without a price are not ranked
(per-watt figures stay in the table). A chip priced only by spot listings ranks optimistically.
``better_fit`` compares the chip's percentile in the two rankings.
Unknown inputs give empty (NaN) results, never zero. These are ceilings, not benchmarks.
"""

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models import units
from models.resources import SERVING_PRECISION_CHAIN, first_known, median_rental_price
from models.roofline import ReferenceModel, decode_tokens_per_s_ceiling, ridge_point_flop_per_byte


class ServedModel(BaseModel):
    """A reference model for decode ceilings (architecture shapes from the model cards)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    total_parameters: float = Field(gt=0)
    active_parameters: float = Field(gt=0)
    bytes_per_parameter: float = Field(gt=0)
    kv_bytes_per_context_token: float = Field(ge=0, description="2 x layers x KV heads x head dim x bytes")

    def batch1(self) -> ReferenceModel:
        return ReferenceModel(name=self.name, active_parameters=self.active_parameters,
                              bytes_per_parameter=self.bytes_per_parameter)


REFERENCE_MODELS: tuple[ServedModel, ...] = (
    # Llama-3-70B shape: 80 layers, 8 KV heads x 128, FP8 weights and KV cache.
    ServedModel(name="dense 70B, 8-bit", total_parameters=70e9, active_parameters=70e9,
                bytes_per_parameter=1.0, kv_bytes_per_context_token=2 * 80 * 8 * 128 * 1.0),
    # DeepSeek-V3 shape: 671B total, 37B active, MLA cache of 61 layers x (512 + 64) values, FP8.
    ServedModel(name="MoE 671B (37B active), 8-bit", total_parameters=671e9, active_parameters=37e9,
                bytes_per_parameter=1.0, kv_bytes_per_context_token=61 * (512 + 64) * 1.0),
    # Llama-3-8B shape: 32 layers, 8 KV heads x 128, BF16.
    ServedModel(name="dense 8B, 16-bit", total_parameters=8e9, active_parameters=8e9,
                bytes_per_parameter=2.0, kv_bytes_per_context_token=2 * 32 * 8 * 128 * 2.0),
)

DEFAULT_BATCH = 64
DEFAULT_CONTEXT = 4096

HARDWARE_COLUMNS = [
    "accelerator_id", "accelerator_name", "vendor", "accelerator_type", "release_date",
    "reference_model", "bf16_dense_flop_per_s", "serve_flop_per_s", "serve_precision",
    "memory_bytes", "memory_bandwidth_bytes_per_s", "tdp_w", "ridge_point_flop_per_byte",
    "serve_ridge_point_flop_per_byte", "decode_tokens_per_s_batch1", "decode_tokens_per_s_batched",
    "batch_size", "context_tokens", "batched_bound", "chips_to_hold_model", "tokens_per_joule",
    "usd_per_accelerator_hour", "price_basis", "usd_per_million_tokens", "training_flop_per_usd",
    "training_flop_per_s_per_w", "training_fit_score", "inference_fit_score", "training_fit_rank",
    "inference_fit_rank", "better_fit",
]


def batched_decode_tokens_per_s(bandwidth, serve_peak, model: ServedModel, batch: int, context: int):
    """Per-chip decode ceiling at ``batch`` sequences of ``context`` tokens (module docstring)."""
    bandwidth = np.asarray(bandwidth, dtype=float)
    serve_peak = np.asarray(serve_peak, dtype=float)
    weights = min(model.total_parameters, model.active_parameters * batch) * model.bytes_per_parameter
    kv = batch * context * model.kv_bytes_per_context_token
    t_mem = (weights + kv) / bandwidth
    t_compute = 2.0 * model.active_parameters * batch / serve_peak
    with np.errstate(invalid="ignore"):
        step = np.fmax(t_mem, t_compute)
        step = np.where(np.isnan(t_mem) | np.isnan(t_compute), np.nan, step)
        bound = np.where(np.isnan(step), None, np.where(t_compute > t_mem, "compute", "memory"))
    return batch / step, bound


def _score(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    logs = []
    for col in columns:
        v = frame[col].where(frame[col] > 0)
        logs.append(np.log(v / v.max()))
    return np.exp(pd.concat(logs, axis=1).mean(axis=1, skipna=True))


def hardware_fit(accelerators: pd.DataFrame, rental_prices: pd.DataFrame,
                 serving_precision: str = "fp8", models=REFERENCE_MODELS,
                 batch: int = DEFAULT_BATCH, context: int = DEFAULT_CONTEXT) -> pd.DataFrame:
    """One row per (accelerator, reference model); inputs already cut at the as-of date."""
    acc = accelerators.reset_index(drop=True)
    bf16 = pd.to_numeric(acc["bf16_dense_flop_per_s"], errors="coerce").astype(float)
    serve = first_known(acc, SERVING_PRECISION_CHAIN[serving_precision])
    precision = pd.Series(None, index=acc.index, dtype=object)
    for col in SERVING_PRECISION_CHAIN[serving_precision]:
        if col in acc.columns:
            known = pd.to_numeric(acc[col], errors="coerce").notna() & precision.isna()
            precision[known] = col.split("_")[0]
    bandwidth = pd.to_numeric(acc["memory_bandwidth_bytes_per_s"], errors="coerce").astype(float)
    memory = pd.to_numeric(acc["memory_bytes"], errors="coerce").astype(float)
    tdp = pd.to_numeric(acc["tdp_w"], errors="coerce").astype(float).where(lambda s: s > 0)
    price = acc["accelerator_id"].map(median_rental_price(rental_prices)).astype(float)
    on_demand = set(rental_prices.loc[(rental_prices["pricing_type"] == "on_demand")
                                      & (rental_prices["usd_per_accelerator_hour"] > 0), "accelerator_id"])
    price_basis = np.where(price.isna(), None,
                           np.where(acc["accelerator_id"].isin(on_demand), "on_demand", "spot_or_other"))

    frames = []
    for model in models:
        out = acc[["accelerator_id", "accelerator_name", "vendor", "accelerator_type", "release_date"]].copy()
        out["reference_model"] = model.name
        out["bf16_dense_flop_per_s"] = bf16
        out["serve_flop_per_s"] = serve
        out["serve_precision"] = precision
        out["memory_bytes"] = memory
        out["memory_bandwidth_bytes_per_s"] = bandwidth
        out["tdp_w"] = tdp
        out["ridge_point_flop_per_byte"] = ridge_point_flop_per_byte(bf16, bandwidth)
        out["serve_ridge_point_flop_per_byte"] = ridge_point_flop_per_byte(serve, bandwidth)
        out["decode_tokens_per_s_batch1"] = decode_tokens_per_s_ceiling(bandwidth, model.batch1())
        tps, bound = batched_decode_tokens_per_s(bandwidth, serve, model, batch, context)
        out["decode_tokens_per_s_batched"] = tps
        out["batch_size"] = batch
        out["context_tokens"] = context
        out["batched_bound"] = bound
        need = (model.total_parameters * model.bytes_per_parameter
                + batch * context * model.kv_bytes_per_context_token)
        out["chips_to_hold_model"] = np.ceil(need / memory)
        out["tokens_per_joule"] = tps / tdp
        out["usd_per_accelerator_hour"] = price
        out["price_basis"] = price_basis
        out["usd_per_million_tokens"] = units.usd_per_million_tokens(price, units.per_second_to_per_hour(tps))
        out["training_flop_per_usd"] = units.per_second_to_per_hour(bf16) / price
        out["training_flop_per_s_per_w"] = bf16 / tdp
        out["_tokens_per_usd"] = units.MILLION / out["usd_per_million_tokens"]
        out["training_fit_score"] = _score(out, ["training_flop_per_usd"])
        out["inference_fit_score"] = _score(out, ["_tokens_per_usd"])
        out["training_fit_rank"] = out["training_fit_score"].rank(ascending=False, method="min")
        out["inference_fit_rank"] = out["inference_fit_score"].rank(ascending=False, method="min")
        tp = out["training_fit_score"].rank(pct=True)
        ip = out["inference_fit_score"].rank(pct=True)
        diff = ip - tp
        out["better_fit"] = np.select(
            [tp.isna() | ip.isna(), diff > 0.15, diff < -0.15], ["unknown", "inference", "training"],
            default="both")
        frames.append(out.drop(columns=["_tokens_per_usd"]))
    result = pd.concat(frames, ignore_index=True)
    for col in ("training_fit_rank", "inference_fit_rank"):
        result[col] = result[col].astype("Int64")
    return result.sort_values(["reference_model", "inference_fit_rank", "accelerator_id"],
                              na_position="last").reset_index(drop=True)[HARDWARE_COLUMNS]
