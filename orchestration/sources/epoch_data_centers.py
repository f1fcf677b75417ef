"""Epoch AI, Frontier Data Centers: sites and their build-out timelines.

- ``epoch_data_centers``           https://epoch.ai/data/data_centers/data_centers.csv
- ``epoch_data_center_timelines``  https://epoch.ai/data/data_centers/data_center_timelines.csv

Kept as published: latitude/longitude as text (degrees-minutes-seconds), owner/user fields with
Epoch's '#confident'/'#speculative' tags, costs in billions of 2025 USD, power in MW, areas in
square feet, water in million gallons per day.
"""

from orchestration.sources.epoch_hardware import EPOCH_ATTRIBUTION, EPOCH_LICENCE
from orchestration.sources.fetch import SourceDescriptor
from orchestration.sources.tabular import Column, TableSpec

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


def _opt(name: str, kind: str, *aliases: str) -> Column:
    return Column(name, kind, required=False, aliases=aliases)


DATA_CENTERS_SPEC = TableSpec(
    source=DATA_CENTERS.name,
    key=("handle",),
    columns=(
        Column("handle", "text", nullable=False, aliases=("Handle",)),
        Column("title", "text", aliases=("Title",)),
        _opt("project", "text", "Project"),
        _opt("address", "text", "Address"),
        _opt("latitude", "text", "Latitude"),
        _opt("longitude", "text", "Longitude"),
        Column("owner", "text", aliases=("Owner",)),
        _opt("users", "text", "Users"),
        _opt("investors", "text", "Investors"),
        _opt("construction_companies", "text", "Construction companies"),
        _opt("energy_companies", "text", "Energy companies"),
        Column("current_h100_equivalents", "number", aliases=("Current H100 equivalents",)),
        Column("current_power_mw", "number", aliases=("Current power (MW)",)),
        _opt("current_total_capital_cost_2025_usd_billions", "number",
             "Current total capital cost (2025 USD billions)"),
    ),
)

TIMELINES_SPEC = TableSpec(
    source=TIMELINES.name,
    key=("data_center", "date"),
    columns=(
        Column("date", "date", nullable=False, aliases=("Date",)),
        Column("data_center", "text", nullable=False, aliases=("Data center",)),
        _opt("construction_status", "text", "Construction status"),
        Column("power_mw", "number", aliases=("Power (MW)",)),
        Column("h100_equivalents", "number", aliases=("H100 equivalents",)),
        _opt("buildings_operational", "number", "Buildings operational"),
        _opt("total_capital_cost_2025_usd_billions", "number",
             "Total capital cost (2025 USD billions)"),
        _opt("compute_cost_2025_usd_billions", "number", "Compute cost (2025 USD billions)"),
        _opt("construction_cost_2025_usd_billions", "number",
             "Construction cost (2025 USD billions)"),
        _opt("building_area_sq_ft", "number", "Building area (square feet)"),
        _opt("site_area_sq_ft", "number", "Site area (square feet)"),
        _opt("water_use_mgd", "number", "Water use (MGD)"),
        _opt("performance_8bit_op_per_s", "number", "Performance (8-bit OP/s)"),
    ),
)
