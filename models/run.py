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

from models import backtest, hardware, montecarlo, sensitivity, supply
from models.config import DRIVERS, Scenario, load_scenario
from models.inputs import ModelInputs, to_date

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20240101
MIN_DRAWS = 100

METHODOLOGY = """\
Scope. Compute for large AI models: training of notable and frontier models (pre-training,
post-training, experiments, synthetic data and RL rollouts) and generative inference measured in
tokens (external serving split into chat, reasoning and agents, plus labs' internal inference).
Recommendation, search and ads-ranking inference are outside the token data and outside the model.

Training. Frontier = the top-10 training runs per year in fct_training_runs (as of the brief's
date, through the last complete year). The growth factor is a log-linear fit of log10(FLOP) on
publication date; its 80% interval is the P10-P90 of the growth driver. The level is the largest
run of the last three complete years, detrended (the statistic least sensitive to how complete
the run list is). Industry pre-training = largest run x largest_run_equivalents (the 'runs per
year' multiplier, falling by largest_run_equivalents_change_per_year after the last complete year
as the largest runs outgrow the industry); post-training by a rising share of final runs;
experiments and synthetic data as multiples of final runs (rd_to_final_ratio,
synthetic_data_ratio).

Inference. Tokens/day at the latest usable disclosure date = sum of the disclosing providers'
latest figures (peaks, words, routers and double counts removed; each carried to that date at the
historical token growth) / disclosed_coverage. Disclosed counts already include reasoning and agent
tokens, so the projection grows queries and the *relative* tokens per query (reasoning share x
reasoning-token multiplier, agent share x calls per task); observed volumes are never multiplied
again. FLOP per token = 2 x served active parameters x (1 + attention coefficient x mean context).
Before the anchor year tokens are back-cast at token_growth_history_per_year.

Resources. Accelerator-hours = FLOP / (fleet-average dense peak x utilisation): BF16 at training
MFU for training-shaped buckets; FP8 (where the chip has it) at serving utilisation for
inference-shaped ones, synthetic data included - hence inference's share of hours exceeds its share
of FLOP. The fleet is the purchase-weighted mix of data-centre chips from dim_accelerator with a
one-year deployment lag and a four-year life; vendor weights are an assumption. Installed H100e =
H100e-hours / (8,760 x availability). Energy = hours x board W x load x server overhead x PUE;
power capacity = installed chips x board W x overhead x PUE. Spend = H100e-hours x the rental price
of an H100-hour (fitted to fct_rental_prices), falling with hardware cost efficiency; on the rental
basis spend shares equal accelerator-hour shares. After the last complete year installed H100e
cannot grow faster than supply_growth_per_year; demand above it is served pro rata, which changes
levels but not shares or crossover years.

Synthetic data and RL rollouts are counted as training by default (Epoch counts them as R&D);
the scenario switch synthetic_data_side: inference moves the bucket, since published figures
disagree exactly there. Every output is also given per bucket, so other definitions can be rebuilt.

Uncertainty. Every driver is drawn at once (seeded numpy Generator, one uniform matrix of
draws x drivers mapped through each driver's inverse CDF); outputs are P10/P50/P90 per year,
bucket and unit. The crossover year is the first year inference >= training in a unit, searched
from the first year with observed token volumes (earlier inference is a back-cast); 'not by
horizon' is an outcome. The tornado moves one driver to its P10 and P90 with the rest at P50.

Backtest. Each published split is mapped to the quantity it measures (energy, new capacity, spend
at lab scope, power capacity, accelerator-hours) and compared without tuning. Expected misses: the
Google 2019-21 energy split and Meta 2021 capacity split are recommendation-era inference outside
the token scope, and NVIDIA's FY2024 inference revenue includes non-generative inference while the
model back-casts 2023 generative inference from 2024-25 disclosures - the model is well below all
three (Google and Meta by 50-65 share points, outside the model's P10-P90). On the bundled snapshot
every scored row sits below its published figure: before 2025 the model's inference share is low,
partly by scope and partly because 2023-24 generative inference is a back-cast, and its P10-P90 is
wide there. The OpenAI rows share a source with rd_to_final_ratio, so agreement there is not
independent; Deloitte's shares are analyst estimates without a published method.

Check against the installed base. The installed H100e the model needs is set beside the stock
that was actually shipped and deployed (fct_installed_base: shipment figures from company
disclosures, analysts and Epoch AI, a one-quarter deployment lag and 4-7 year retirement, in the
vintage the brief's date could know), for every year the stock covers in full. Their ratio is the
implied utilisation of the observed fleet by the modelled demand. This model derives its fleet from
demand and does not yet take the observed stock as its supply: a ratio well below the
utilisation fleets run at means its demand scope (generative workloads) leaves much of the
installed base unexplained - recommendation, vision and enterprise ML, idle and ramping capacity -
or that its demand is too low. The check is reported, not tuned away.

Known limits. Notable-run lists lag (FLOP figures for the newest frontier models arrive late or
never), so the level averages three detrended years, and the fitted growth itself depends on the
list (lower with the bundled snapshot alone than with Epoch's notable models added);
disclosed_coverage changes meaning as providers start or stop disclosing, and each provider counts
with its latest row only (a provider disclosing products separately is under-counted); vendor
shipment weights are assumed, not observed; spend on the rental basis ignores the gap between list
prices and contract prices beyond the fitted range.
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
    (see :meth:`tables`)."""

    scenario: str
    seed: int
    snapshot_hash: str
    as_of: date
    draws: int
    demand: pd.DataFrame
    crossover: pd.DataFrame
    crossover_summary: pd.DataFrame
    tornado: pd.DataFrame
    hardware_fit: pd.DataFrame
    backtest: pd.DataFrame
    drivers: pd.DataFrame
    training_history: pd.DataFrame
    trend: pd.DataFrame
    token_accounting: pd.DataFrame
    provider_growth: pd.DataFrame
    fleet: pd.DataFrame
    supply_check: pd.DataFrame
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


def run_model(inputs: ModelInputs, scenario="base", as_of=None, seed: int = DEFAULT_SEED,
              draws: int = DEFAULT_DRAWS, snapshot_hash: str | None = None,
              tornado_year: int | None = None) -> ModelOutputs:
    """Run the demand model for ``as_of`` (only rows dated on or before it are used).

    ``scenario``: a Scenario, a bundled name (base, bear, bull) or a YAML path (overriding base).
    ``snapshot_hash``: the input snapshot hash stamped on every row (default: a hash of the
    input frames). ``tornado_year``: default the scenario's settings.tornado_year, else horizon.
    """
    if as_of is None:
        raise ValueError("run_model needs an as_of date (the as-of rule)")
    if draws < MIN_DRAWS:
        raise ValueError(f"draws must be at least {MIN_DRAWS} (the product uses >= 10,000)")
    as_of = to_date(as_of)
    sc = _scenario(scenario)
    digest = snapshot_hash or inputs_hash(inputs)
    prep = montecarlo.prepare(inputs, sc, as_of)
    ctx = prep.context
    demand, cross, cross_summary, paths = montecarlo.run_monte_carlo(
        ctx, prep.drivers, draws, seed, sc.name, digest)
    year = tornado_year or sc.settings.tornado_year or sc.horizon
    torn = sensitivity.tornado(ctx, prep.drivers, sc, year, digest)
    data = inputs.as_of(as_of)
    hw = hardware.hardware_fit(data.accelerators, data.rental_prices, sc.settings.serving_precision)
    score = backtest.scorecard(paths, data.published_splits, sc.name, seed, digest)
    table = drivers_table(sc, prep.drivers, prep.fit_notes, ctx.token_anchor.has_data, seed, digest)
    history = prep.training_history.copy()
    history["in_trend_level"] = history["year"].isin(prep.level_years)
    return ModelOutputs(
        scenario=sc.name, seed=int(seed), snapshot_hash=digest, as_of=as_of, draws=int(draws),
        demand=demand, crossover=cross, crossover_summary=cross_summary, tornado=torn,
        hardware_fit=hw, backtest=score, drivers=table, training_history=history,
        trend=prep.trend.as_frame(), token_accounting=prep.token_table,
        provider_growth=prep.provider_growth, fleet=ctx.fleet,
        supply_check=supply.supply_check(demand, data.installed_base),
    )
