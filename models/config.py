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
  interval on the as-of data and the file's numbers are the fallback).

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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.stats import Z90, norm_ppf

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

BASIS_PREFIXES = ("DOMAIN.md", "snapshot:", "fit:")


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
    "serving_utilisation": DriverSpec(
        "fraction", 0.01, 0.9, "resources",
        "Serving utilisation of the dense peak at the serving precision (decode is memory bound)"),
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
    "supply_growth_per_year": DriverSpec(
        "x/yr", 1.0, 10.0, "resources",
        "Cap on the growth of installed H100-equivalents per year after the last complete year "
        "(chips, power, capital); demand above it is served pro rata",
        used_when="supply_constrained"),
    # --- spend ---
    "usd_per_h100e_hour": DriverSpec(
        "USD/h", 0.1, 50.0, "spend",
        "Price of one H100-equivalent hour in the as-of year (rental basis)",
        used_when="spend_basis == 'rental'"),
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
}


class _DriverBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    basis: str
    note: str = ""

    @field_validator("basis")
    @classmethod
    def _basis_is_reference_or_assumption(cls, value: str) -> str:
        value = value.strip()
        if value == "assumption" or value.startswith(BASIS_PREFIXES):
            return value
        raise ValueError(
            "basis must be the word 'assumption' or a reference starting with "
            f"{', '.join(repr(p) for p in BASIS_PREFIXES)} (got {value!r}); put any other "
            "citation in 'note' and mark the driver as an assumption")

    @property
    def kind(self) -> str:
        if self.basis == "assumption":
            return "assumption"
        return "fitted" if self.basis.startswith("fit:") else "sourced"


class Lognormal(_DriverBase):
    dist: Literal["lognormal"]
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


Driver = Annotated[Union[Lognormal, Triangular, Fixed], Field(discriminator="dist")]


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
        True, description="Cap installed H100e growth at supply_growth_per_year after the last "
        "observed year, scaling every bucket alike (shares and crossovers are unaffected)")
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
            if getattr(driver, "fit", None) == "frontier_trend" and name != "frontier_growth_per_year":
                problems.append(f"drivers.{name}.fit: 'frontier_trend' only fits frontier_growth_per_year")
            if getattr(driver, "fit", None) == "rental_prices" and name != "usd_per_h100e_hour":
                problems.append(f"drivers.{name}.fit: 'rental_prices' only fits usd_per_h100e_hour")
        if self.horizon <= self.settings.history_start:
            problems.append(
                f"horizon: {self.horizon} must be after settings.history_start "
                f"({self.settings.history_start})")
        if self.settings.tornado_year is not None and not (
                self.settings.history_start <= self.settings.tornado_year <= self.horizon):
            problems.append("settings.tornado_year: must lie between history_start and horizon")
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


def _format_validation_error(err: ValidationError, source: str) -> str:
    lines = []
    for item in err.errors():
        loc = ".".join(str(part) for part in item["loc"] if part not in ("lognormal", "triangular", "fixed"))
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            msg = "unknown key (not in the scenario schema)"
        lines.append(f"{source}: {loc + ': ' if loc else ''}{msg}")
    return "\n".join(lines)


def _resolve_path(path) -> Path:
    p = Path(path)
    if p.suffix == "" and not p.exists():
        candidate = SCENARIO_DIR / f"{p.name}.yaml"
        if candidate.exists():
            return candidate
    return p


def _read_yaml(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text())
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
    ``settings`` and ``token_accounting`` merge key by key; top-level keys replace.
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
