"""Roofline arithmetic per accelerator: where a chip turns from memory- to compute-bound, and
how fast it can decode.

Decode is memory-bandwidth bound: generating one token at batch 1 reads every active weight once,
so tokens/s <= bandwidth / (bytes per parameter x active parameters + KV bytes read per token).
The ridge point (peak FLOP/s / bandwidth) is the arithmetic intensity, in FLOP per byte, above
which a kernel is compute-bound.
"""

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field


class ReferenceModel(BaseModel):
    """A served model used to compare chips: active parameters and weight precision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "dense 70B, 8-bit weights"
    active_parameters: float = Field(70e9, gt=0)
    bytes_per_parameter: float = Field(1.0, gt=0)
    kv_bytes_per_token: float = Field(0.0, ge=0, description="KV cache bytes read per decoded token")

    @property
    def bytes_read_per_token(self) -> float:
        return self.active_parameters * self.bytes_per_parameter + self.kv_bytes_per_token


def ridge_point_flop_per_byte(peak_flop_per_s, memory_bandwidth_bytes_per_s):
    """Arithmetic intensity (FLOP/byte) at which compute and memory bandwidth balance."""
    return np.divide(peak_flop_per_s, memory_bandwidth_bytes_per_s)


def decode_tokens_per_s_ceiling(memory_bandwidth_bytes_per_s, model: ReferenceModel):
    """Upper bound on batch-1 decode tokens/s: every active weight is read once per token."""
    return np.divide(memory_bandwidth_bytes_per_s, model.bytes_read_per_token)


def chips_to_hold_weights(memory_bytes, model: ReferenceModel):
    """How many chips' memory the weights need (sharded); NaN where memory is unpublished.

    The batch-1 ceiling per chip assumes the chip streams its own copy of the weights; a chip
    with less memory than the weights (SRAM designs such as Groq or Cerebras) must shard the
    model, so its per-chip ceiling is not comparable with chips that hold the model alone.
    """
    weight_bytes = model.active_parameters * model.bytes_per_parameter
    return np.ceil(np.divide(weight_bytes, memory_bytes))


ROOFLINE_COLUMNS = [
    "accelerator_id",
    "accelerator_name",
    "vendor",
    "release_date",
    "bf16_dense_flop_per_s",
    "memory_bytes",
    "memory_bandwidth_bytes_per_s",
    "ridge_point_flop_per_byte",
    "decode_tokens_per_s_batch1",
    "chips_to_hold_weights",
    "reference_model",
]


def accelerator_roofline(accelerators: pd.DataFrame, model: ReferenceModel) -> pd.DataFrame:
    """Per-chip ridge point (dense BF16) and batch-1 decode ceiling for ``model``.

    Chips without a published BF16 figure, bandwidth or memory get empty (NaN) results, never
    zero. Rows are sorted by decode ceiling, fastest first.
    """
    peak = pd.to_numeric(accelerators["bf16_dense_flop_per_s"], errors="raise").astype(float)
    bandwidth = pd.to_numeric(accelerators["memory_bandwidth_bytes_per_s"], errors="raise").astype(float)
    memory = pd.to_numeric(accelerators["memory_bytes"], errors="raise").astype(float)
    out = accelerators[["accelerator_id", "accelerator_name", "vendor", "release_date"]].copy()
    out["bf16_dense_flop_per_s"] = peak
    out["memory_bytes"] = memory
    out["memory_bandwidth_bytes_per_s"] = bandwidth
    out["ridge_point_flop_per_byte"] = ridge_point_flop_per_byte(peak, bandwidth)
    out["decode_tokens_per_s_batch1"] = decode_tokens_per_s_ceiling(bandwidth, model)
    out["chips_to_hold_weights"] = chips_to_hold_weights(memory, model)
    out["reference_model"] = model.name
    return (
        out.sort_values(["decode_tokens_per_s_batch1", "accelerator_id"], ascending=[False, True],
                        na_position="last")
        .reset_index(drop=True)[ROOFLINE_COLUMNS]
    )


def released_by(accelerators: pd.DataFrame, as_of) -> pd.DataFrame:
    """The as-of rule: only chips released on or before ``as_of`` (a date)."""
    released = pd.to_datetime(accelerators["release_date"]).dt.date
    return accelerators[released <= as_of].reset_index(drop=True)
