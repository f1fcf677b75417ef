"""The plain-Python path: the same pipeline, same library functions, same dbt invocation, no Dagster.

    python -m bench.plain [--month YYYY-MM]

Keep this in step with the Dagster assets: every stage the pipeline gains is added here too.
"""

import argparse
import json
import sys
import time
import uuid

from orchestration import pipeline
from orchestration.partitions import latest_complete_month
from orchestration.settings import load_settings
from orchestration.sources.registry import SOURCES
from orchestration.warehouse import RunLock


def run(month: str) -> dict[str, float]:
    settings = load_settings()
    stages: dict[str, float] = {}
    run_id = uuid.uuid4().hex
    with RunLock(settings.lock_path):
        start = time.perf_counter()
        for source in SOURCES:
            pipeline.ingest_source(settings, source, run_id, publish=False)
        stages["ingest"] = time.perf_counter() - start

        start = time.perf_counter()
        pipeline.run_dbt_build(settings, run_id)
        stages["dbt"] = time.perf_counter() - start

        start = time.perf_counter()
        pipeline.run_demand_model(settings, month, run_id)
        stages["model"] = time.perf_counter() - start

        start = time.perf_counter()
        pipeline.build_brief(settings, month)
        stages["brief"] = time.perf_counter() - start
    return stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", default=latest_complete_month())
    args = parser.parse_args(argv)
    print(json.dumps(run(args.month)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
