"""dbt models as assets (group `warehouse`), built into a scratch copy and published when green.

The translator keys dbt sources as ``["raw", <table>]`` (the ingest assets' keys) and models as
``[<schema>, <name>]``, so Python and dbt assets form one lineage graph. dbt tests become asset
checks; an error-severity failure fails the step, nothing is published, and everything
downstream is skipped.
"""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

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
    with staged_dbt_build(warehouse.settings, context.run_id, dbt, context) as invocation:
        yield from invocation.stream()

