"""The monthly brief (group `brief`): model outputs -> `reports/` -> `briefs/YYYY-MM/`."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration import pipeline
from orchestration.assets.model import accelerator_roofline
from orchestration.partitions_def import monthly_partitions
from orchestration.resources import WarehouseResource


@asset(
    key=["brief", "monthly_brief"],
    group_name="brief",
    partitions_def=monthly_partitions,
    deps=[accelerator_roofline],
    kinds={"pdf", "html"},
    owners=["team:flopcast"],
    description=(
        "The monthly PDF brief, rendered with Jinja2 + WeasyPrint and archived atomically in "
        "`$FLOPCAST_HOME/briefs/YYYY-MM/` with its HTML, metrics.json and chart data."
    ),
)
def monthly_brief(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    target, rendered = pipeline.build_brief(warehouse.settings, context.partition_key)
    metadata = {
        "pdf_path": MetadataValue.path(str(target / "brief.pdf")),
        "pdf_bytes": len(rendered.pdf),
        "snapshot_hash": rendered.metrics["snapshot_hash"],
    }
    for name, metric in rendered.metrics["metrics"].items():
        if metric["value"] is not None:
            metadata[name] = metric["value"]
    return MaterializeResult(metadata=metadata)
