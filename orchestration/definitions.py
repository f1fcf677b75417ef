"""The one `Definitions` of flopcast (found through workspace.yaml and [tool.dagster])."""

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from orchestration.assets.brief import monthly_brief
from orchestration.assets.dbt import warehouse_dbt_assets
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.model import accelerator_roofline
from orchestration.dbt_project import dbt_project
from orchestration.resources import FlopcastDbtCliResource, WarehouseResource
from orchestration.pipeline import dbt_executable

# The whole pipeline, source to PDF, as one job per monthly partition.
brief_job = define_asset_job(
    "brief_job",
    selection=AssetSelection.all(),
    description="Ingest, build the warehouse, run the model and render the brief for one month.",
)

defs = Definitions(
    assets=[*ingest_assets, warehouse_dbt_assets, accelerator_roofline, monthly_brief],
    jobs=[brief_job],
    resources={
        "dbt": FlopcastDbtCliResource(
            project_dir=dbt_project, dbt_executable=dbt_executable()
        ),
        "warehouse": WarehouseResource(),
    },
    # DuckDB has one writer and every step is cheap: run steps in one process, one at a time.
    executor=in_process_executor,
)
