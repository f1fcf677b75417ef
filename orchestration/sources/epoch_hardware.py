"""Epoch AI, Machine Learning Hardware (https://epoch.ai/data/ml_hardware.zip, member ml_hardware.csv).

One row per accelerator, in Epoch's units (FLOP/s, bytes, byte/s, W, USD). The schema drifts
between releases: the Nov-2025 file names memory 'Memory size per board (Byte)' (later
'Memory (bytes)'), has no 'Notes' column and orders the columns differently; columns are mapped by
name. Epoch's derived columns (energy efficiency, price-performance) hold 'inf' and are left out:
they are recomputed downstream. Headline figures are as published (dense/sparse is dbt's job).
"""

from orchestration.sources.fetch import SourceDescriptor

EPOCH_LICENCE = "CC BY 4.0"
EPOCH_ATTRIBUTION = "Data: Epoch AI, CC BY 4.0, epoch.ai/data"

DESCRIPTOR = SourceDescriptor(
    name="epoch_ml_hardware",
    title="Epoch AI, Machine Learning Hardware",
    url="https://epoch.ai/data/ml_hardware.zip",
    zip_member="ml_hardware.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/ml_hardware.csv", "epoch/ml_hardware.zip", "epoch/ml_hardware*.csv"),
)
