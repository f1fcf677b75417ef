"""The engine's deterministic context: the as-of data cut, fitted and turned into the arrays every
draw shares (fleet peaks and board power per year, the token anchor and levels, the observed stock,
the rental price index), prepared once per run by :func:`prepare`.
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from models import inference, resources, supply, training
from models.buckets import bucket_sides
from models.config import Scenario, Settings
from models.distributions import Mixture
from models.inputs import ModelInputs, to_date


@dataclass
class Context:
    """Everything deterministic the engine needs, prepared once from the as-of data."""

    years: np.ndarray
    as_of: date
    train_anchor_year: int
    frontier_level: float
    hist_growth: float
    token_anchor: inference.TokenAnchor
    crossover_start_year: int
    fleet: pd.DataFrame
    settings: Settings
    synthetic_data_side: str
    supply: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=supply.SUPPLY_COLUMNS))
    token_levels: pd.DataFrame | None = None
    usage_observed_through: int = 0
    price_index: np.ndarray | None = None  # per year, price / as-of price (NaN: not observed)
    train_peak: np.ndarray = field(init=False)
    board_w: np.ndarray = field(init=False)
    h100e_per_chip: np.ndarray = field(init=False)

    def __post_init__(self):
        f = self.fleet.set_index("year").loc[list(self.years)]
        self.train_peak = f["train_peak_flop_per_s"].to_numpy(float)
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
    fitted_component = (g_driver.fitted_component("frontier_trend") if isinstance(g_driver, Mixture)
                        else None)
    if getattr(g_driver, "fit", None) == "frontier_trend" or fitted_component is not None:
        if trend.ok:
            if fitted_component is not None:
                drivers["frontier_growth_per_year"] = g_driver.with_component(
                    fitted_component.name, p10=trend.ci80[0], p90=trend.ci80[1])
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
    series = table[table["status"].isin(["series", "anchor"])]
    first_obs = int(np.floor(series["mid_year"].min())) if len(series) else int(np.floor(anchor.t0))
    crossover_start = min(max(first_obs, int(years[0])), int(years[-1]))
    levels = inference.token_levels(table, as_of)
    usage_through = int(levels["year"].max()) if len(levels) else anchor.anchor_year
    index = resources.rental_price_index(data.rental_prices, data.accelerators, years, as_of,
                                         st.reference_accelerator_id)
    ctx = Context(years=years, as_of=as_of, train_anchor_year=anchor_year, frontier_level=level,
                  hist_growth=hist_growth, token_anchor=anchor, crossover_start_year=crossover_start,
                  fleet=fleet, settings=st, synthetic_data_side=scenario.synthetic_data_side,
                  supply=supply.supply_basis(data.installed_base), token_levels=levels,
                  usage_observed_through=usage_through, price_index=index["index"].to_numpy(float))
    return Prepared(ctx, drivers, trend, history, level_years, table,
                    inference.provider_growth(table), notes, levels, index,
                    scenario.correlations)
