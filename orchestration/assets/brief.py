"""The monthly brief (group `brief`): model outputs -> `reports/` -> `briefs/YYYY-MM/`."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from models.inputs import MART_INPUTS
from orchestration.assets.model import MODEL_TABLES
from orchestration.partitions_def import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.steps.brief import BRIEF_MARTS, build_brief


@asset(
    key=["brief", "monthly_brief"],
    group_name="brief",
    partitions_def=monthly_partitions,
    deps=[AssetKey(["model", name]) for name in MODEL_TABLES]
    + [AssetKey(["marts", mart]) for mart in dict.fromkeys((*BRIEF_MARTS, *MART_INPUTS.values()))],
    kinds={"pdf", "html"},
    owners=["team:flopcast"],
    description=(
        "The monthly PDF brief, rendered with Jinja2 + WeasyPrint and archived atomically in "
        "`$FLOPCAST_HOME/briefs/YYYY-MM/` with its HTML, metrics.json and chart data."
    ),
)
def monthly_brief(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    target, rendered = build_brief(warehouse.settings, context.partition_key, context.run_id)
    metrics = rendered.metrics
    metadata = {
        "pdf_path": MetadataValue.path(str(target / "brief.pdf")),
        "pdf_bytes": len(rendered.pdf),
        "snapshot_hash": metrics["snapshot_hash"],
        "scenario": metrics["scenario"],
        "takeaways": MetadataValue.md("\n".join(f"{i}. {t}" for i, t in enumerate(metrics["takeaways"], 1))),
        "changes_since_last_brief": len(metrics["changes"]),
        "chart_data": MetadataValue.path(str(target / "charts")),
        "chart_split_flop": MetadataValue.md(f"![Compute by bucket]({rendered.chart_uris['flop']})"),
    }
    for name, metric in metrics["metrics"].items():
        if metric["value"] is not None:
            metadata[name] = metric["value"]
    return MaterializeResult(metadata=metadata)
