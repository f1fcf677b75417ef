"""The Monte Carlo engine: every driver drawn at once, every year computed at once.

``draw_drivers`` draws a (draws x drivers) matrix of uniforms from a seeded numpy Generator and
maps each column through its driver's inverse CDF. ``simulate`` turns the driver arrays into
FLOP and accelerator-hours per bucket, shaped (years, draws), with no Python loop over draws.
``summarise`` gives P10/P50/P90 per year, bucket and unit in the pinned long format; ``crossover``
gives the distribution of the first year inference >= training, per unit.

Units in the long table: ``flop``, ``accelerator_hours`` (fleet-average chips), ``h100e``
(installed H100-equivalents), ``gw`` (installed power capacity incl. host and cooling), ``twh``
(energy used), ``usd`` (spend), ``tokens`` (inference buckets only) and, for the bucket
``inference_share``, ``share_of_flop``, ``share_of_accelerator_hours``, ``share_of_energy``,
``share_of_spend``. Totals per side are computed per draw, then summarised (P50 of a total is not
the sum of the buckets' P50s). Two more rows per year: ``total_unconstrained`` / ``h100e`` (installed
H100e the demand would need without the supply cap) and ``served_fraction`` / ``fraction`` (the
share of that demand the capped supply serves; 1 through the last observed year).
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from models import inference, resources, training
from models.config import DRIVERS, Scenario, Settings
from models.inputs import ModelInputs, to_date
from models.stats import quantiles_rows
from models.units import HOURS_PER_YEAR

TRAINING_BUCKETS = ("pretraining", "posttraining", "experiments", "synthetic_data")
INFERENCE_BUCKETS = ("internal_inference", "serving_chat", "serving_reasoning", "serving_agents")
BUCKETS = TRAINING_BUCKETS + INFERENCE_BUCKETS
UNITS = ("flop", "accelerator_hours", "h100e", "gw", "twh", "usd")
SHARE_UNITS = {"flop": "share_of_flop", "accelerator_hours": "share_of_accelerator_hours",
               "twh": "share_of_energy", "usd": "share_of_spend"}
CROSSOVER_UNITS = ("flop", "accelerator_hours", "usd")
DEMAND_COLUMNS = ["scenario", "seed", "snapshot_hash", "year", "bucket", "unit", "p10", "p50", "p90"]
CROSSOVER_COLUMNS = ["scenario", "seed", "snapshot_hash", "unit", "outcome", "year", "probability"]


def bucket_sides(synthetic_data_side: str) -> dict[str, str]:
    sides = {b: "training" for b in TRAINING_BUCKETS} | {b: "inference" for b in INFERENCE_BUCKETS}
    sides["synthetic_data"] = synthetic_data_side
    return sides


@dataclass
class Context:
    """Everything deterministic the engine needs, prepared once from the as-of data."""

    years: np.ndarray
    as_of: date
    train_anchor_year: int
    frontier_level: float
    hist_growth: float
    token_anchor: inference.TokenAnchor
    supply_anchor_year: int
    crossover_start_year: int
    fleet: pd.DataFrame
    settings: Settings
    synthetic_data_side: str
    train_peak: np.ndarray = field(init=False)
    serve_peak: np.ndarray = field(init=False)
    board_w: np.ndarray = field(init=False)
    h100e_per_chip: np.ndarray = field(init=False)

    def __post_init__(self):
        f = self.fleet.set_index("year").loc[list(self.years)]
        self.train_peak = f["train_peak_flop_per_s"].to_numpy(float)
        self.serve_peak = f["serve_peak_flop_per_s"].to_numpy(float)
        self.board_w = f["board_w"].to_numpy(float)
        self.h100e_per_chip = f["h100e_per_chip"].to_numpy(float)

    @property
    def sides(self) -> dict[str, str]:
        return bucket_sides(self.synthetic_data_side)


def last_complete_year(as_of: date) -> int:
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


@dataclass
class Prepared:
    """The context plus the tables the brief shows next to the numbers."""

    context: Context
    drivers: dict  # name -> effective Driver (fits applied)
    trend: training.TrendFit
    training_history: pd.DataFrame
    level_years: list[int]
    token_table: pd.DataFrame
    provider_growth: pd.DataFrame
    rental_fit: dict | None
    fit_notes: dict[str, str]


def prepare(inputs: ModelInputs, scenario: Scenario, as_of, years=None) -> Prepared:
    """Cut the inputs at ``as_of``, fit what is fitted, and build the engine's context."""
    as_of = to_date(as_of)
    data = inputs.as_of(as_of)
    st = scenario.settings
    if years is None:
        years = np.arange(st.history_start, scenario.horizon + 1)
    years = np.asarray(years, dtype=int)

    anchor_year = last_complete_year(as_of)
    trend = training.fit_frontier_trend(data.training_runs, st.frontier_top_n, st.trend_start_year,
                                        st.min_trend_points, end_year=anchor_year)
    drivers = dict(scenario.drivers)
    notes: dict[str, str] = {}
    g_driver = drivers["frontier_growth_per_year"]
    if getattr(g_driver, "fit", None) == "frontier_trend":
        if trend.ok:
            drivers["frontier_growth_per_year"] = g_driver.model_copy(
                update={"p10": trend.ci80[0], "p90": trend.ci80[1]})
            notes["frontier_growth_per_year"] = (
                f"fitted as of {as_of}: {trend.growth_per_year:.2f}x/yr on {trend.n} frontier runs "
                f"{trend.first_year}-{trend.last_year}, 80% CI {trend.ci80[0]:.2f}-{trend.ci80[1]:.2f}, "
                f"90% CI {trend.ci90[0]:.2f}-{trend.ci90[1]:.2f}")
        else:
            notes["frontier_growth_per_year"] = f"fit not possible ({trend.message}); scenario fallback used"
    hist_growth = trend.growth_per_year if trend.ok else drivers["frontier_growth_per_year"].quantiles()[1]

    rental_fit = resources.rental_price_fit(data.rental_prices, st.reference_accelerator_id)
    p_driver = drivers["usd_per_h100e_hour"]
    if getattr(p_driver, "fit", None) == "rental_prices":
        if rental_fit is not None:
            drivers["usd_per_h100e_hour"] = p_driver.model_copy(
                update={"p10": rental_fit["p10"], "p90": rental_fit["p90"]})
            notes["usd_per_h100e_hour"] = (
                f"fitted as of {as_of} on {rental_fit['n']} {st.reference_accelerator_id} listings "
                f"(${rental_fit['min']:.2f}-${rental_fit['max']:.2f}/h): P10 ${rental_fit['p10']:.2f}, "
                f"P90 ${rental_fit['p90']:.2f}")
        else:
            notes["usd_per_h100e_hour"] = "fewer than 3 listings as of the date; scenario fallback used"

    history = training.training_history(data.training_runs, st.frontier_top_n)
    level, level_years = training.frontier_level(history, anchor_year, hist_growth, st.trend_level_years)

    table = inference.token_accounting(data.token_volumes, scenario.token_accounting)
    anchor, table = inference.token_anchor(table, as_of, st.max_staleness_years)
    if not anchor.has_data:
        notes["anchor_tokens_per_day_fallback"] = f"used: no usable token disclosure as of {as_of}"

    fleet = resources.fleet_mix(data.accelerators, years, as_of.year, st)
    supply_anchor = min(max(anchor_year, int(years[0])), int(years[-1]))
    series = table[table["status"].isin(["series", "anchor"])]
    first_obs = int(np.floor(series["mid_year"].min())) if len(series) else int(np.floor(anchor.t0))
    crossover_start = min(max(first_obs, int(years[0])), int(years[-1]))
    ctx = Context(years=years, as_of=as_of, train_anchor_year=anchor_year, frontier_level=level,
                  hist_growth=hist_growth, token_anchor=anchor, supply_anchor_year=supply_anchor,
                  crossover_start_year=crossover_start,
                  fleet=fleet, settings=st,
                  synthetic_data_side=scenario.synthetic_data_side)
    return Prepared(ctx, drivers, trend, history, level_years, table,
                    inference.provider_growth(table), rental_fit, notes)


def draw_drivers(drivers: dict, draws: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """All drivers at once: a (draws x drivers) uniform matrix, each column through its
    driver's inverse CDF. Column order is the registry's, so a seed means the same thing for
    every scenario."""
    names = list(DRIVERS)
    u = rng.random((draws, len(names)))
    np.clip(u, 1e-12, 1.0 - 1e-12, out=u)
    ut = np.ascontiguousarray(u.T)
    return {name: np.asarray(drivers[name].ppf(ut[i]), dtype=float) for i, name in enumerate(names)}


def point_drivers(drivers: dict, quantile: float = 0.5) -> dict[str, np.ndarray]:
    """Every driver at one quantile (one 'draw')."""
    return {name: np.asarray(drivers[name].ppf(np.array([quantile])), dtype=float) for name in DRIVERS}


@dataclass
class Paths:
    """Per-bucket FLOP, accelerator-hours and tokens, (years, draws), plus the draws themselves."""

    ctx: Context
    d: dict[str, np.ndarray]
    flop: dict[str, np.ndarray]
    hours: dict[str, np.ndarray]
    tokens: dict[str, np.ndarray]
    demand_h100e: np.ndarray  # installed H100e before the supply cap, all buckets
    served_fraction: np.ndarray  # share of demand served under the supply cap (1 = unconstrained)
    _price_cache: np.ndarray | None = None

    @property
    def years(self) -> np.ndarray:
        return self.ctx.years

    def _price(self) -> np.ndarray:
        k = (self.ctx.years - self.ctx.as_of.year)[:, None].astype(float)
        decline = self.d["hardware_cost_efficiency_growth_per_year"][None, :] ** (-k)
        if self.ctx.settings.spend_basis == "rental":
            return self.d["usd_per_h100e_hour"][None, :] * decline
        per_hour = self.d["capex_usd_per_h100e"] / (
            self.d["amortisation_years"] * HOURS_PER_YEAR * self.d["fleet_availability"])
        return per_hour[None, :] * decline

    def unit(self, bucket: str, unit: str) -> np.ndarray:
        """One bucket in one unit, (years, draws)."""
        if unit == "flop":
            return self.flop[bucket]
        if unit == "tokens":
            return self.tokens[bucket]
        h = self.hours[bucket]
        d, c = self.d, self.ctx
        if unit == "accelerator_hours":
            return h
        if unit == "h100e":
            return resources.installed(h, d["fleet_availability"]) * c.h100e_per_chip[:, None]
        if unit == "gw":
            return resources.power_gw(resources.installed(h, d["fleet_availability"]), c.board_w,
                                      d["server_overhead"], d["pue"])
        load = d["training_load_factor"] if bucket in resources.TRAINING_SHAPED else d["serving_load_factor"]
        if unit == "twh":
            return resources.energy_twh(h, c.board_w, load, d["server_overhead"], d["pue"])
        if unit == "usd":
            if self._price_cache is None:
                self._price_cache = self._price()
            spend = h * c.h100e_per_chip[:, None] * self._price_cache
            if c.settings.spend_basis == "tco":
                kwh = resources.energy_twh(h, c.board_w, load, d["server_overhead"], d["pue"]) * 1e9
                spend = spend + kwh * d["electricity_usd_per_kwh"][None, :]
            return spend
        raise KeyError(unit)

    def side_totals(self, unit: str) -> tuple[np.ndarray, np.ndarray]:
        """(training, inference) totals in ``unit``, (years, draws) each."""
        sides = self.ctx.sides
        tr = sum(self.unit(b, unit) for b in BUCKETS if sides[b] == "training")
        inf = sum(self.unit(b, unit) for b in BUCKETS if sides[b] == "inference")
        return tr, inf

    def inference_share(self, unit: str) -> np.ndarray:
        tr, inf = self.side_totals(unit)
        return inf / (tr + inf)


def simulate(ctx: Context, d: dict[str, np.ndarray]) -> Paths:
    """FLOP and accelerator-hours per bucket for every year and draw (see the module docstrings
    of training, inference and resources for the formulas)."""
    st = ctx.settings
    years = ctx.years
    frontier = training.frontier_path(years, ctx.train_anchor_year, ctx.frontier_level,
                                      ctx.hist_growth, d["frontier_growth_per_year"])
    post = training.post_training_share(years, d["post_training_share_2024"],
                                        d["post_training_share_gain_per_year"], st.post_training_share_cap)
    runs = training.run_equivalents_path(years, ctx.train_anchor_year, d["largest_run_equivalents"],
                                         d["largest_run_equivalents_change_per_year"])
    flop = training.training_buckets(frontier, runs, post, d["rd_to_final_ratio"],
                                     d["synthetic_data_ratio"])
    rd = flop["pretraining"] + flop["posttraining"] + flop["experiments"]

    A = ctx.token_anchor.anchor_year
    mix = inference.query_mix(years, A, d, st.agent_share_cap)
    tpq_anchor = sum(inference.query_mix([A], A, d, st.agent_share_cap).values())[0]
    served = inference.served_tokens(years, ctx.token_anchor, d, mix, tpq_anchor)
    fpt = inference.flop_per_token(years, A, d, st.max_served_active_params)
    internal = inference.internal_ratio_path(years, A, d["internal_inference_ratio"],
                                             d["internal_inference_growth_per_year"])
    inf_flop, tokens = inference.inference_buckets(served, mix, fpt, rd, internal)
    flop.update(inf_flop)

    hours = {}
    for b in BUCKETS:
        if b in resources.TRAINING_SHAPED:
            hours[b] = resources.accelerator_hours(flop[b], ctx.train_peak, d["training_mfu"])
        else:
            hours[b] = resources.accelerator_hours(flop[b], ctx.serve_peak, d["serving_utilisation"])
    demand_h100e = sum(hours.values()) * ctx.h100e_per_chip[:, None] / (
        HOURS_PER_YEAR * d["fleet_availability"][None, :])
    scale = np.ones_like(demand_h100e)
    if st.supply_constrained:
        scale = supply_scale(demand_h100e, ctx.years, ctx.supply_anchor_year, d["supply_growth_per_year"])
        for table in (flop, hours, tokens):
            for b in table:
                table[b] = table[b] * scale
    return Paths(ctx, d, flop, hours, tokens, demand_h100e, scale)


def supply_scale(demand: np.ndarray, years: np.ndarray, anchor_year: int, growth) -> np.ndarray:
    """Share of demand served, (years, draws): 1 through the anchor year; after it,
    min(1, supply / demand) with supply = demand(anchor) x growth ** (y - anchor)."""
    years = np.asarray(years)
    if anchor_year < years[0]:
        raise ValueError(f"supply anchor year {anchor_year} is before the first modelled year")
    if anchor_year > years[-1]:
        return np.ones_like(demand)
    base = demand[int(np.nonzero(years == anchor_year)[0][0])][None, :]
    k = np.maximum((years - anchor_year)[:, None].astype(float), 0.0)
    supply = base * np.asarray(growth)[None, :] ** k
    return np.where(k > 0, np.minimum(1.0, supply / demand), 1.0)


def summarise(paths: Paths, scenario: str, seed: int, snapshot_hash: str) -> pd.DataFrame:
    """P10/P50/P90 per year, bucket and unit, in the pinned long format."""
    sides = paths.ctx.sides
    series: list[tuple[str, str, np.ndarray]] = []
    for unit in UNITS:
        tr = inf = None
        for b in BUCKETS:
            v = paths.unit(b, unit)
            series.append((b, unit, v))
            if sides[b] == "training":
                tr = v if tr is None else tr + v
            else:
                inf = v if inf is None else inf + v
        total = tr + inf
        series += [("training_total", unit, tr), ("inference_total", unit, inf), ("total", unit, total)]
        if unit in SHARE_UNITS:
            series.append(("inference_share", SHARE_UNITS[unit], inf / total))
    series.append(("total_unconstrained", "h100e", paths.demand_h100e))
    series.append(("served_fraction", "fraction", paths.served_fraction))
    tok_total = None
    for b in INFERENCE_BUCKETS:
        series.append((b, "tokens", paths.tokens[b]))
        tok_total = paths.tokens[b] if tok_total is None else tok_total + paths.tokens[b]
    series.append(("inference_total", "tokens", tok_total))

    years = paths.ctx.years
    ny = len(years)
    stacked = np.concatenate([v for _, _, v in series], axis=0)  # (series * years, draws)
    q = quantiles_rows(stacked)
    n = len(series)
    return pd.DataFrame({
        "scenario": scenario,
        "seed": int(seed),
        "snapshot_hash": snapshot_hash,
        "year": np.tile(years, n).astype(int),
        "bucket": np.repeat([b for b, _, _ in series], ny),
        "unit": np.repeat([u for _, u, _ in series], ny),
        "p10": q[0], "p50": q[1], "p90": q[2],
    }, columns=DEMAND_COLUMNS)


def crossover_years(paths: Paths, unit: str) -> np.ndarray:
    """Per draw, the first year from ``ctx.crossover_start_year`` on with inference >= training
    in ``unit``; 0 = not by the horizon."""
    years = paths.ctx.years
    start = int(np.searchsorted(years, paths.ctx.crossover_start_year))
    tr, inf = paths.side_totals(unit)
    crossed = (inf >= tr)[start:]
    first = np.argmax(crossed, axis=0)
    any_ = crossed.any(axis=0)
    return np.where(any_, years[start:][first], 0)


def crossover(paths: Paths, scenario: str, seed: int,
              snapshot_hash: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The crossover-year distribution per unit, and its P10/P50/P90 summary.

    The search starts at ``ctx.crossover_start_year``: the first year with observed token
    volumes (earlier inference is a back-cast, not an observation). Outcomes: ``in_year`` (the
    first year inference >= training), ``by_first_year`` (already true in the start year) and
    ``not_by_horizon``.
    """
    rows, summary = [], []
    years = paths.ctx.years
    years = years[years >= paths.ctx.crossover_start_year]
    for unit in CROSSOVER_UNITS:
        first = crossover_years(paths, unit)
        n = first.size
        never = first == 0
        if never.any():
            rows.append((unit, "not_by_horizon", None, float(never.mean())))
        at_start = first == years[0]
        if at_start.any():
            rows.append((unit, "by_first_year", int(years[0]), float(at_start.mean())))
        for y in years[1:]:
            hit = first == y
            if hit.any():
                rows.append((unit, "in_year", int(y), float(hit.mean())))
        finite = np.where(never, np.inf, first.astype(float))
        qs = np.quantile(finite, [0.1, 0.5, 0.9], method="inverted_cdf")
        summary.append({
            "scenario": scenario, "seed": int(seed), "snapshot_hash": snapshot_hash, "unit": unit,
            "p10": None if np.isinf(qs[0]) else int(qs[0]),
            "p50": None if np.isinf(qs[1]) else int(qs[1]),
            "p90": None if np.isinf(qs[2]) else int(qs[2]),
            "probability_by_horizon": float(1.0 - never.mean()), "draws": int(n),
        })
    dist = pd.DataFrame(rows, columns=["unit", "outcome", "year", "probability"])
    dist.insert(0, "snapshot_hash", snapshot_hash)
    dist.insert(0, "seed", int(seed))
    dist.insert(0, "scenario", scenario)
    dist["year"] = dist["year"].astype("Int64")
    summ = pd.DataFrame(summary)
    for col in ("p10", "p50", "p90"):
        summ[col] = summ[col].astype("Int64")
    return dist[CROSSOVER_COLUMNS], summ


def run_monte_carlo(ctx: Context, drivers: dict, draws: int, seed: int, scenario: str,
                    snapshot_hash: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Paths]:
    """Draw, simulate, summarise: (demand, crossover, crossover_summary, paths)."""
    if draws < 2:
        raise ValueError("draws must be at least 2")
    rng = np.random.default_rng(seed)
    d = draw_drivers(drivers, draws, rng)
    paths = simulate(ctx, d)
    demand = summarise(paths, scenario, seed, snapshot_hash)
    dist, summ = crossover(paths, scenario, seed, snapshot_hash)
    return demand, dist, summ, paths
