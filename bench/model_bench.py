"""Benchmark of the demand model's Monte Carlo: 100,000 draws x 7 years.

    python -m bench.model_bench [--draws N] [--runs R] [--first-year Y]

Prepares the engine once on the bundled snapshot (base scenario, as of the snapshot's last
date), then times draw + simulate + P10/P50/P90 summary + crossover distribution, ``runs``
times after one untimed warm-up, and prints the median. The project's goal is <= 1 s.
"""

import argparse
import statistics
import sys
import time
from datetime import date

import numpy as np

from models import montecarlo
from models.config import load_scenario
from models.inputs import inputs_from_snapshot
from orchestration.settings import SNAPSHOT_DIR

GOAL_S = 1.0
AS_OF = date(2026, 11, 30)


def time_monte_carlo(draws: int = 100_000, runs: int = 5, first_year: int = 2024,
                     horizon: int = 2030, seed: int = 0) -> list[float]:
    """Seconds per run of the full Monte Carlo (draw, simulate, summarise, crossover)."""
    scenario = load_scenario("base")
    prepared = montecarlo.prepare(inputs_from_snapshot(SNAPSHOT_DIR), scenario, AS_OF,
                                  years=np.arange(first_year, horizon + 1))
    ctx, drivers = prepared.context, prepared.drivers
    montecarlo.run_monte_carlo(ctx, drivers, draws, seed, scenario.name, "bench")  # warm-up
    times = []
    for i in range(runs):
        start = time.perf_counter()
        montecarlo.run_monte_carlo(ctx, drivers, draws, seed + i + 1, scenario.name, "bench")
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.model_bench")
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--first-year", type=int, default=2024, help="with horizon 2030: 7 years")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    years = 2030 - args.first_year + 1
    times = time_monte_carlo(args.draws, args.runs, args.first_year)
    median = statistics.median(times)
    print(f"demand-model Monte Carlo: {args.draws:,} draws x {years} years, {args.runs} runs")
    print("  runs, s: " + ", ".join(f"{t:.3f}" for t in times))
    print(f"  median: {median:.3f} s   (goal <= {GOAL_S:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
