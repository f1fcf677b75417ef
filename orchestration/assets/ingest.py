"""Ingest assets (group `sources`): landing file -> DuckDB `raw.<source>`."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, RetryPolicy, asset

from orchestration import pipeline
from orchestration.resources import WarehouseResource

DBT_STEP = "warehouse_dbt_assets"  # the op name of the @dbt_assets function
from orchestration.sources.snapshot import SNAPSHOT_TABLES, SnapshotTable


def _preview(frame, rows: int = 10) -> MetadataValue:
    return MetadataValue.md(frame.head(rows).to_markdown(index=False))


def _warehouse_build_in_run(context: AssetExecutionContext) -> bool:
    """Does this run also build the dbt models? Then they publish raw and marts together."""
    steps = context.run.step_keys_to_execute
    if steps is None:
        steps = [node.name for node in context.job_def.nodes]
    return DBT_STEP in steps


def snapshot_asset(table: SnapshotTable):
    @asset(
        key=["raw", table.source],
        group_name="sources",
        kinds={"duckdb", "csv"},
        owners=["team:flopcast"],
        description=(
            f"Bundled snapshot table `{table.table}` (data/snapshot/{table.table}.csv), landed by "
            f"content hash and loaded into `raw.{table.source}`. Rows that fail typing go to "
            "`raw.quarantine` with the file, row and column."
        ),
        retry_policy=RetryPolicy(max_retries=1, delay=1),
        pool="duckdb",
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        result = pipeline.ingest_snapshot_table(
            warehouse.settings, table, context.run_id, publish=not _warehouse_build_in_run(context)
        )
        landed, parsed = result.landed, result.parsed
        if len(parsed.quarantine):
            context.log.warning(
                f"{len(parsed.quarantine)} problem(s) quarantined from {landed.url}: "
                + "; ".join(parsed.quarantine["reason"].head(5))
            )
        return MaterializeResult(
            metadata={
                "dagster/row_count": len(parsed.frame),
                "quarantined_rows": len(parsed.quarantine),
                "content_sha256": landed.sha256,
                "landing_file": MetadataValue.path(str(landed.path)),
                "source_url": landed.url,
                "licence": landed.licence,
                "mode": landed.mode,
                "fetched_at": landed.fetched_at,
                "stale": landed.stale,
                "preview": _preview(parsed.frame),
            }
        )

    return _ingest


ingest_assets = [snapshot_asset(table) for table in SNAPSHOT_TABLES.values()]
