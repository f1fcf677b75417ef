"""dbt models as assets (group `warehouse`), built into the run's scratch copy and published
with the run (``orchestration.steps.publish``) when every blocking test passed.

The translator keys dbt sources as ``["raw", <table>]`` (the ingest assets' keys) and models as
``[<schema>, <name>]``, so Python and dbt assets form one lineage graph. dbt tests become asset
checks; an error-severity failure fails the step, nothing is published, and everything
downstream is skipped. Each model's materialization carries its row count and column types, read
from the scratch copy once dbt has finished (DuckDB admits no second process while dbt writes;
dagster-dbt's own ``fetch_row_counts`` waits for dbt the same way), and whether it was published.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetMaterialization, MetadataValue, Output, TableColumn, TableSchema
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from orchestration import warehouse as warehouse_db
from orchestration.assets.run_steps import published_note, publishes_here
from orchestration.dbt_project import dbt_project
from orchestration.resources import FlopcastDbtCliResource, WarehouseResource
from orchestration.steps.warehouse_build import staged_dbt_build


class FlopcastDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:flopcast"]


translator = FlopcastDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool="duckdb",
    io_manager_key="warehouse_tables",
)
def warehouse_dbt_assets(
    context: AssetExecutionContext, dbt: FlopcastDbtCliResource, warehouse: WarehouseResource
):
    settings = warehouse.settings
    publish = publishes_here(context, "warehouse")
    with staged_dbt_build(settings, context.run_id, dbt, context, publish=publish) as invocation:
        yield from with_table_facts(invocation, warehouse_db.scratch_path(settings.duckdb_path), publish)


def with_table_facts(invocation, scratch, published: bool) -> Iterator:
    """The invocation's events, each model's materialization with ``dagster/row_count``, its
    column types in ``dagster/column_schema`` (with the dbt docs' descriptions) and
    ``published``. Events are held until dbt has finished; if dbt fails, the events so far are
    passed on and the error raised."""
    events, error = [], None
    try:
        events.extend(invocation.stream())
    except Exception as exc:  # a failed blocking test: report what ran, then fail the step
        error = exc
    nodes = invocation.manifest["nodes"]

    def node_of(event) -> dict:
        unique_id = event.metadata.get("unique_id")
        return nodes.get(getattr(unique_id, "value", unique_id)) or {}

    def relation(event) -> tuple[str, str] | None:
        node = node_of(event)
        return (node["schema"], node.get("alias") or node["name"]) if node else None

    materialized = [e for e in events if isinstance(e, Output | AssetMaterialization)]
    facts = {} if error else warehouse_db.table_facts(scratch, [r for r in map(relation, materialized) if r])
    for event in events:
        if isinstance(event, Output | AssetMaterialization) and (fact := facts.get(relation(event))):
            described = {name: column.get("description") or None
                         for name, column in node_of(event).get("columns", {}).items()}
            event = event.with_metadata({
                **event.metadata,
                "dagster/row_count": fact["rows"],
                "dagster/column_schema": MetadataValue.table_schema(TableSchema(columns=[
                    TableColumn(name, kind, description=described.get(name)) for name, kind in fact["columns"]])),
                "published": published_note(published),
            })
        yield event
    if error is not None:
        raise error

