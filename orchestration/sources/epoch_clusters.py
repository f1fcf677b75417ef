"""Epoch AI, GPU Clusters (https://epoch.ai/data/gpu_clusters.csv).

One row per cluster (or cluster phase): H100 equivalents, chips, power (MW), cost (USD), owner,
location, dates. No key: Epoch lists several anonymised systems with identical rows, and
de-duplication ('Possible Duplicate', 'Superseded by') is a modelling choice made downstream.
'Decommissioned Date' is kept as text because Epoch sometimes gives only a month ('2021-07').
"""

from orchestration.sources.epoch_hardware import EPOCH_ATTRIBUTION, EPOCH_LICENCE
from orchestration.sources.fetch import SourceDescriptor
from orchestration.sources.tabular import Column, TableSpec

DESCRIPTOR = SourceDescriptor(
    name="epoch_gpu_clusters",
    title="Epoch AI, GPU Clusters",
    url="https://epoch.ai/data/gpu_clusters.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/gpu_clusters.csv", "epoch/gpu_clusters*.csv"),
)


def _opt(name: str, kind: str, *aliases: str) -> Column:
    return Column(name, kind, required=False, aliases=aliases)


SPEC = TableSpec(
    source=DESCRIPTOR.name,
    columns=(
        Column("name", "text", nullable=False, aliases=("Name",)),
        Column("status", "text", aliases=("Status",)),
        _opt("certainty", "text", "Certainty"),
        _opt("single_cluster", "text", "Single cluster?"),
        Column("h100_equivalents", "number", aliases=("H100 equivalents",)),
        _opt("chip_type_primary", "text", "Chip type (primary)"),
        _opt("chip_quantity_primary", "number", "Chip quantity (primary)"),
        _opt("chip_type_secondary", "text", "Chip type (secondary)"),
        _opt("chip_quantity_secondary", "number", "Chip quantity (secondary)"),
        _opt("total_ai_chips", "number", "Total number of AI chips"),
        _opt("gpu_supplier_primary", "text", "GPU Supplier (primary)"),
        _opt("gpu_supplier_secondary", "text", "GPU supplier (secondary)"),
        _opt("country", "text", "Country"),
        _opt("location", "text", "Location"),
        _opt("owner", "text", "Owner"),
        _opt("users", "text", "Users"),
        _opt("sector", "text", "Sector"),
        Column("first_operational_date", "date", aliases=("First Operational Date",)),
        _opt("first_operational_date_note", "text", "First Operational Date Note"),
        _opt("decommissioned_date", "text", "Decommissioned Date (if applicable)"),
        Column("power_capacity_mw", "number", aliases=("Power Capacity (MW)",)),
        _opt("calculated_power_capacity_mw", "number", "Calculated Power Capacity (MW)"),
        _opt("reported_power_capacity_mw", "number", "Reported Power Capacity (MW)"),
        _opt("hardware_cost_usd", "number", "Hardware Cost"),
        _opt("calculated_cost_usd", "number", "Calculated Cost"),
        _opt("reported_cost_usd", "number", "Reported Cost"),
        _opt("reported_cost_inflation_adjusted_usd", "number", "Reported Cost (Inflation adjusted)"),
        _opt("max_op_per_s", "number", "Max OP/s"),
        _opt("precision_8bit_op_per_s", "number", "8-bit OP/s"),
        _opt("precision_16bit_op_per_s", "number", "16-bit OP/s"),
        _opt("precision_32bit_op_per_s", "number", "32-bit OP/s"),
        _opt("energy_efficiency_op_per_s_per_w", "number", "Energy Efficiency"),
        _opt("rank_when_first_operational", "number", "Rank when first operational"),
        _opt("largest_existing_cluster_when_first_operational", "text",
             "Largest existing cluster when first operational"),
        _opt("share_of_largest_cluster_when_first_operational", "number",
             "% of largest cluster when first operational"),
        _opt("builds_upon", "text", "Builds Upon"),
        _opt("superseded_by", "text", "Superseded by"),
        _opt("possible_duplicate", "bool", "Possible Duplicate"),
        _opt("possible_duplicate_of", "text", "Possible Duplicate Of"),
        _opt("include_in_standard_analysis", "bool", "Include in Standard Analysis"),
        _opt("exclude", "bool", "Exclude"),
        _opt("noteworthy", "bool", "Noteworthy"),
        _opt("note", "text", "Note"),
        _opt("hardware_note", "text", "Hardware note"),
        _opt("certainty_note", "text", "Certainty Note"),
        _opt("quote", "text", "Quote"),
        _opt("source_1_url", "text", "Source 1"),
        _opt("source_2_url", "text", "Source 2"),
        _opt("source_3_url", "text", "Source 3"),
    ),
)
