"""The bundled snapshot: public facts compiled by the project, one CSV per table.

This is the offline default. Each table is a source like the publishers' files (landed by content
hash, with provenance), so the brief can name the exact bytes it was computed from. The tables,
their columns and units are described in ``data/snapshot/SOURCES.md``.
"""

from orchestration.sources.fetch import SourceDescriptor
from orchestration.sources.tabular import Column, TableSpec

SNAPSHOT_LICENCE = "CC BY 4.0 (flopcast compilation; each row cites its source_url)"

_PROVENANCE = (
    Column("source_url", "text", nullable=False),
    Column("retrieved", "date", nullable=False),
)


def _descriptor(table: str, title: str) -> SourceDescriptor:
    return SourceDescriptor(
        name=f"snapshot_{table}",
        title=f"flopcast bundled snapshot: {title}",
        url="",
        licence=SNAPSHOT_LICENCE,
        ext="csv",
        mirror_patterns=(),
        bundled_file=f"{table}.csv",
    )


ACCELERATORS = _descriptor("accelerators", "accelerator specs (dense, per chip)")
# The model's reference accelerator (``reference_accelerator_id`` in models/scenarios/*.yaml; a
# test keeps the two in step): its row must load, or the run stops here naming the row.
REFERENCE_ACCELERATOR_ID = "nvidia-h100-sxm"

ACCELERATORS_SPEC = TableSpec(
    source=ACCELERATORS.name,
    key=("accelerator_id",),
    needed=(REFERENCE_ACCELERATOR_ID,),
    needed_because=("the model's reference accelerator; rental prices, shipments and training runs "
                    "refer to it by id"),
    columns=(
        Column("accelerator_id", "text", nullable=False),
        Column("vendor", "text", nullable=False),
        Column("name", "text", nullable=False),
        Column("accelerator_type", "text", nullable=False),
        Column("release_date", "date", nullable=False),
        Column("bf16_dense_flop_per_s", "number"),
        Column("fp16_dense_flop_per_s", "number"),
        Column("fp8_dense_flop_per_s", "number"),
        Column("fp4_dense_flop_per_s", "number"),
        Column("int8_dense_op_per_s", "number"),
        Column("memory_bytes", "number"),
        Column("memory_bandwidth_bytes_per_s", "number"),
        Column("interconnect", "text", required=False),
        Column("interconnect_bandwidth_bytes_per_s", "number", required=False),
        Column("tdp_w", "number"),
        Column("launch_price_usd", "number", required=False),
        Column("sparse_headline", "bool", required=False),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

TRAINING_RUNS = _descriptor("training_runs", "notable training runs")
TRAINING_RUNS_SPEC = TableSpec(
    source=TRAINING_RUNS.name,
    key=("model_id",),
    columns=(
        Column("model_id", "text", nullable=False),
        Column("model_name", "text", nullable=False),
        Column("organization", "text", nullable=False),
        Column("publication_date", "date", nullable=False),
        Column("domain", "text"),
        Column("total_parameters", "number"),
        Column("active_parameters", "number"),
        Column("training_tokens", "number"),
        Column("training_flop", "number"),
        Column("training_flop_basis", "text"),
        Column("training_flop_method", "text", required=False),
        Column("training_hardware", "text", required=False),
        Column("hardware_chip_count", "number", required=False),
        Column("training_days", "number", required=False),
        Column("open_weights", "bool", required=False),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

TOKEN_VOLUMES = _descriptor("token_volumes", "disclosed token volumes")
TOKEN_VOLUMES_SPEC = TableSpec(
    source=TOKEN_VOLUMES.name,
    key=("disclosure_id",),
    columns=(
        Column("disclosure_id", "text", nullable=False),
        Column("provider", "text", nullable=False),
        Column("period_start", "date", nullable=False),
        Column("period_end", "date", nullable=False),
        Column("tokens", "number", nullable=False),
        Column("period_unit", "text", nullable=False),
        Column("scope", "text"),
        Column("metric", "text", nullable=False),
        Column("disclosed_on", "date", nullable=False),
        Column("quote", "text", required=False),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

RENTAL_PRICES = _descriptor("rental_prices", "cloud accelerator rental prices")
RENTAL_PRICES_SPEC = TableSpec(
    source=RENTAL_PRICES.name,
    key=("price_id",),
    columns=(
        Column("price_id", "text", nullable=False),
        Column("provider", "text", nullable=False),
        Column("accelerator_name", "text", nullable=False),
        Column("accelerator_id", "text", nullable=False),
        Column("instance_type", "text"),
        Column("chips_per_instance", "number"),
        Column("usd_per_hour_instance", "number"),
        Column("usd_per_accelerator_hour", "number", nullable=False),
        Column("pricing_type", "text", nullable=False),
        Column("region", "text", required=False),
        Column("observed_on", "date"),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

PUBLISHED_SPLITS = _descriptor("published_splits", "published training vs inference splits")
PUBLISHED_SPLITS_SPEC = TableSpec(
    source=PUBLISHED_SPLITS.name,
    key=("split_id",),
    columns=(
        Column("split_id", "text", nullable=False),
        Column("period_start", "date", nullable=False),
        Column("period_end", "date", nullable=False),
        Column("scope", "text", nullable=False),
        Column("publisher", "text", nullable=False),
        Column("unit", "text", nullable=False),
        Column("kind", "text", nullable=False),
        Column("measure", "text"),
        Column("inference_share", "number"),
        Column("training_share", "number"),
        Column("inference_value", "number"),
        Column("training_value", "number"),
        Column("value_unit", "text"),
        Column("definition_notes", "text", required=False),
        *_PROVENANCE,
    ),
)

DATACENTER_CAMPUSES = _descriptor("datacenter_campuses", "AI data-centre campuses")
DATACENTER_CAMPUSES_SPEC = TableSpec(
    source=DATACENTER_CAMPUSES.name,
    key=("campus_id",),
    columns=(
        Column("campus_id", "text", nullable=False),
        Column("name", "text", nullable=False),
        Column("operator", "text", nullable=False),
        Column("primary_tenant", "text"),
        Column("location", "text"),
        Column("country", "text", nullable=False),
        Column("latitude", "number"),
        Column("longitude", "number"),
        Column("power_mw_planned", "number"),
        Column("power_mw_operational", "number"),
        Column("status", "text", nullable=False),
        Column("announced_on", "date"),
        Column("first_operational_on", "date"),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

ACCELERATOR_SHIPMENTS = _descriptor("accelerator_shipments", "accelerator shipments and installed units")
ACCELERATOR_SHIPMENTS_SPEC = TableSpec(
    source=ACCELERATOR_SHIPMENTS.name,
    key=("shipment_id",),
    ordered=(("units_low", "units", "units_high"),),
    columns=(
        Column("shipment_id", "text", nullable=False),
        Column("vendor", "text", nullable=False),
        Column("family", "text", nullable=False),
        Column("accelerator_id", "text", nullable=False),
        Column("metric", "text", nullable=False),
        Column("period_start", "date", nullable=False),
        Column("period_end", "date", nullable=False),
        Column("period_unit", "text", nullable=False),
        Column("units", "number", nullable=False),
        Column("units_low", "number"),
        Column("units_high", "number"),
        Column("basis", "text", nullable=False),
        Column("publisher", "text", nullable=False),
        Column("disclosed_on", "date", nullable=False),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

COMPANY_FINANCIALS = _descriptor("company_financials", "company financials (filings)")
COMPANY_FINANCIALS_SPEC = TableSpec(
    source=COMPANY_FINANCIALS.name,
    key=("figure_id",),
    ordered=(("value_low_usd", "value_usd", "value_high_usd"),),
    columns=(
        Column("figure_id", "text", nullable=False),
        Column("company", "text", nullable=False),
        Column("metric", "text", nullable=False),
        Column("kind", "text", nullable=False),
        Column("fiscal_period", "text", nullable=False),
        Column("period_start", "date", nullable=False),
        Column("period_end", "date", nullable=False),
        Column("value_usd", "number", nullable=False),
        Column("value_low_usd", "number"),
        Column("value_high_usd", "number"),
        Column("disclosed_on", "date", nullable=False),
        Column("definition", "text", nullable=False),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

LAB_COMPUTE_SPEND = _descriptor("lab_compute_spend", "AI labs' compute spend by purpose")
LAB_COMPUTE_SPEND_SPEC = TableSpec(
    source=LAB_COMPUTE_SPEND.name,
    key=("spend_id",),
    ordered=(("value_low_usd", "value_usd", "value_high_usd"),),
    columns=(
        Column("spend_id", "text", nullable=False),
        Column("lab", "text", nullable=False),
        Column("period_start", "date", nullable=False),
        Column("period_end", "date", nullable=False),
        Column("category", "text", nullable=False),
        Column("value_usd", "number", nullable=False),
        Column("value_low_usd", "number"),
        Column("value_high_usd", "number"),
        Column("basis", "text", nullable=False),
        Column("kind", "text", nullable=False),
        Column("publisher", "text", nullable=False),
        Column("disclosed_on", "date", nullable=False),
        Column("notes", "text", required=False),
        *_PROVENANCE,
    ),
)

SNAPSHOT_TABLES: tuple[tuple[SourceDescriptor, TableSpec], ...] = (
    (ACCELERATORS, ACCELERATORS_SPEC),
    (TRAINING_RUNS, TRAINING_RUNS_SPEC),
    (TOKEN_VOLUMES, TOKEN_VOLUMES_SPEC),
    (RENTAL_PRICES, RENTAL_PRICES_SPEC),
    (PUBLISHED_SPLITS, PUBLISHED_SPLITS_SPEC),
    (DATACENTER_CAMPUSES, DATACENTER_CAMPUSES_SPEC),
    (ACCELERATOR_SHIPMENTS, ACCELERATOR_SHIPMENTS_SPEC),
    (COMPANY_FINANCIALS, COMPANY_FINANCIALS_SPEC),
    (LAB_COMPUTE_SPEND, LAB_COMPUTE_SPEND_SPEC),
)
