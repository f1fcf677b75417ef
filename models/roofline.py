"""Roofline arithmetic per accelerator: where a chip turns from memory- to compute-bound, and
how fast it can decode.

Decode is memory-bandwidth bound: generating one token at batch 1 reads every active weight once,
so tokens/s <= bandwidth / (bytes per parameter x active parameters + KV bytes read per token).
The ridge point (peak FLOP/s / bandwidth) is the arithmetic intensity, in FLOP per byte, above
which a kernel is compute-bound.
"""

import numpy as np
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

