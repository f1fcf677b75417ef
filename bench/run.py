"""`make bench` / `flopcast bench`: the Dagster pipeline against the plain-Python path.

Both run as fresh processes (imports included: that is what a user waits for), on the bundled
snapshot, alternating so that machine noise hits both alike. Each run starts from an empty
FLOPCAST_HOME at the same path (so dbt's partial parse, keyed on the warehouse path, is valid
for both); the Dagster instance (DAGSTER_HOME) persists across runs as it does for a user.
Reports medians, the ratio and the difference; the project's goal is <= 1.3x and <= 5 s.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orchestration.partitions import latest_complete_month
from orchestration.settings import PROJECT_ROOT

GOAL_RATIO = 1.3
GOAL_OVERHEAD_S = 5.0


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="flopcast bench")
    parser.add_argument("--quick", action="store_true", help="2 repetitions instead of 5")
    parser.add_argument("--runs", type=int)
    args = parser.parse_args(argv)
    runs = args.runs or (2 if args.quick else 5)
    month = latest_complete_month()
    python = sys.executable
    flopcast = str(Path(python).with_name("flopcast"))
    dagster_times: list[float] = []
    plain_times: list[float] = []
    plain_stages: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="flopcast-bench-") as scratch:
        base_env = {**os.environ}
        for key in ("FLOPCAST_HOME", "FLOPCAST_DUCKDB", "DAGSTER_HOME"):
            base_env.pop(key, None)
        home = Path(scratch) / "home"
        env = {**base_env, "FLOPCAST_HOME": str(home), "DAGSTER_HOME": f"{scratch}/dagster_home"}
        _timed([flopcast, "prepare"], env)
        for i in range(runs + 1):  # the first round warms caches and is not counted
            shutil.rmtree(home, ignore_errors=True)
            d, _ = _timed([flopcast, "brief", "--month", month], env)
            shutil.rmtree(home, ignore_errors=True)
            p, out = _timed([python, "-m", "bench.plain", "--month", month], env)
            if i == 0:
                continue
            dagster_times.append(d)
            plain_times.append(p)
            plain_stages.append(json.loads(out.strip().splitlines()[-1]))
            print(f"  run {i}: dagster {d:.2f} s, plain {p:.2f} s", file=sys.stderr)
    d_med = statistics.median(dagster_times)
    p_med = statistics.median(plain_times)
    ratio = d_med / p_med
    print(f"\nflopcast bench: full pipeline for {month} on the bundled snapshot, "
          f"{runs} runs each (medians, fresh processes)")
    print(f"{'path':<28}{'median s':>10}")
    print(f"{'dagster (flopcast brief)':<28}{d_med:>10.2f}")
    print(f"{'plain python':<28}{p_med:>10.2f}")
    for stage in plain_stages[0]:
        print(f"{'  plain stage: ' + stage:<28}{statistics.median(s[stage] for s in plain_stages):>10.2f}")
    print(f"{'ratio dagster/plain':<28}{ratio:>10.2f}   (goal <= {GOAL_RATIO})")
    print(f"{'overhead, s':<28}{d_med - p_med:>10.2f}   (goal <= {GOAL_OVERHEAD_S})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
