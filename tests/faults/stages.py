"""Run some stages of the plain-Python pipeline in one process, for the fault tests to kill.

    python -m tests.faults.stages --month 2025-06 --stages model,brief [--seed N]

The same library calls as `bench.plain`, under the same run lock, but starting after the
warehouse build: a prepared home lets the model and render kill points be reached in seconds.
"""

import argparse
import sys
import uuid

from models.run import DEFAULT_SEED
from orchestration.settings import load_settings
from orchestration.steps.brief import build_brief
from orchestration.steps.model import run_demand_model
from orchestration.warehouse import RunLock

STAGES = ("model", "brief")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--month", required=True)
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    stages = args.stages.split(",")
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s) {sorted(unknown)}")
    settings = load_settings()
    run_id = uuid.uuid4().hex
    with RunLock(settings.lock_path):
        if "model" in stages:  # publishes itself only when no brief follows (one publish point per run)
            run_demand_model(settings, args.month, run_id, seed=args.seed, publish="brief" not in stages)
        if "brief" in stages:
            print(build_brief(settings, args.month, run_id)[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
