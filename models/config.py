"""The scenario schema: every driver of the demand model, typed, ranged, with a distribution and a basis.

A scenario file (``models/scenarios/*.yaml``) holds

- ``name``, ``description``, ``horizon`` (last modelled year, default 2030) and the switch
  ``synthetic_data_side: training|inference``;
- ``settings``: structural choices that are not drawn (history start, deployment lag, fleet life,
  serving precision, spend basis, ...);
- ``token_accounting``: which disclosed token series count towards the observed inference volume;
- ``drivers``: one entry per driver in :data:`DRIVERS`, each with a distribution
  (``lognormal`` from p10/p90, ``triangular`` low/mode/high, or ``fixed``), its ``unit`` (must
  match the registry) and its ``basis``: the word ``assumption`` or a reference to a row of
  DOMAIN.md (``DOMAIN.md: ...``), of the bundled snapshot (``snapshot: ...``) or a fit to the
  data (``fit: ...``; with ``fit:`` set, the p10/p90 are replaced at run time by the fitted
  interval on the as-of data and the file's numbers are the fallback), or a primary source
  (``source: publisher, title, URL``: a published figure the bundled data does not carry).
  ``mixture`` drivers weight several lognormal components (competing views), each with its own
  basis; one component may carry the ``fit:``;
- ``correlations`` (optional): named ``factors`` (common causes such as adoption or capex
  supply), each with ``loadings`` = the correlation of a driver's normal score with the factor,
  and ``between``: correlations between factors. Drawn through a Gaussian copula
  (:mod:`models.factors`); without it every driver is drawn independently.

``load_scenario(path, base="base")`` reads a file; a user file overrides only the drivers (and
settings) it names, everything else comes from the base scenario. Every error names the file and
the key. bear/base/bull differ in driver values, never in code.
"""

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Union

import numpy as np
import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from models.stats import Z90, norm_cdf, norm_ppf

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

BASIS_PREFIXES = ("DOMAIN.md", "snapshot:", "fit:", "source:")


class ScenarioError(ValueError):
    """A scenario file is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class DriverSpec:
    unit: str
    low: float
    high: float
    group: str
    description: str
    used_when: str = ""  # empty: always used; else the condition, checked by ``driver_is_used``


# The registry: order is the column order of the Monte Carlo driver matrix.
DRIVERS: dict[str, DriverSpec] = {
    # --- training side ---
    "frontier_growth_per_year": DriverSpec(
        "x/yr", 1.0, 20.0, "training",
        "Growth factor per year of frontier final-run training compute after the anchor year"),
    "largest_run_equivalents": DriverSpec(
        "runs", 1.0, 200.0, "training",
        "Industry pre-training compute of final runs in a year, in units of that year's largest "
        "run (the 'runs per year' multiplier: listed and unlisted runs, restarts, other labs)"),
    "largest_run_equivalents_change_per_year": DriverSpec(
        "x/yr", 0.2, 2.0, "training",
        "Yearly change of largest_run_equivalents after the anchor year (below 1: the largest "
        "runs grow faster than industry training compute)"),
    "post_training_share_2024": DriverSpec(
        "fraction", 0.0, 0.9, "training",
        "Post-training (SFT, RLHF/RL updates) share of final-run compute in 2024"),
    "post_training_share_gain_per_year": DriverSpec(
        "fraction/yr", 0.0, 0.3, "training",
        "Yearly change of the post-training share (capped by settings.post_training_share_cap)"),
    "rd_to_final_ratio": DriverSpec(
        "ratio", 0.0, 30.0, "training",
        "Experiment and research-run compute per unit of final-run compute"),
    "synthetic_data_ratio": DriverSpec(
        "ratio", 0.0, 5.0, "training",
        "Synthetic-data generation and RL-rollout compute per unit of final-run compute"),
    # --- inference side ---
    "disclosed_coverage": DriverSpec(
        "fraction", 0.01, 1.0, "inference",
        "Share of global served tokens covered by the disclosing providers counted in the anchor"),
    "token_growth_history_per_year": DriverSpec(
        "x/yr", 1.0, 100.0, "inference",
        "Growth of served tokens per year before the anchor date (back-cast of history; also "
        "carries each provider's last disclosure forward to the anchor date)"),
    "anchor_tokens_per_day_fallback": DriverSpec(
        "tokens/day", 1e9, 1e17, "inference",
        "Global served tokens per day at the as-of date, used only when no disclosure is usable "
        "as of that date", used_when="no_token_data"),
    "query_growth_per_year": DriverSpec(
        "x/yr", 0.5, 20.0, "inference", "Growth factor per year of queries and agent tasks"),
    "reasoning_share_anchor": DriverSpec(
        "fraction", 0.0, 1.0, "inference",
        "Share of queries answered by reasoning models in the anchor year"),
    "reasoning_conversion_per_year": DriverSpec(
        "fraction/yr", 0.0, 1.0, "inference",
        "Share of the remaining non-reasoning queries that move to reasoning models each year"),
    "reasoning_token_multiplier": DriverSpec(
        "ratio", 1.0, 100.0, "inference",
        "Tokens per reasoning query / tokens per plain chat query in the anchor year"),
    "reasoning_multiplier_growth_per_year": DriverSpec(
        "x/yr", 1.0, 5.0, "inference", "Yearly growth of the reasoning-token multiplier"),
    "agent_share_anchor": DriverSpec(
        "fraction", 0.0, 1.0, "inference", "Share of queries that are agent tasks in the anchor year"),
    "agent_share_growth_per_year": DriverSpec(
        "x/yr", 1.0, 10.0, "inference",
        "Yearly growth of the agent-task share (capped by settings.agent_share_cap)"),
    "agent_steps_per_task": DriverSpec(
        "calls/task", 1.0, 1000.0, "inference", "Model calls per agent task in the anchor year"),
    "agent_steps_growth_per_year": DriverSpec(
        "x/yr", 1.0, 5.0, "inference", "Yearly growth of model calls per agent task"),
    "served_active_params": DriverSpec(
        "parameters", 1e9, 2e12, "inference",
        "Token-weighted average active parameters of served models in the anchor year"),
    "served_params_growth_per_year": DriverSpec(
        "x/yr", 0.3, 3.0, "inference",
        "Yearly change of served active parameters (below 1: distillation, sparser MoE)"),
    "served_params_growth_history_per_year": DriverSpec(
        "x/yr", 0.1, 2.0, "inference",
        "Yearly change of served active parameters before the anchor year (the back-cast)"),
    "mean_context_tokens": DriverSpec(
        "tokens", 100.0, 2e6, "inference",
        "Mean context attended per processed token in the anchor year"),
    "context_growth_per_year": DriverSpec(
        "x/yr", 0.5, 5.0, "inference", "Yearly growth of the mean attended context"),
    "attention_flop_coefficient": DriverSpec(
        "1/context token", 0.0, 1e-3, "inference",
        "Attention FLOP per token / (2 x active params) per context token: n_layers x d_attn / N"),
    "internal_inference_ratio": DriverSpec(
        "ratio", 0.0, 5.0, "inference",
        "Internal inference (research automation, evals, monitoring) per unit of R&D training "
        "compute (pre-training + post-training + experiments) in the anchor year"),
    "internal_inference_growth_per_year": DriverSpec(
        "x/yr", 0.5, 5.0, "inference",
        "Yearly growth of the internal-inference ratio (before the anchor year it shrinks at the "
        "same rate)"),
    # --- resources ---
    "training_mfu": DriverSpec(
        "fraction", 0.05, 0.9, "resources", "Training model-FLOP utilisation of dense BF16 peak"),
    "decode_utilisation": DriverSpec(
        "fraction", 0.01, 0.9, "resources",
        "Decode (output-token) utilisation of the dense BF16 peak in production serving; also "
        "the rate of batch decode work (synthetic data, internal inference)"),
    "prefill_utilisation": DriverSpec(
        "fraction", 0.05, 0.95, "resources",
        "Prefill (uncached input) utilisation of the dense BF16 peak: compute-bound, large batches"),
    "input_token_share": DriverSpec(
        "fraction", 0.1, 0.99, "inference",
        "Share of processed tokens that are input (prompt and context) tokens"),
    "prefix_cache_hit_share": DriverSpec(
        "fraction", 0.0, 0.95, "inference",
        "Share of input tokens served from the prefix (KV) cache, costing no prefill compute"),
    "serving_peak_to_average": DriverSpec(
        "ratio", 1.0, 4.0, "resources",
        "Serving capacity provisioned per unit of average load (peak-hour traffic over the "
        "daily average, plus headroom)"),
    "fleet_availability": DriverSpec(
        "fraction", 0.2, 1.0, "resources",
        "Share of an installed accelerator's hours allocated to work (the rest: idle, "
        "maintenance, failures, ramp-up)"),
    "training_load_factor": DriverSpec(
        "fraction", 0.1, 1.2, "resources", "Board power drawn while training, as a share of TDP"),
    "serving_load_factor": DriverSpec(
        "fraction", 0.1, 1.2, "resources", "Board power drawn while serving, as a share of TDP"),
    "server_overhead": DriverSpec(
        "ratio", 1.0, 4.0, "resources",
        "IT power per watt of accelerator board power (host CPUs, memory, network, storage)"),
    "pue": DriverSpec("ratio", 1.0, 2.5, "resources", "Power usage effectiveness of the data centre"),
    # --- supply (the installed base) and other AI work ---
    "observed_stock_position": DriverSpec(
        "fraction", 0.0, 1.0, "supply",
        "Where the true installed base lies in the publishers' range for the observed years "
        "(0 the low end, 0.5 the central estimate, 1 the high end)"),
    "supply_growth_per_year": DriverSpec(
        "x/yr", 0.5, 5.0, "supply",
        "Growth of the accelerator shipment capacity (H100e per year) in the first year after the "
        "last observed year: advanced packaging and HBM output"),
    "supply_growth_decay_per_year": DriverSpec(
        "fraction", 0.0, 1.0, "supply",
        "Each later year keeps this share of the previous year's excess shipment growth"),
    "power_growth_cap_per_year": DriverSpec(
        "x/yr", 1.0, 4.0, "supply",
        "Ceiling on the growth of installed AI power (GW) per year after the last observed year: "
        "grid connections, generation and the campus pipeline"),
    "training_floor_share": DriverSpec(
        "fraction", 0.0, 1.0, "supply",
        "Allocation rule when demand exceeds the stock: share of the stock guaranteed to the labs' "
        "R&D (training and internal inference)"),
    "other_ai_share_of_stock": DriverSpec(
        "fraction", 0.0, 0.95, "supply",
        "Share of the installed base (in H100e) running non-generative AI (recommendation, "
        "ranking, vision, enterprise ML) in the reference year (settings.other_ai_reference_year)"),
    "other_ai_growth_per_year": DriverSpec(
        "x/yr", 0.5, 5.0, "supply", "Yearly growth of the non-generative AI work"),
    "other_ai_inference_share": DriverSpec(
        "fraction", 0.0, 1.0, "supply",
        "Inference share of the non-generative AI work (recommendation and ranking serve every request)"),
    # --- spend ---
    "usd_per_h100e_hour": DriverSpec(
        "USD/h", 0.1, 50.0, "spend",
        "Price of one H100-equivalent hour in the as-of year (rental basis)",
        used_when="spend_basis == 'rental'"),
    "training_price_ratio": DriverSpec(
        "ratio", 0.2, 1.5, "spend",
        "Price of a training H100e-hour (multi-year contracts, owned campuses) per listed on-demand price"),
    "serving_price_ratio": DriverSpec(
        "ratio", 0.2, 1.5, "spend",
        "Price of a serving H100e-hour per listed on-demand price"),
    "hardware_cost_efficiency_growth_per_year": DriverSpec(
        "x/yr", 1.0, 3.0, "spend",
        "Yearly growth of FLOP/s per dollar: the price of an H100-equivalent hour falls by it"),
    "capex_usd_per_h100e": DriverSpec(
        "USD", 5e3, 2e5, "spend",
        "All-in capital cost per H100-equivalent installed in the as-of year (TCO basis)",
        used_when="spend_basis == 'tco'"),
    "amortisation_years": DriverSpec(
        "years", 1.0, 10.0, "spend", "Amortisation period of accelerator capex (TCO basis)",
        used_when="spend_basis == 'tco'"),
    "electricity_usd_per_kwh": DriverSpec(
        "USD/kWh", 0.01, 0.5, "spend", "Electricity price (TCO basis)",
        used_when="spend_basis == 'tco'"),
    # --- capex by layer (models/capex.py) ---
    "it_capex_usd_per_gw": DriverSpec(
        "USD/GW", 1e9, 2e11, "capex",
        "IT capex per GW of facility power added, in settings.capex_reference_year: accelerators "
        "with their HBM, host servers and storage, networking"),
    "it_capex_growth_per_year": DriverSpec(
        "x/yr", 0.7, 1.5, "capex",
        "Yearly change of IT capex per GW after the reference year (each generation packs more "
        "silicon and memory into a watt)"),
    "facility_capex_usd_per_gw": DriverSpec(
        "USD/GW", 1e9, 1e11, "capex",
        "Power, cooling and building capex per GW of facility power added (real terms)"),
}


def _basis_is_reference_or_assumption(value: str) -> str:
    value = value.strip()
    if value == "assumption" or value.startswith(BASIS_PREFIXES):
        return value
    raise ValueError(
        "basis must be the word 'assumption' or a reference starting with "
        f"{', '.join(repr(p) for p in BASIS_PREFIXES)} (got {value!r}); put any other "
        "citation in 'note' and mark the driver as an assumption")


Basis = Annotated[str, AfterValidator(_basis_is_reference_or_assumption)]
"""The one basis rule, shared by drivers, mixture components, correlation factors and links."""


def _basis_kind(basis: str) -> str:
    if basis == "assumption":
        return "assumption"
    return "fitted" if basis.startswith("fit:") else "sourced"


class _DriverBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    basis: Basis
    note: str = ""

    @property
    def kind(self) -> str:
        return _basis_kind(self.basis)


class _LognormalShape(BaseModel):
    """A lognormal given by its p10 and p90 (shared by a lognormal driver and a mixture component)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    p10: float = Field(gt=0)
    p90: float = Field(gt=0)
    fit: Literal["frontier_trend", "rental_prices"] | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if not self.p10 < self.p90:
            raise ValueError(f"p10 ({self.p10:g}) must be below p90 ({self.p90:g})")
        return self

    @property
    def mu(self) -> float:
        return 0.5 * (np.log(self.p10) + np.log(self.p90))

    @property
    def sigma(self) -> float:
        return (np.log(self.p90) - np.log(self.p10)) / (2.0 * Z90)


class Lognormal(_DriverBase, _LognormalShape):
    dist: Literal["lognormal"]

    def ppf(self, u):
        return np.exp(self.mu + self.sigma * norm_ppf(u))

    def quantiles(self) -> tuple[float, float, float]:
        return self.p10, float(np.sqrt(self.p10 * self.p90)), self.p90

    def range_values(self) -> dict[str, float]:
        return {"p10": self.p10, "p90": self.p90}


class Triangular(_DriverBase):
    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high (got {self.low:g}, {self.mode:g}, "
                f"{self.high:g})")
        return self

    def ppf(self, u):
        a, c, b = self.low, self.mode, self.high
        u = np.asarray(u, dtype=float)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    def quantiles(self) -> tuple[float, float, float]:
        q = self.ppf(np.array([0.1, 0.5, 0.9]))
        return float(q[0]), float(q[1]), float(q[2])

    def range_values(self) -> dict[str, float]:
        return {"low": self.low, "mode": self.mode, "high": self.high}


class Fixed(_DriverBase):
    dist: Literal["fixed"]
    value: float

    def ppf(self, u):
        return np.full(np.shape(u), self.value, dtype=float)

    def quantiles(self) -> tuple[float, float, float]:
        return self.value, self.value, self.value

    def range_values(self) -> dict[str, float]:
        return {"value": self.value}


class MixtureComponent(_LognormalShape):
    """One lognormal view of a :class:`Mixture` driver (from its p10/p90), with its weight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    weight: float = Field(gt=0)
    basis: Basis
    note: str = ""

    @property
    def kind(self) -> str:
        return _basis_kind(self.basis)


_MIXTURE_SPAN_Z = 8.5  # the ppf grid covers every component's mu +/- 8.5 sigma (draws: |z| <= 7.03)
_MIXTURE_STEPS_PER_SIGMA = 80  # around each component the log-x grid steps by its sigma / 80


class Mixture(_DriverBase):
    """A weighted mixture of lognormal components: competing views of one driver (a trend fit,
    a published estimate, a power-limited path) kept apart instead of blended into one interval.

    The weights must sum to 1. ``ppf`` inverts the mixture CDF: the CDF's normal score
    Phi^-1(F(log x)) is tabulated on a log-x grid (each component's mu +/- 8.5 sigma in steps of
    sigma/80) and interpolated linearly (~1e-5 relative in x; near-exact for one component), so
    1e5 values take a few milliseconds.
    """

    dist: Literal["mixture"]
    components: list[MixtureComponent] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        names = [c.name for c in self.components]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"component names must be unique (repeated: {', '.join(repeated)})")
        fits = [c.fit for c in self.components if c.fit is not None]
        if len(fits) != len(set(fits)):
            raise ValueError("at most one component may carry each 'fit'")
        total = sum(c.weight for c in self.components)
        if abs(total - 1.0) > 1e-6:
            parts = ", ".join(f"{c.name} {c.weight:g}" for c in self.components)
            raise ValueError(f"mixture weights must sum to 1, got {total:.6g} ({parts})")
        return self

    def _grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(normal score of the mixture CDF, log x), both increasing."""
        mu = np.array([c.mu for c in self.components])
        sigma = np.array([c.sigma for c in self.components])
        w = np.array([c.weight for c in self.components])
        lo = float(np.min(mu - _MIXTURE_SPAN_Z * sigma))
        hi = float(np.max(mu + _MIXTURE_SPAN_Z * sigma))
        # each component's own fine grid (narrow and wide components both resolved), plus a
        # coarse grid over the gaps between them
        own = np.linspace(-_MIXTURE_SPAN_Z, _MIXTURE_SPAN_Z,
                          int(2 * _MIXTURE_SPAN_Z * _MIXTURE_STEPS_PER_SIGMA) + 1)
        y = np.unique(np.concatenate([(mu[:, None] + sigma[:, None] * own[None, :]).ravel(),
                                      np.linspace(lo, hi, 257)]))
        z = (y[:, None] - mu[None, :]) / sigma[None, :]
        cdf = norm_cdf(z) @ w
        sf = norm_cdf(-z) @ w  # the upper tail from its own side: no cancellation near 1
        lower = cdf <= sf
        score = norm_ppf(np.where(lower, cdf, sf))
        score = np.where(lower, score, -score)
        score = np.maximum.accumulate(score)
        keep = np.concatenate(([True], np.diff(score) > 0))
        return score[keep], y[keep]

    def ppf(self, u):
        score, y = self._grid()
        z = norm_ppf(np.clip(np.asarray(u, dtype=float), 1e-300, 1.0 - 1e-16))
        return np.exp(np.interp(z, score, y))

    def cdf(self, x):
        """The mixture CDF at x (x > 0)."""
        logx = np.log(np.asarray(x, dtype=float))
        return sum(c.weight * norm_cdf((logx - c.mu) / c.sigma) for c in self.components)

    def quantiles(self) -> tuple[float, float, float]:
        q = self.ppf(np.array([0.1, 0.5, 0.9]))
        return float(q[0]), float(q[1]), float(q[2])

    def range_values(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for i, c in enumerate(self.components):
            out[f"components.{i}.p10"] = c.p10
            out[f"components.{i}.p90"] = c.p90
        return out

    def component(self, name: str) -> MixtureComponent:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(f"mixture has no component {name!r} "
                       f"(components: {', '.join(c.name for c in self.components)})")

    def fitted_component(self, fit: str) -> MixtureComponent | None:
        """The component marked ``fit: <fit>`` (e.g. 'frontier_trend'), if any."""
        return next((c for c in self.components if c.fit == fit), None)

    def with_component(self, name: str, **update) -> "Mixture":
        """A validated copy with one component's fields replaced, e.g.
        ``with_component("trend_fit", p10=4.1, p90=5.0)`` puts a fitted interval in."""
        self.component(name)  # KeyError when unknown
        data = self.model_dump()
        for comp in data["components"]:
            if comp["name"] == name:
                comp.update(update)
        return Mixture.model_validate(data)


Driver = Annotated[Union[Lognormal, Triangular, Fixed, Mixture], Field(discriminator="dist")]


class Factor(BaseModel):
    """A named common cause of several drivers (Gaussian copula, see :mod:`models.factors`).

    A loading is the correlation of a driver's normal score Phi^-1(u) with the factor, |l| < 1.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    basis: Basis
    note: str = ""
    loadings: dict[str, float]


class FactorLink(BaseModel):
    """The correlation ``rho`` between two factors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    factors: tuple[str, str]
    rho: float
    basis: Basis
    note: str = ""


class Correlations(BaseModel):
    """Correlated uncertainty: factors with driver loadings, and correlations between factors.

    The default (no factors) draws every driver independently. Checked by
    :meth:`problems` (run by the Scenario validator), so a loaded scenario is always usable.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    factors: dict[str, Factor] = Field(default_factory=dict)
    between: list[FactorLink] = Field(default_factory=list)

    @property
    def factor_names(self) -> list[str]:
        return list(self.factors)

    def matrix(self) -> np.ndarray:
        """Factor correlation matrix C (factor_names order): identity plus the ``between`` links."""
        index = {name: i for i, name in enumerate(self.factors)}
        c = np.eye(len(index))
        for link in self.between:
            a, b = link.factors
            if a in index and b in index and a != b:
                c[index[a], index[b]] = c[index[b], index[a]] = link.rho
        return c

    def loading_matrix(self, names) -> np.ndarray:
        """Loadings, (len(names), factors): row i holds driver names[i]'s loadings (0: none)."""
        row = {name: i for i, name in enumerate(names)}
        out = np.zeros((len(row), len(self.factors)))
        for k, factor in enumerate(self.factors.values()):
            for driver, loading in factor.loadings.items():
                if driver in row:
                    out[row[driver], k] = loading
        return out

    def loaded_drivers(self) -> list[str]:
        """Drivers with a loading, in registry order."""
        loaded = {d for f in self.factors.values() for d in f.loadings}
        return [d for d in DRIVERS if d in loaded]

    def problems(self, drivers: dict | None = None) -> list[str]:
        """Every inconsistency, each as ``key: message``; ``drivers`` (the scenario's) lets the
        check refuse loadings on fixed drivers."""
        problems: list[str] = []
        for fname, factor in self.factors.items():
            key = f"correlations.factors.{fname}.loadings"
            if not factor.loadings:
                problems.append(f"{key}: a factor needs at least one loading")
            for dname, loading in factor.loadings.items():
                if dname not in DRIVERS:
                    close = difflib.get_close_matches(dname, DRIVERS, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    problems.append(f"{key}.{dname}: unknown driver{hint}")
                elif not abs(loading) < 1.0:
                    problems.append(f"{key}.{dname}: |loading| must be below 1, got {loading:g} "
                                    "(a loading is the correlation of the driver with the factor)")
                elif drivers is not None and isinstance(drivers.get(dname), Fixed):
                    problems.append(f"{key}.{dname}: the driver is fixed, so a loading has nothing "
                                    "to correlate; remove the loading or give the driver a distribution")
        seen: dict[frozenset, int] = {}
        for i, link in enumerate(self.between):
            key = f"correlations.between.{i}"
            a, b = link.factors
            for f in dict.fromkeys((a, b)):
                if f not in self.factors:
                    close = difflib.get_close_matches(f, list(self.factors), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    problems.append(f"{key}.factors: unknown factor {f!r}{hint}")
            pair = frozenset((a, b))
            if a == b:
                problems.append(f"{key}.factors: links factor {a!r} to itself")
            elif pair in seen:
                problems.append(f"{key}.factors: the pair {a}-{b} is already linked at "
                                f"correlations.between.{seen[pair]}")
            else:
                seen[pair] = i
            if not abs(link.rho) < 1.0:
                problems.append(f"{key}.rho: |rho| must be below 1, got {link.rho:g}")
        if problems or not self.factors:
            return problems

        names = self.factor_names
        c = self.matrix()
        eigval, eigvec = np.linalg.eigh(c)
        if eigval[0] < -1e-9:
            v = eigvec[:, 0]
            involved = [names[i] for i in np.argsort(-np.abs(v)) if abs(v[i]) > 0.05]
            links = ", ".join(f"{l.factors[0]}-{l.factors[1]} {l.rho:g}" for l in self.between
                              if l.factors[0] in involved and l.factors[1] in involved)
            problems.append(
                f"correlations.between: the factor correlation matrix is not positive "
                f"semi-definite (smallest eigenvalue {eigval[0]:.3g}, along factors "
                f"{', '.join(involved)}): the links {links} cannot hold together, weaken them")
            return problems
        load = self.loading_matrix(DRIVERS)
        variance = np.einsum("ik,kl,il->i", load, c, load)
        for i, dname in enumerate(DRIVERS):
            if variance[i] >= 1.0:
                on = [(names[k], load[i, k]) for k in range(len(names)) if load[i, k] != 0]
                problems.append(
                    f"correlations.factors.{on[0][0]}.loadings.{dname}: driver {dname!r} loads on "
                    f"{', '.join(f'{f} ({l:g})' for f, l in on)}; through the correlated factors "
                    f"its loaded variance l'Cl = {variance[i]:.3f} must stay below 1: reduce the "
                    "loadings")
        return problems


class Settings(BaseModel):
    """Structural choices (not drawn). Defaults are the project's; each is documented."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    history_start: int = Field(2019, ge=2010, le=2040,
                               description="First modelled year (2019 covers the Google backtest)")
    frontier_top_n: int = Field(10, ge=1, le=100, description="Frontier = top-N runs per year by FLOP")
    trend_start_year: int = Field(2010, ge=1950, le=2040,
                                  description="Frontier runs from this year on enter the trend fit")
    trend_level_years: int = Field(
        3, ge=1, le=10, description="Complete years whose detrended frontier totals set the level")
    min_trend_points: int = Field(8, ge=4, le=1000)
    deployment_lag_years: int = Field(1, ge=0, le=4,
                                      description="Years from a chip's release to volume deployment")
    shipping_years: int = Field(3, ge=1, le=8, description="Years a chip generation keeps shipping")
    fleet_life_years: int = Field(4, ge=1, le=10, description="Years an accelerator stays installed")
    fleet_purchase_growth: float = Field(
        2.0, ge=1.0, le=10.0, description="Growth of purchases per year, weighting vintages in the fleet")
    vendor_weights: dict[str, float] = Field(
        default_factory=lambda: {"nvidia": 0.75, "google": 0.12, "amd": 0.05, "aws": 0.05,
                                 "other": 0.03},
        description="Share of accelerator purchases by vendor (assumption; 'other' = the rest)")
    min_memory_bytes: float = Field(
        3.0e10, ge=0, description="Chips with less memory are left out of the data-centre fleet mix")
    future_peak_growth_per_year: float = Field(
        1.4, ge=1.0, le=3.0, description="Peak FLOP/s per chip growth for vintages after the newest "
        "chip known as of the date")
    future_power_growth_per_year: float = Field(
        1.15, ge=0.8, le=2.0, description="Board power per chip growth for those future vintages")
    serving_precision: Literal["fp4", "fp8", "bf16"] = Field(
        "fp8", description="Serving runs at this precision where the chip supports it, else BF16")
    spend_basis: Literal["rental", "tco"] = "rental"
    supply_constrained: bool = Field(
        True, description="Kept for old scenario files: the installed stock is always the observed "
        "base and its bounded projection (models/supply.py)")
    retirement_life_years: float = Field(
        5.5, ge=2.0, le=10.0, description="Average life of an installed accelerator in the projection "
        "(the installed-base mart retires linearly at 4-7 years: its midpoint)")
    capex_reference_year: int = Field(
        2025, ge=2019, le=2040, description="Year whose prices it_capex_usd_per_gw is stated in")
    other_ai_reference_year: int = Field(
        2023, ge=2019, le=2040, description="Year whose observed stock sets the other-AI level")
    reference_accelerator_id: str = "nvidia-h100-sxm"
    max_served_active_params: float = Field(
        3e11, ge=1e9, le=2e12, description="Ceiling on the token-weighted served active parameters "
        "(GPT-3/GPT-4-class dense serving); bounds the back-cast")
    post_training_share_cap: float = Field(0.8, gt=0, lt=1)
    agent_share_cap: float = Field(0.8, gt=0, le=1)
    max_staleness_years: float = Field(
        1.0, gt=0, le=5, description="A provider whose latest disclosure is older than this, "
        "counted from the anchor date, is left out of the anchor")
    tornado_year: int | None = Field(None, description="Year of the tornado (default: horizon)")

    @field_validator("vendor_weights")
    @classmethod
    def _weights_positive(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or any(w < 0 for w in value.values()) or sum(value.values()) <= 0:
            raise ValueError("vendor_weights must be non-negative with a positive sum")
        return value


class TokenAccounting(BaseModel):
    """Which disclosed token series count towards the observed (anchor) inference volume."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usable_metrics: list[str] = Field(
        default_factory=lambda: ["tokens_processed"],
        description="Peaks (tokens_processed_peak) and words are never volumes")
    exclude_providers: dict[str, str] = Field(
        default_factory=lambda: {
            "OpenRouter": "a router: its tokens are served by the other providers"},
        description="provider -> reason")
    contained_in: dict[str, str] = Field(
        default_factory=lambda: {
            "ByteDance (Volcano Engine)": "China (National Data Administration)",
            "DeepSeek": "China (National Data Administration)"},
        description="provider -> aggregate that includes it (dropped when the aggregate is usable)")
    preferred_scope: dict[str, str] = Field(
        default_factory=lambda: {"Google": "all Google"},
        description="provider -> scope substring: when such rows exist, the provider's narrower "
                    "series (e.g. API-only) are left out")


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    horizon: int = Field(2030, ge=2024, le=2060)
    synthetic_data_side: Literal["training", "inference"] = "training"
    settings: Settings = Field(default_factory=Settings)
    token_accounting: TokenAccounting = Field(default_factory=TokenAccounting)
    drivers: dict[str, Driver]
    correlations: Correlations = Field(default_factory=Correlations)

    @model_validator(mode="after")
    def _check_drivers(self):
        problems: list[str] = []
        unknown = [name for name in self.drivers if name not in DRIVERS]
        for name in unknown:
            close = difflib.get_close_matches(name, DRIVERS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"drivers.{name}: unknown driver{hint}")
        missing = [name for name in DRIVERS if name not in self.drivers]
        if missing:
            problems.append("drivers: missing " + ", ".join(missing))
        for name, driver in self.drivers.items():
            spec = DRIVERS.get(name)
            if spec is None:
                continue
            if driver.unit != spec.unit:
                problems.append(f"drivers.{name}.unit: expected {spec.unit!r}, got {driver.unit!r}")
            for key, value in driver.range_values().items():
                if not (spec.low <= value <= spec.high):
                    problems.append(
                        f"drivers.{name}.{key}: {value:g} is outside the allowed range "
                        f"[{spec.low:g}, {spec.high:g}] ({spec.unit})")
            fits = [("fit", getattr(driver, "fit", None))]
            if isinstance(driver, Mixture):
                fits += [(f"components.{i}.fit", c.fit) for i, c in enumerate(driver.components)]
            for key, fit in fits:
                if fit == "frontier_trend" and name != "frontier_growth_per_year":
                    problems.append(f"drivers.{name}.{key}: 'frontier_trend' only fits frontier_growth_per_year")
                if fit == "rental_prices" and name != "usd_per_h100e_hour":
                    problems.append(f"drivers.{name}.{key}: 'rental_prices' only fits usd_per_h100e_hour")
        if self.horizon <= self.settings.history_start:
            problems.append(
                f"horizon: {self.horizon} must be after settings.history_start "
                f"({self.settings.history_start})")
        if self.settings.tornado_year is not None and not (
                self.settings.history_start <= self.settings.tornado_year <= self.horizon):
            problems.append("settings.tornado_year: must lie between history_start and horizon")
        problems.extend(self.correlations.problems(self.drivers))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def driver_is_used(self, name: str, has_token_data: bool = True) -> bool:
        cond = DRIVERS[name].used_when
        if not cond:
            return True
        if cond == "no_token_data":
            return not has_token_data
        if cond == "supply_constrained":
            return self.settings.supply_constrained
        if cond.startswith("spend_basis"):
            return cond.endswith(f"'{self.settings.spend_basis}'")
        raise AssertionError(cond)

    def with_drivers(self, **drivers) -> "Scenario":
        """A copy with some drivers replaced (validated)."""
        data = self.model_dump()
        data["drivers"].update({k: (v.model_dump() if isinstance(v, BaseModel) else v)
                                for k, v in drivers.items()})
        return Scenario.model_validate(data)


_DIST_TAGS = ("lognormal", "triangular", "fixed", "mixture")


def _format_validation_error(err: ValidationError, source: str) -> str:
    lines = []
    for item in err.errors():
        parts = list(item["loc"])
        if len(parts) >= 3 and parts[0] == "drivers" and parts[2] in _DIST_TAGS:
            del parts[2]  # the union tag: drivers.X.mixture.components.1.p90 -> drivers.X.components.1.p90
        loc = ".".join(str(part) for part in parts)
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            msg = "unknown key (not in the scenario schema)"
        if not loc:  # the scenario-wide check: one line per problem, each starting with its key
            lines.extend(f"{source}: {problem}" for problem in msg.split("; "))
        else:
            lines.append(f"{source}: {loc}: {msg}")
    return "\n".join(lines)


def _resolve_path(path) -> Path:
    p = Path(path)
    if p.suffix == "" and not p.exists():
        candidate = SCENARIO_DIR / f"{p.name}.yaml"
        if candidate.exists():
            return candidate
    return p


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: ~10x faster


def _read_yaml(path: Path) -> dict:
    try:
        raw = yaml.load(path.read_text(), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: scenario file not found") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario file must be a mapping at the top level")
    return raw


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if key in ("settings", "token_accounting") and isinstance(value, dict):
            merged[key] = {**base.get(key, {}), **value}
        elif key == "drivers" and isinstance(value, dict):
            # a named driver is replaced as a whole (its distribution type may change)
            merged[key] = {**base.get(key, {}), **value}
        elif key == "correlations" and isinstance(value, dict):
            # a named factor is replaced as a whole, ``factor: null`` removes it; ``between``
            # (a list) replaces the base's links when given
            corr = dict(base.get(key) or {})
            if isinstance(value.get("factors"), dict):
                factors = {**corr.get("factors", {}), **value["factors"]}
                corr["factors"] = {k: v for k, v in factors.items() if v is not None}
            corr.update({k: v for k, v in value.items() if k != "factors" or not isinstance(v, dict)})
            merged[key] = corr
        elif key == "correlations" and value is None:
            merged[key] = {}  # ``correlations: null``: independent draws
        else:
            merged[key] = value
    return merged


def validate_scenario(data: dict, source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_format_validation_error(err, source)) from None


def load_scenario(path, base: "Scenario | str | Path | None" = "base") -> Scenario:
    """Read and validate a scenario file.

    ``path``: a YAML file, or the name of a bundled scenario (``base``, ``bear``, ``bull``).
    ``base``: the scenario the file overrides (a Scenario, a path or bundled name); ``None``
    means the file must be complete. Drivers the file names replace the base's whole entry;
    ``settings`` and ``token_accounting`` merge key by key; ``correlations.factors`` merge factor
    by factor (``name: null`` drops one), a given ``correlations.between`` replaces the base's
    links and ``correlations: null`` drops them all; other top-level keys replace.
    """
    path = _resolve_path(path)
    raw = _read_yaml(path)
    if isinstance(raw.get("drivers"), dict):
        unknown = [k for k in raw["drivers"] if k not in DRIVERS]
        if unknown:
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, DRIVERS, n=1)
                hints.append(f"{path}: drivers.{name}: unknown driver"
                             + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ScenarioError("\n".join(hints))
    if base is None:
        return validate_scenario(raw, str(path))
    if isinstance(base, Scenario):
        base_scenario = base
    else:
        base_path = _resolve_path(base)
        if base_path.resolve() == path.resolve():
            return validate_scenario(raw, str(path))
        base_scenario = load_scenario(base_path, base=None)
    merged = _merge(base_scenario.model_dump(exclude_none=False), raw)
    if "name" not in raw:
        merged["name"] = path.stem
    return validate_scenario(merged, str(path))


def bundled_scenarios() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
