"""Model assets (group `model`): marts -> `models/` functions -> `model.<name>` tables."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration import pipeline
from orchestration.partitions_def import monthly_partitions
from orchestration.resources import WarehouseResource


@asset(
    key=["model", pipeline.ROOFLINE_TABLE],
    group_name="model",
    partitions_def=monthly_partitions,
    deps=[AssetKey(["marts", "dim_accelerator"]), AssetKey(["marts", "dim_data_source"])],
    kinds={"python", "duckdb"},
    owners=["team:flopcast"],
    description=(
        "Per-chip roofline for the chips released by the partition's month end: ridge point "
        "(dense BF16 FLOP/s / memory bandwidth, FLOP/byte) and the batch-1 decode ceiling "
        "(tokens/s) of a dense 70B model at 8-bit weights."
    ),
    pool="duckdb",
)
def accelerator_roofline(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    result = pipeline.compute_roofline(warehouse.settings, context.partition_key, context.run_id)
    h100 = result[result["accelerator_id"] == "nvidia-h100-sxm"]
    metadata = {
        "dagster/row_count": len(result),
        "snapshot_hash": str(result["snapshot_hash"].iloc[0]) if len(result) else "",
        "preview": MetadataValue.md(
            result.drop(columns=["snapshot_hash"]).head(10).to_markdown(index=False, floatfmt=".4g")
        ),
    }
    if len(h100):
        metadata["h100_ridge_point_flop_per_byte"] = float(h100["ridge_point_flop_per_byte"].iloc[0])
        metadata["h100_decode_tokens_per_s_batch1"] = float(h100["decode_tokens_per_s_batch1"].iloc[0])
    return MaterializeResult(metadata=metadata)
