"""Epoch AI, Frontier Data Centers: sites and their build-out timelines.

- ``epoch_data_centers``           https://epoch.ai/data/data_centers/data_centers.csv
- ``epoch_data_center_timelines``  https://epoch.ai/data/data_centers/data_center_timelines.csv

Kept as published: latitude/longitude as text (degrees-minutes-seconds), owner/user fields with
Epoch's '#confident'/'#speculative' tags, costs in billions of 2025 USD, power in MW, areas in
square feet, water in million gallons per day.
"""

from orchestration.sources.epoch_hardware import EPOCH_ATTRIBUTION, EPOCH_LICENCE
from orchestration.sources.fetch import SourceDescriptor

DATA_CENTERS = SourceDescriptor(
    name="epoch_data_centers",
    title="Epoch AI, Frontier Data Centers",
    url="https://epoch.ai/data/data_centers/data_centers.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/data_centers.csv", "epoch/data_centers*.csv"),
)

TIMELINES = SourceDescriptor(
    name="epoch_data_center_timelines",
    title="Epoch AI, Frontier Data Centers: timelines",
    url="https://epoch.ai/data/data_centers/data_center_timelines.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/data_center_timelines.csv", "epoch/data_center_timelines*.csv"),
)
DESCRIPTORS = (DATA_CENTERS, TIMELINES)
