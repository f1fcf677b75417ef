"""The plain-Python path: the same pipeline, the same stage functions (``orchestration/steps/``),
the same dbt invocation, no Dagster run.

    python -m bench.plain [--month YYYY-MM]

The stages are the ones the Dagster assets call, in the same order: every stage the pipeline gains
is added here too. dbt runs through dagster-dbt's resource, as in the dbt asset, so the dbt stage
includes importing dagster-dbt.
"""

import argparse
import json
import sys
import time
import uuid

from common.processes import skip_exit_collection
from orchestration.partitions import latest_complete_month
from orchestration.settings import load_settings
from orchestration.sources.registry import SOURCES
from orchestration.steps.brief import build_brief
from orchestration.steps.ingest import ingest_source
from orchestration.steps.model import run_demand_model
from orchestration.steps.warehouse_build import build_warehouse
from orchestration.warehouse import RunLock


def run(month: str) -> dict[str, float]:
    settings = load_settings()
    stages: dict[str, float] = {}
    run_id = uuid.uuid4().hex
    with RunLock(settings.lock_path):
        start = time.perf_counter()
        for source in SOURCES:
            ingest_source(settings, source, run_id, publish=False)
        stages["ingest"] = time.perf_counter() - start

        start = time.perf_counter()
        build_warehouse(settings, run_id, publish=False)
        stages["dbt"] = time.perf_counter() - start

        start = time.perf_counter()
        run_demand_model(settings, month, run_id, publish=False)
        stages["model"] = time.perf_counter() - start

        start = time.perf_counter()
        build_brief(settings, month, run_id)
        stages["brief"] = time.perf_counter() - start
    return stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default=latest_complete_month())
    args = parser.parse_args(argv)
    print(json.dumps(run(args.month)))
    if argv is None:
        skip_exit_collection()  # as `flopcast` does: both exit alike
    return 0


if __name__ == "__main__":
    sys.exit(main())
