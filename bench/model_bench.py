"""Benchmark of the demand model's Monte Carlo with calibration: 100,000 draws x 7 years.

    python -m bench.model_bench --home DIR [--draws N] [--runs R] [--first-year Y]

Prepares the engine once (base scenario, as of the snapshot's last date) on the marts of a built
warehouse, read as production reads them (``--home``: a FLOPCAST_HOME a pipeline run has filled,
e.g. ``python -m bench.plain --month YYYY-MM``; ``make bench`` builds its own). Times draw (with
the factor copula) + simulate + calibration (weights, leave-one-out backtest) + the calibrated
P10/P50/P90 summary + crossover distribution, ``runs`` times after one untimed warm-up, and prints
the median. The project's goal is <= 2 s.
"""

import argparse
import statistics
import sys
import time
from datetime import date

import numpy as np

from models import montecarlo
from models.config import BASE_SCENARIO, load_scenario
from models.context import prepare
from models.inputs import ModelInputs
from models.run import DEFAULT_DRAWS

GOAL_S = 2.0
AS_OF = date(2026, 11, 30)


def load_inputs(home) -> ModelInputs:
    """The model's marts in the warehouse of FLOPCAST_HOME ``home``, as production reads them."""
    from orchestration.steps.model import load_model_inputs
    from orchestration.settings import load_settings

    settings = load_settings({"FLOPCAST_HOME": str(home)})
    if not settings.duckdb_path.is_file():
        raise FileNotFoundError(f"no warehouse at {settings.duckdb_path}: the model benchmark reads the marts "
                                "of a built one (run `python -m bench.plain --month YYYY-MM` with that "
                                "FLOPCAST_HOME first)")
    return load_model_inputs(settings)


def time_monte_carlo(draws: int = DEFAULT_DRAWS, runs: int = 5, first_year: int = 2024,
                     horizon: int = 2030, seed: int = 0, *, inputs: ModelInputs) -> list[float]:
    """Seconds per run of the full Monte Carlo (draw, simulate, calibrate, summarise, crossover)."""
    scenario = load_scenario(BASE_SCENARIO)
    prepared = prepare(inputs, scenario, AS_OF, years=np.arange(first_year, horizon + 1))
    data = inputs.as_of(AS_OF)
    ctx, drivers = prepared.context, prepared.drivers

    def once(s: int) -> None:
        montecarlo.run_monte_carlo(ctx, drivers, draws, s, scenario.name, "bench", prepared.correlations,
                                   data.published_splits, data.lab_compute_spend, prepared.training_history)

    once(seed)  # warm-up
    times = []
    for i in range(runs):
        start = time.perf_counter()
        once(seed + i + 1)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.model_bench")
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--first-year", type=int, default=2024, help="with horizon 2030: 7 years")
    parser.add_argument("--home", required=True, help="a FLOPCAST_HOME with a built warehouse")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    years = 2030 - args.first_year + 1
    try:
        inputs = load_inputs(args.home)
    except FileNotFoundError as missing:
        parser.error(str(missing))
    times = time_monte_carlo(args.draws, args.runs, args.first_year, inputs=inputs)
    median = statistics.median(times)
    print(f"demand-model Monte Carlo with calibration: {args.draws:,} draws x {years} years, {args.runs} runs"
          f" (warehouse {args.home})")
    print("  runs, s: " + ", ".join(f"{t:.3f}" for t in times))
    print(f"  median: {median:.3f} s   (goal <= {GOAL_S:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
