"""``run_model``: the one entry point the Dagster asset and the brief call.

    from models.run import run_model
    out = run_model(inputs, "base", as_of=date(2025, 6, 30), seed=0, draws=10_000,
                    snapshot_hash=digest)
    out.demand        # long format: scenario, seed, snapshot_hash, year, bucket, unit, p10, p50, p90
    out.tables()      # every output table by name, each carrying scenario, seed, snapshot_hash

Plain Python: DataFrames and a typed scenario in, DataFrames out; no Dagster, no DuckDB.
"""

import hashlib
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import pandas as pd

from models import hardware, montecarlo, sensitivity, supply
from models.calibration import MIN_ESS
from models.config import BASE_SCENARIO, Scenario, check_reference_accelerator, load_scenario, scenario_source
from models.context import prepare
from models.driver_registry import DRIVERS
from models.inputs import ModelInputs, to_date

DEFAULT_DRAWS = 100_000  # calibration keeps ~1% of the draws' weight: ~1,000 effective draws
DEFAULT_SEED = 20240101
MIN_DRAWS = 100

METHODOLOGY = """\
Scope. Two scopes are reported. Generative: training of notable and frontier models
(pre-training, post-training, experiments, synthetic data and RL rollouts) and generative inference
measured in tokens (external serving split into chat, reasoning and agents, plus labs' internal
inference). All AI: the whole installed accelerator base - the generative work, the other AI work
on it (recommendation and ranking, vision, enterprise ML: other AI) and the idle or ramping rest.
Every published split is compared in the scope it measures.

Supply from observations. The installed base is the shipment-based stock estimate
(units by vendor and family from company disclosures, analysts and Epoch AI, in H100-equivalents,
a one-quarter deployment lag and 4-7 year retirement, as the brief's date could know it), for
every year it covers in full from its second year (its first year lacks the chips bought before
2022). Each draw places the stock within the publishers' range. Installed power = installed H100e
x board watts per H100e of the fleet mix x server overhead x PUE. After the last observed year the
stock is the survivors (1/5.5 retired per year) plus purchases; purchases stop when the stock
covers the demand and never exceed the shipment capacity (the last observed year's shipments
growing at the shipment-capacity growth per year, the excess growth shrinking each year: advanced
packaging and HBM), and the stock never outgrows the power path (installed GW growing at most by
the ceiling on installed-power growth per year: grid and campus additions). So no projected year
falls below the surviving stock and none rises above what packaging and power allow.

Allocation. When the demand (generative plus other AI) exceeds the stock in a projected year,
compute is allocated by a stated rule, not pro rata: (1) the other AI work already running (ads,
search and feed ranking) keeps the capacity it had in the last observed year; (2) the labs' R&D -
training and internal inference - keeps a floor share of the stock (the labs' R&D floor share: their
own campuses and contracts); (3) revenue-backed external serving and the growth of other AI come
next; (4) the rest of R&D shares what is left. A year with observed token volumes always serves its
external serving in full, and the labs keep their R&D floor of the stock that served it (the chips
were there). Demand before allocation and the share of it the stock serves are reported beside the
served quantities; in years where the rule binds, the split between training and inference is set by
the rule, and the tornado shows it.

Training. Frontier = the top-10 training runs per year in the training-run list (as of the brief's
date, through the last complete year). The growth factor is a mixture of three views: the
log-linear fit of log10(FLOP) on publication date (its 80% interval), Epoch AI's published trend,
and a power-limited slowdown (frontier-run power has grown 2.2x a year; FLOP per watt gains are
smaller), because the fit's own interval understates the uncertainty of a five-year
extrapolation. The level is the largest run of the last three complete years, detrended. Industry
pre-training = largest run x the industry pre-training in largest-run equivalents; post-training
by a rising share of final runs; experiments and synthetic data as multiples of final runs.

Inference. Observed tokens are levels, not a single anchor: each disclosing provider's series
(peaks, words, routers and double counts removed) is a log-linear path through its disclosures,
extended at its first and last growth; the sum per year divided by the disclosed share of served
tokens is the global volume for every year with disclosures, the current year a nowcast. Later years
grow with queries and the relative tokens per query (reasoning share x reasoning-token multiplier,
agent share x calls per task); observed volumes are never multiplied again. Earlier years are
back-cast at the served-token growth per year before the anchor. FLOP per computed token = 2 x
served active parameters x (1 + attention coefficient x mean context); input tokens served from the
prefix cache cost no compute.

Resources. Utilisation is stated on the precision basis of its source: the dense BF16 peak. Training
runs at the training MFU. Serving splits into prefill of uncached input at the prefill utilisation
(compute-bound) and decode at the decode utilisation (memory-bound; Epoch AI's ChatGPT estimate uses
10% of the H100's BF16 peak, DeepSeek's published V3/R1 serving statistics imply ~14%), and serving
capacity is provisioned for the peak hour (the serving peak-to-average ratio: DeepSeek's 278 peak vs
226.75 average nodes). Synthetic data and internal inference are batch decode at the decode
utilisation. Installed H100e = H100e-hours / (8,760 x availability). Energy = hours x board W x load
x server overhead x PUE. Spend = H100e-hours x the observed rental price of the year (on-demand
listings per H100e-hour, median per year, relative to the fitted as-of level; before the first
observed year and after the as-of year the price moves with hardware cost efficiency), with training
at a contract discount to the listed price and serving at its own ratio to it - so spend shares
differ from hour shares.

Capex and the two layers. Purchases = the installed stock less the survivors of the year
before; power added = purchases in GW including cooling. Capex = power added x IT capex per GW
(accelerators with their HBM, host servers, networking: Bernstein's GB200 estimate, changing
with each generation by the IT capex change per year) + power added x facility capex per GW (power,
cooling, buildings, real terms), each group split by published cost shares (Bernstein; Epoch AI
for HBM). Near users = external serving and other-AI inference; remote campuses = training,
synthetic data, internal inference and other-AI training.

Uncertainty. Every driver is drawn at once (a seeded random generator, one uniform matrix of
draws x drivers mapped through each driver's inverse CDF). Related drivers move together through
named factors (adoption, capex and supply, frontier scaling): a Gaussian copula with loadings and
factor correlations stated, with their basis, in the scenario file. The crossover year is the
first year inference >= training in a unit, searched from the first year with observed token
volumes; 'not by horizon' is an outcome. The tornado moves one driver to its P10 and P90 with the
rest at P50 (prior draws, before calibration).

Calibration. The draws are weighted by how well they match every observation in the warehouse at
once (importance weighting with flat-topped likelihoods, a form of history matching): each
published split in its scope (noise from its kind - measurement, estimate or forecast - and a
stated scope term), the implied utilisation of each observed year of the installed base (50-95%:
fleets keep most accelerators allocated; below half would leave most of a scarce, expensive fleet
idle), and OpenAI's disclosed inference and R&D compute spend as a 15-60% / 10-50% share of the
industry's. Token volumes and rental prices enter as levels and are not weighted again. The
published results are the draws resampled by weight; the prior results, the effective sample size
and a leave-one-out backtest (each split predicted without its own likelihood) are shown beside
them. Fewer than 500 effective draws, or an anchor no draw comes near, is a warning in the brief.

Known limits. Notable-run lists lag; the disclosed share of served tokens changes meaning as
providers start or stop disclosing; vendor weights in the fleet mix are assumed; the other-AI share
of the stock is an assumption constrained only by the calibration; rental listings are few before
2024; in projected years where demand outruns the stock, shares follow the allocation rule more than
the demand drivers.
"""


def inputs_hash(inputs: ModelInputs) -> str:
    """A content hash of the input frames (used when no snapshot hash is passed)."""
    h = hashlib.sha256()
    for f in fields(inputs):
        frame = getattr(inputs, f.name)
        h.update(f.name.encode())
        h.update(pd.util.hash_pandas_object(frame.sort_index(axis=1), index=False).to_numpy().tobytes())
    return "inputs-" + h.hexdigest()


DRIVER_TABLE_COLUMNS = ["scenario", "seed", "snapshot_hash", "driver", "group", "unit", "dist", "p10",
                        "p50", "p90", "basis", "kind", "used", "description", "note", "fit_note"]


def drivers_table(scenario: Scenario, drivers: dict, notes: dict[str, str], has_token_data: bool,
                  seed: int, snapshot_hash: str) -> pd.DataFrame:
    """Every driver with its effective P10/P50/P90, basis and kind (assumption/sourced/fitted)."""
    rows = []
    for name, spec in DRIVERS.items():
        drv = drivers[name]
        p10, p50, p90 = drv.quantiles()
        rows.append({
            "scenario": scenario.name, "seed": int(seed), "snapshot_hash": snapshot_hash,
            "driver": name, "group": spec.group, "unit": spec.unit, "dist": drv.dist,
            "p10": p10, "p50": p50, "p90": p90, "basis": drv.basis, "kind": drv.kind,
            "used": scenario.driver_is_used(name, has_token_data), "description": spec.description,
            "note": drv.note, "fit_note": notes.get(name, ""),
        })
    return pd.DataFrame(rows, columns=DRIVER_TABLE_COLUMNS)


@dataclass
class ModelOutputs:
    """Everything one model run produces. Every table carries scenario, seed and snapshot_hash
    (see :meth:`tables`); ``hardware_fit`` is None when the run was asked not to rate the chips."""

    scenario: str
    seed: int
    snapshot_hash: str
    as_of: date
    draws: int
    demand: pd.DataFrame
    crossover: pd.DataFrame
    crossover_summary: pd.DataFrame
    tornado: pd.DataFrame
    hardware_fit: pd.DataFrame | None
    backtest: pd.DataFrame
    drivers: pd.DataFrame
    training_history: pd.DataFrame
    trend: pd.DataFrame
    token_accounting: pd.DataFrame
    provider_growth: pd.DataFrame
    fleet: pd.DataFrame
    supply_check: pd.DataFrame
    calibration: pd.DataFrame
    calibration_summary: pd.DataFrame
    observed_series: pd.DataFrame
    methodology: str = METHODOLOGY

    def tables(self) -> dict[str, pd.DataFrame]:
        """The output tables by name, each with scenario, seed and snapshot_hash columns first."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, pd.DataFrame):
                continue
            frame = value.copy()
            for col, v in (("snapshot_hash", self.snapshot_hash), ("seed", self.seed),
                           ("scenario", self.scenario)):
                if col not in frame.columns:
                    frame.insert(0, col, v)
            lead = ["scenario", "seed", "snapshot_hash"]
            out[f.name] = frame[lead + [c for c in frame.columns if c not in lead]]
        return out


def _scenario(scenario) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, Path)):
        return load_scenario(scenario)
    raise TypeError(f"scenario must be a Scenario, a bundled name or a path, got {type(scenario).__name__}")


def _prepare_run(inputs: ModelInputs, scenario, as_of, draws: int, snapshot_hash: str | None, caller: str):
    """The checks and the deterministic preparation every run shares: (as_of, scenario, digest,
    prepared context, the inputs as of the date)."""
    if as_of is None:
        raise ValueError(f"{caller} needs an as_of date (the as-of rule)")
    if draws < MIN_DRAWS:
        raise ValueError(f"draws must be at least {MIN_DRAWS} (the product uses >= 10,000)")
    as_of = to_date(as_of)
    sc = _scenario(scenario)
    data = inputs.as_of(as_of)
    # the chip an H100e is measured against: one of the data, released by the date, with a BF16 figure
    acc = data.accelerators
    usable = acc.loc[pd.to_numeric(acc["bf16_dense_flop_per_s"], errors="coerce") > 0, "accelerator_id"]
    check_reference_accelerator(sc, usable, scenario_source(scenario), as_of,
                                known=inputs.accelerators["accelerator_id"])
    return as_of, sc, snapshot_hash or inputs_hash(inputs), prepare(inputs, sc, as_of), data


def run_model(inputs: ModelInputs, scenario=BASE_SCENARIO, as_of=None, seed: int = DEFAULT_SEED,
              draws: int = DEFAULT_DRAWS, snapshot_hash: str | None = None,
              tornado_year: int | None = None, rate_hardware: bool = True) -> ModelOutputs:
    """Run the demand model for ``as_of`` (only rows dated on or before it are used).

    ``scenario``: a Scenario, a bundled name (``BUNDLED_SCENARIOS``) or a YAML path (overriding
    base).
    ``snapshot_hash``: the input snapshot hash stamped on every row (default: a hash of the
    input frames). ``tornado_year``: default the scenario's settings.tornado_year, else horizon.
    ``rate_hardware``: build the hardware-fit table (per chip, not per scenario: a partition's
    side scenarios skip it).
    """
    as_of, sc, digest, prep, data = _prepare_run(inputs, scenario, as_of, draws, snapshot_hash, "run_model")
    ctx = prep.context
    demand, cross, cross_summary, paths, cal = montecarlo.run_monte_carlo(
        ctx, prep.drivers, draws, seed, sc.name, digest, sc.correlations, data.published_splits,
        data.lab_compute_spend, prep.training_history)
    year = tornado_year or sc.settings.tornado_year or sc.horizon
    torn = sensitivity.tornado(ctx, prep.drivers, sc, year, digest)
    hw = (hardware.hardware_fit(data.accelerators, data.rental_prices, sc.settings.serving_precision)
          if rate_hardware else None)
    table = drivers_table(sc, prep.drivers, prep.fit_notes, ctx.token_anchor.has_data, seed, digest)
    history = prep.training_history.copy()
    history["in_trend_level"] = history["year"].isin(prep.level_years)
    summary = pd.DataFrame([{
        "draws": int(draws), "effective_draws": float(cal.ess), "resampled_draws": int(cal.idx.size),
        "min_effective_draws": MIN_ESS, "anchors": int(len(cal.anchors)),
        "warnings": "; ".join(cal.warnings)}])
    return ModelOutputs(
        scenario=sc.name, seed=int(seed), snapshot_hash=digest, as_of=as_of, draws=int(draws),
        demand=demand, crossover=cross, crossover_summary=cross_summary, tornado=torn,
        hardware_fit=hw, backtest=cal.scorecard, drivers=table, training_history=history,
        trend=prep.trend.as_frame(), token_accounting=prep.token_table,
        provider_growth=prep.provider_growth, fleet=ctx.fleet,
        supply_check=supply.supply_check(demand, data.installed_base),
        calibration=cal.anchors, calibration_summary=summary,
        observed_series=observed_series(ctx, prep),
    )


def observed_series(ctx, prep) -> pd.DataFrame:
    """Per modelled year, the observations the engine stands on: disclosed tokens/day (levels),
    the rental price of an H100e-hour and the shipment-based installed base."""
    out = pd.DataFrame({"year": ctx.years.astype(int)})
    levels = prep.token_levels.rename(columns={"basis": "token_basis", "providers": "token_providers"})
    out = out.merge(levels, on="year", how="left")
    prices = prep.price_index.rename(columns={"basis": "price_basis", "listings": "price_listings",
                                              "index": "price_index"})
    out = out.merge(prices, on="year", how="left")
    stock = ctx.supply.drop(columns=["observed"], errors="ignore")
    out = out.merge(stock, on="year", how="left")
    return out


HEADLINE_SERIES = {("generative", "inference_share", "share_of_accelerator_hours"), ("all_ai", "installed", "gw")}


def run_headlines(inputs: ModelInputs, scenario=BASE_SCENARIO, as_of=None, seed: int = DEFAULT_SEED,
                  draws: int = DEFAULT_DRAWS, snapshot_hash: str | None = None,
                  series: set[tuple[str, str, str]] | None = HEADLINE_SERIES
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The calibrated Monte Carlo alone, for rebuilding a past month's headline figures cheaply:
    (demand, crossover_summary) as :func:`run_model` gives them - the demand rows of ``series``
    only (None: all) - without the tornado, the hardware table or the backtest scorecard."""
    as_of, sc, digest, prep, data = _prepare_run(inputs, scenario, as_of, draws, snapshot_hash, "run_headlines")
    demand, _, cross_summary, _, _ = montecarlo.run_monte_carlo(
        prep.context, prep.drivers, draws, seed, sc.name, digest, sc.correlations, data.published_splits,
        data.lab_compute_spend, prep.training_history, only=series)
    return demand, cross_summary
