"""The input snapshot hash: one digest naming every landing file a result was computed from."""

import hashlib

import pandas as pd


def snapshot_hash(data_sources: pd.DataFrame) -> str:
    """SHA-256 over the sorted ``source_name:landing_sha256`` pairs of ``dim_data_source``."""
    pairs = sorted(
        f"{name}:{digest}"
        for name, digest in zip(data_sources["source_name"], data_sources["landing_sha256"], strict=True)
    )
    if not pairs:
        raise ValueError("no data sources loaded: cannot compute a snapshot hash")
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()
