"""The one `Definitions` of flopcast (found through workspace.yaml and [tool.dagster])."""

from dagster import Definitions, in_process_executor

from orchestration.assets.brief import monthly_brief
from orchestration.assets.dbt import warehouse_dbt_assets
from orchestration.assets.delivery import brief_email
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.model import demand_model
from orchestration.resources import (
    MailResource,
    TablesInWarehouseIOManager,
    WarehouseResource,
    dbt_cli_resource,
)
from orchestration.schedules import jobs, schedules
from orchestration.sensors import sensors

defs = Definitions(
    assets=[*ingest_assets, warehouse_dbt_assets, demand_model, monthly_brief, brief_email],
    jobs=jobs,
    schedules=schedules,
    sensors=sensors,
    resources={
        "dbt": dbt_cli_resource(),
        # Runs launched by the daemon wait up to 10 minutes for a run in progress to finish;
        # the CLI takes the lock itself first and fails at once with a clear message.
        "warehouse": WarehouseResource(lock_timeout_s=600),
        "mail": MailResource.from_env(),
        "warehouse_tables": TablesInWarehouseIOManager(),
    },
    # DuckDB has one writer and every step is cheap: run steps in one process, one at a time.
    executor=in_process_executor,
)
