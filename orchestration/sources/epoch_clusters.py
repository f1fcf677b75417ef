"""Epoch AI, GPU Clusters (https://epoch.ai/data/gpu_clusters.csv).

One row per cluster (or cluster phase): H100 equivalents, chips, power (MW), cost (USD), owner,
location, dates. No key: Epoch lists several anonymised systems with identical rows, and
de-duplication ('Possible Duplicate', 'Superseded by') is a modelling choice made downstream.
'Decommissioned Date' is kept as text because Epoch sometimes gives only a month ('2021-07').
"""

from orchestration.sources.epoch_hardware import EPOCH_ATTRIBUTION, EPOCH_LICENCE
from orchestration.sources.fetch import SourceDescriptor

DESCRIPTOR = SourceDescriptor(
    name="epoch_gpu_clusters",
    title="Epoch AI, GPU Clusters",
    url="https://epoch.ai/data/gpu_clusters.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/gpu_clusters.csv", "epoch/gpu_clusters*.csv"),
)
