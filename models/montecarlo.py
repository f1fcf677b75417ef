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

from models import capex, inference, resources, supply, training
from models.config import DRIVERS, Scenario, Settings
from models.inputs import ModelInputs, to_date
from models.stats import quantiles_rows
from models.units import HOURS_PER_YEAR, SECONDS_PER_HOUR

TRAINING_BUCKETS = ("pretraining", "posttraining", "experiments", "synthetic_data")
INFERENCE_BUCKETS = ("internal_inference", "serving_chat", "serving_reasoning", "serving_agents")
BUCKETS = TRAINING_BUCKETS + INFERENCE_BUCKETS
UNITS = ("flop", "accelerator_hours", "h100e", "gw", "twh", "usd")
SHARE_UNITS = {"flop": "share_of_flop", "accelerator_hours": "share_of_accelerator_hours",
               "twh": "share_of_energy", "usd": "share_of_spend"}
CROSSOVER_UNITS = ("flop", "accelerator_hours", "usd")
DEMAND_COLUMNS = ["scenario", "seed", "snapshot_hash", "year", "bucket", "unit", "p10", "p50", "p90",
                  "scope"]
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
    supply: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=supply.SUPPLY_COLUMNS))
    token_levels: pd.DataFrame | None = None
    usage_observed_through: int = 0
    price_index: np.ndarray | None = None  # per year, price / as-of price (NaN: not observed)
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
        self.w_per_h100e = self.board_w / self.h100e_per_chip
        if self.price_index is None:
            self.price_index = np.full(len(self.years), np.nan)

    @property
    def observed_years(self) -> np.ndarray:
        if self.supply is None or self.supply.empty:
            return np.array([], dtype=int)
        ys = self.supply["year"].to_numpy(int)
        return ys[np.isin(ys, self.years)]

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
    token_levels: pd.DataFrame
    price_index: pd.DataFrame
    correlations: object = None


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
    fitted_component = next((c.name for c in getattr(g_driver, "components", []) or []
                             if getattr(c, "fit", None) == "frontier_trend"), None)
    if getattr(g_driver, "fit", None) == "frontier_trend" or fitted_component:
        if trend.ok:
            if fitted_component:
                drivers["frontier_growth_per_year"] = g_driver.with_component(
                    fitted_component, p10=trend.ci80[0], p90=trend.ci80[1])
            else:
                drivers["frontier_growth_per_year"] = g_driver.model_copy(
                    update={"p10": trend.ci80[0], "p90": trend.ci80[1]})
            notes["frontier_growth_per_year"] = (
                f"fitted as of {as_of}: {trend.growth_per_year:.2f}x/yr on {trend.n} frontier runs "
                f"{trend.first_year}-{trend.last_year}, 80% CI {trend.ci80[0]:.2f}-{trend.ci80[1]:.2f}, "
                f"90% CI {trend.ci90[0]:.2f}-{trend.ci90[1]:.2f}")
        else:
            notes["frontier_growth_per_year"] = f"fit not possible ({trend.message}); scenario fallback used"
    hist_growth = trend.growth_per_year if trend.ok else drivers["frontier_growth_per_year"].quantiles()[1]

    recent = resources.recent_rental_prices(data.rental_prices, as_of)
    rental_fit = resources.rental_price_fit(recent, st.reference_accelerator_id)
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
    levels = inference.token_levels(table, as_of)
    usage_through = int(levels["year"].max()) if len(levels) else anchor.anchor_year
    index = resources.rental_price_index(data.rental_prices, data.accelerators, years, as_of,
                                         st.reference_accelerator_id)
    ctx = Context(years=years, as_of=as_of, train_anchor_year=anchor_year, frontier_level=level,
                  hist_growth=hist_growth, token_anchor=anchor, supply_anchor_year=supply_anchor,
                  crossover_start_year=crossover_start,
                  fleet=fleet, settings=st,
                  synthetic_data_side=scenario.synthetic_data_side,
                  supply=supply.supply_basis(data.installed_base), token_levels=levels,
                  usage_observed_through=usage_through, price_index=index["index"].to_numpy(float))
    return Prepared(ctx, drivers, trend, history, level_years, table,
                    inference.provider_growth(table), rental_fit, notes, levels, index,
                    scenario.correlations)


def draw_drivers(drivers: dict, draws: int, rng: np.random.Generator,
                 correlations=None) -> dict[str, np.ndarray]:
    """All drivers at once: a (draws x drivers) uniform matrix, tied through the scenario's named
    factors (a Gaussian copula, :mod:`models.factors`), each column through its driver's inverse
    CDF. Column order is the registry's, so a seed means the same thing for every scenario."""
    names = list(DRIVERS)
    u = rng.random((draws, len(names)))
    np.clip(u, 1e-12, 1.0 - 1e-12, out=u)
    if correlations is not None and getattr(correlations, "factors", None):
        from models.factors import correlate_uniforms

        u = correlate_uniforms(u, names, correlations, rng)
        np.clip(u, 1e-12, 1.0 - 1e-12, out=u)
    ut = np.ascontiguousarray(u.T)
    return {name: np.asarray(drivers[name].ppf(ut[i]), dtype=float) for i, name in enumerate(names)}


def point_drivers(drivers: dict, quantile: float = 0.5) -> dict[str, np.ndarray]:
    """Every driver at one quantile (one 'draw')."""
    return {name: np.asarray(drivers[name].ppf(np.array([quantile])), dtype=float) for name in DRIVERS}


@dataclass
class Paths:
    """Served FLOP, accelerator-hours and tokens per generative bucket, (years, draws), the
    non-generative AI work and the installed stock, plus the draws themselves.

    ``flop``/``hours``/``tokens`` are what the fleet serves (demand x the bucket's served
    fraction); ``demand_hours`` is the generative demand before allocation.
    """

    ctx: Context
    d: dict[str, np.ndarray]
    flop: dict[str, np.ndarray]
    hours: dict[str, np.ndarray]
    tokens: dict[str, np.ndarray]
    demand_hours: dict[str, np.ndarray]
    served: dict[str, np.ndarray]  # per bucket, share of its demand served (1 = all)
    other_hours: dict[str, np.ndarray]  # other_ai training / inference accelerator-hours
    stock_h100e: np.ndarray  # installed H100e (observed years: the shipment-based stock)
    demand_h100e: np.ndarray  # installed H100e the generative + other AI demand would need
    served_fraction: np.ndarray  # served / demand, all generative buckets
    _price_cache: dict = field(default_factory=dict)

    @property
    def years(self) -> np.ndarray:
        return self.ctx.years

    def _price(self, side: str) -> np.ndarray:
        if side not in self._price_cache:
            c, d = self.ctx, self.d
            k = (c.years - c.as_of.year)[:, None].astype(float)
            decline = d["hardware_cost_efficiency_growth_per_year"][None, :] ** (-k)
            index = np.where(np.isnan(c.price_index)[:, None], decline, c.price_index[:, None])
            if c.settings.spend_basis == "rental":
                base = d["usd_per_h100e_hour"][None, :] * index
            else:
                per_hour = d["capex_usd_per_h100e"] / (
                    d["amortisation_years"] * HOURS_PER_YEAR * d["fleet_availability"])
                base = per_hour[None, :] * decline
            ratio = d["training_price_ratio"] if side == "training" else d["serving_price_ratio"]
            self._price_cache[side] = base * ratio[None, :]
        return self._price_cache[side]

    def _hours(self, bucket: str) -> np.ndarray:
        if bucket in self.hours:
            return self.hours[bucket]
        if bucket in self.other_hours:
            return self.other_hours[bucket]
        raise KeyError(bucket)

    def unit(self, bucket: str, unit: str) -> np.ndarray:
        """One bucket in one unit, (years, draws). Buckets: the eight generative ones,
        ``other_ai_training``, ``other_ai_inference`` and ``idle_or_ramping`` (h100e, gw only)."""
        d, c = self.d, self.ctx
        if bucket == "idle_or_ramping":
            idle = self.idle_h100e()
            if unit == "h100e":
                return idle
            if unit == "gw":
                return resources.h100e_to_gw(idle, c.w_per_h100e, d["server_overhead"], d["pue"])
            return np.zeros_like(idle)
        if unit == "flop":
            if bucket in self.flop:
                return self.flop[bucket]
            raise KeyError(f"{bucket}: no FLOP for non-generative work")
        if unit == "tokens":
            return self.tokens[bucket]
        h = self._hours(bucket)
        if unit == "accelerator_hours":
            return h
        if unit == "h100e":
            return resources.installed(h, d["fleet_availability"]) * c.h100e_per_chip[:, None]
        if unit == "gw":
            return resources.h100e_to_gw(
                resources.installed(h, d["fleet_availability"]) * c.h100e_per_chip[:, None],
                c.w_per_h100e, d["server_overhead"], d["pue"])
        training_shaped = bucket in resources.TRAINING_SHAPED or bucket == "other_ai_training"
        load = d["training_load_factor"] if training_shaped else d["serving_load_factor"]
        if unit == "twh":
            return resources.energy_twh(h, c.board_w, load, d["server_overhead"], d["pue"])
        if unit == "usd":
            side = "training" if bucket in TRAINING_BUCKETS or bucket == "other_ai_training" else "inference"
            spend = h * c.h100e_per_chip[:, None] * self._price(side)
            if c.settings.spend_basis == "tco":
                kwh = resources.energy_twh(h, c.board_w, load, d["server_overhead"], d["pue"]) * 1e9
                spend = spend + kwh * d["electricity_usd_per_kwh"][None, :]
            return spend
        raise KeyError(unit)

    def used_h100e(self) -> np.ndarray:
        """Installed H100e allocated to work (generative served + other AI), (years, draws)."""
        hours = sum(self.hours.values()) + sum(self.other_hours.values())
        return resources.installed(hours, self.d["fleet_availability"]) * self.ctx.h100e_per_chip[:, None]

    def idle_h100e(self) -> np.ndarray:
        return np.maximum(self.stock_h100e - self.used_h100e(), 0.0)

    def utilisation(self) -> np.ndarray:
        """Allocated / installed H100e (above 1: the demand needs more than the stock holds)."""
        return self.used_h100e() / self.stock_h100e

    def capex(self) -> capex.Capex:
        """Purchases, power added and capex by layer, (years, draws) (:mod:`models.capex`)."""
        if "capex" not in self._price_cache:
            c = self.ctx
            start = capex.first_purchase_index(c.years, c.supply["year"] if len(c.supply) else [])
            self._price_cache["capex"] = capex.capex_paths(
                c.years, self.stock_h100e, c.w_per_h100e, self.d, c.settings.retirement_life_years,
                c.settings.capex_reference_year, start)
        return self._price_cache["capex"]

    def side_buckets(self, scope: str = "generative") -> tuple[list[str], list[str]]:
        sides = self.ctx.sides
        tr = [b for b in BUCKETS if sides[b] == "training"]
        inf = [b for b in BUCKETS if sides[b] == "inference"]
        if scope == "all_ai":
            return tr + ["other_ai_training"], inf + ["other_ai_inference"]
        if scope != "generative":
            raise KeyError(scope)
        return tr, inf

    def side_totals(self, unit: str, scope: str = "generative") -> tuple[np.ndarray, np.ndarray]:
        """(training, inference) totals in ``unit``, (years, draws) each."""
        tr_b, inf_b = self.side_buckets(scope)
        return sum(self.unit(b, unit) for b in tr_b), sum(self.unit(b, unit) for b in inf_b)

    def inference_share(self, unit: str, scope: str = "generative") -> np.ndarray:
        tr, inf = self.side_totals(unit, scope)
        return inf / (tr + inf)

    def subset(self, idx: np.ndarray) -> "Paths":
        """The paths of the draws ``idx`` (e.g. a calibrated resample)."""
        def take(table):
            return {k: v[:, idx] for k, v in table.items()}
        return Paths(self.ctx, {k: v[idx] for k, v in self.d.items()}, take(self.flop),
                     take(self.hours), take(self.tokens), take(self.demand_hours), take(self.served),
                     take(self.other_hours), self.stock_h100e[:, idx], self.demand_h100e[:, idx],
                     self.served_fraction[:, idx])


def _serving_hours_per_flop(ctx: Context, d: dict) -> tuple[np.ndarray, np.ndarray]:
    """Accelerator-hours per FLOP of external serving, (years, draws), and the share of processed
    tokens that cost compute. Prefill of uncached input runs at ``prefill_utilisation``, decode at
    ``decode_utilisation`` (both of the dense BF16 peak, the basis their sources use); capacity
    is provisioned for the peak hour (``serving_peak_to_average``)."""
    inp, hit = d["input_token_share"], d["prefix_cache_hit_share"]
    prefill = inp * (1.0 - hit)
    decode = 1.0 - inp
    computed = prefill + decode
    per_flop = (prefill / d["prefill_utilisation"] + decode / d["decode_utilisation"]) / computed
    per_flop = per_flop * d["serving_peak_to_average"]
    hours = per_flop[None, :] / (ctx.train_peak[:, None] * SECONDS_PER_HOUR)
    return hours, computed


def simulate(ctx: Context, d: dict[str, np.ndarray]) -> Paths:
    """Generative demand per bucket, the installed stock and the allocation, for every year and
    draw (formulas: the module docstrings of training, inference, resources and supply)."""
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
    served_tok = inference.served_tokens(years, ctx.token_anchor, d, mix, tpq_anchor,
                                         ctx.token_levels)
    fpt = inference.flop_per_token(years, A, d, st.max_served_active_params)
    internal = inference.internal_ratio_path(years, A, d["internal_inference_ratio"],
                                             d["internal_inference_growth_per_year"])
    serve_hpf, computed = _serving_hours_per_flop(ctx, d)
    inf_flop, tokens = inference.inference_buckets(served_tok, mix, fpt * computed[None, :], rd, internal)
    flop.update(inf_flop)

    hours = {}
    for b in BUCKETS:
        if b in resources.TRAINING_SHAPED:
            hours[b] = resources.accelerator_hours(flop[b], ctx.train_peak, d["training_mfu"])
        elif b in inference.SERVING_BUCKETS:
            hours[b] = flop[b] * serve_hpf
        else:  # synthetic data, internal inference: batch decode, no peak provisioning
            hours[b] = resources.accelerator_hours(flop[b], ctx.train_peak, d["decode_utilisation"])

    result = supply.allocate(
        years, hours, ctx.sides, inference.SERVING_BUCKETS, ctx.h100e_per_chip, ctx.w_per_h100e,
        ctx.supply, ctx.usage_observed_through, d, st.retirement_life_years,
        d["training_floor_share"], st.other_ai_reference_year)
    served_flop = {b: flop[b] * result.served[b] for b in BUCKETS}
    served_hours = {b: hours[b] * result.served[b] for b in BUCKETS}
    served_tokens = {b: tokens[b] * result.served[b] for b in tokens}
    return Paths(ctx, d, served_flop, served_hours, served_tokens, hours, result.served,
                 result.other_hours, result.stock_h100e, result.demand_h100e, result.served_fraction)


ALL_AI_UNITS = ("accelerator_hours", "h100e", "gw", "twh", "usd")
SUMMARY_CHUNK = 24  # series summarised per block (memory: chunk x years x draws floats)


def _series(paths: Paths) -> list[tuple[str, str, str, np.ndarray]]:
    """(scope, bucket, unit, values) for every summarised quantity."""
    out: list[tuple[str, str, str, np.ndarray]] = []
    tr_b, inf_b = paths.side_buckets("generative")
    cache: dict[tuple[str, str], np.ndarray] = {}

    def get(b, unit):
        if (b, unit) not in cache:
            cache[(b, unit)] = paths.unit(b, unit)
        return cache[(b, unit)]

    for unit in UNITS:
        for b in BUCKETS:
            out.append(("generative", b, unit, get(b, unit)))
        tr = sum(get(b, unit) for b in tr_b)
        inf = sum(get(b, unit) for b in inf_b)
        out += [("generative", "training_total", unit, tr), ("generative", "inference_total", unit, inf),
                ("generative", "total", unit, tr + inf)]
        if unit in SHARE_UNITS:
            out.append(("generative", "inference_share", SHARE_UNITS[unit], inf / (tr + inf)))
        if unit in ALL_AI_UNITS:
            o_tr, o_inf = get("other_ai_training", unit), get("other_ai_inference", unit)
            out += [("all_ai", "other_ai_training", unit, o_tr), ("all_ai", "other_ai_inference", unit, o_inf),
                    ("all_ai", "training_total", unit, tr + o_tr), ("all_ai", "inference_total", unit, inf + o_inf),
                    ("all_ai", "total", unit, tr + inf + o_tr + o_inf)]
            if unit in SHARE_UNITS:
                out.append(("all_ai", "inference_share", SHARE_UNITS[unit],
                            (inf + o_inf) / (tr + inf + o_tr + o_inf)))
            if unit in ("h100e", "gw"):
                idle = get("idle_or_ramping", unit)
                out += [("all_ai", "idle_or_ramping", unit, idle),
                        ("all_ai", "installed", unit, tr + inf + o_tr + o_inf + idle)]
    out.append(("all_ai", "utilisation", "fraction", paths.utilisation()))
    # the two infrastructure layers: interactive serving (external generative serving and the
    # other AI work's inference, ranking every request) sits near users; the rest can sit in campuses
    near = sum(get(b, "gw") for b in inference.SERVING_BUCKETS) + get("other_ai_inference", "gw")
    campus = sum(get(b, "gw") for b in BUCKETS if b not in inference.SERVING_BUCKETS) \
        + get("other_ai_training", "gw")
    out += [("all_ai", "near_users", "gw", near), ("all_ai", "campus", "gw", campus)]
    cx = paths.capex()
    out += [("all_ai", "purchased", "h100e", cx.purchased_h100e), ("all_ai", "purchased", "gw", cx.added_gw),
            ("all_ai", capex.TOTAL_BUCKET, capex.CAPEX_UNIT, cx.total_usd)]
    out += [("all_ai", name, capex.CAPEX_UNIT, cx.layer(name)) for name in capex.LAYER_BUCKETS]
    out.append(("generative", "total_unconstrained", "h100e", sum(
        resources.installed(h, paths.d["fleet_availability"]) * paths.ctx.h100e_per_chip[:, None]
        for h in paths.demand_hours.values())))
    out.append(("generative", "served_fraction", "fraction", paths.served_fraction))
    tok_total = None
    for b in INFERENCE_BUCKETS:
        out.append(("generative", b, "tokens", paths.tokens[b]))
        tok_total = paths.tokens[b] if tok_total is None else tok_total + paths.tokens[b]
    out.append(("generative", "inference_total", "tokens", tok_total))
    return out


def summarise(paths: Paths, scenario: str, seed: int, snapshot_hash: str,
              idx: np.ndarray | None = None, only: set[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """P10/P50/P90 per year, scope, bucket and unit, in the pinned long format (plus ``scope``).
    ``idx``: the draws to summarise (a calibrated resample); default all. ``only``: the
    (scope, bucket, unit) series to summarise; default every one."""
    series = _series(paths)
    if only is not None:
        series = [s for s in series if s[:3] in only]
    years = paths.ctx.years
    ny = len(years)
    chunks = []
    for start in range(0, len(series), SUMMARY_CHUNK):  # bounded memory: a chunk of series at a time
        part = [v if idx is None else v[:, idx] for *_, v in series[start:start + SUMMARY_CHUNK]]
        chunks.append(quantiles_rows(np.concatenate(part, axis=0)))  # (3, chunk series * years)
    q = np.concatenate(chunks, axis=1)
    n = len(series)
    frame = pd.DataFrame({
        "scenario": scenario,
        "seed": int(seed),
        "snapshot_hash": snapshot_hash,
        "year": np.tile(years, n).astype(int),
        "bucket": np.repeat([b for _, b, _, _ in series], ny),
        "unit": np.repeat([u for _, _, u, _ in series], ny),
        "p10": q[0], "p50": q[1], "p90": q[2],
        "scope": np.repeat([sc for sc, _, _, _ in series], ny),
    }, columns=DEMAND_COLUMNS)
    # purchases and capex have no figure before the year after the first observed stock year
    return frame[frame["p50"].notna() | ~frame["bucket"].isin(CAPEX_BUCKETS)].reset_index(drop=True)


CAPEX_BUCKETS = ("purchased", capex.TOTAL_BUCKET, *capex.LAYER_BUCKETS)


def crossover_years(paths: Paths, unit: str, idx: np.ndarray | None = None) -> np.ndarray:
    """Per draw, the first year from ``ctx.crossover_start_year`` on with inference >= training
    in ``unit``; 0 = not by the horizon."""
    years = paths.ctx.years
    start = int(np.searchsorted(years, paths.ctx.crossover_start_year))
    tr, inf = paths.side_totals(unit)
    crossed = (inf >= tr)[start:]
    if idx is not None:
        crossed = crossed[:, idx]
    first = np.argmax(crossed, axis=0)
    any_ = crossed.any(axis=0)
    return np.where(any_, years[start:][first], 0)


def crossover(paths: Paths, scenario: str, seed: int, snapshot_hash: str,
              idx: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
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
        first = crossover_years(paths, unit, idx)
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
                    snapshot_hash: str, correlations=None, splits: pd.DataFrame | None = None,
                    lab_spend: pd.DataFrame | None = None, training_history: pd.DataFrame | None = None,
                    only: set[tuple[str, str, str]] | None = None):
    """Draw, simulate, calibrate, summarise: (demand, crossover, crossover_summary, paths,
    calibration). ``demand`` and the crossover are the calibrated results (the draws resampled
    by their weights); ``calibration.idx`` are those draws. ``only``: see :func:`summarise`."""
    from models.calibration import calibrate

    if draws < 2:
        raise ValueError("draws must be at least 2")
    rng = np.random.default_rng(seed)
    d = draw_drivers(drivers, draws, rng, correlations)
    paths = simulate(ctx, d)
    empty = pd.DataFrame(columns=["split_id", "period_start", "period_end", "scope", "unit", "measure",
                                  "inference_share", "training_share", "kind"])
    cal = calibrate(paths, splits if splits is not None else empty, lab_spend, seed, scenario,
                    snapshot_hash, training_history)
    calibrated = paths.subset(cal.idx)  # the resampled draws: every summary is of these
    demand = summarise(calibrated, scenario, seed, snapshot_hash, only=only)
    dist, summ = crossover(calibrated, scenario, seed, snapshot_hash)
    return demand, dist, summ, paths, cal
