"""The scenario: its schema (settings, token accounting, one distribution per driver, correlations)
and the loading of scenario files, with an error naming the file and the key.

A scenario file (``models/scenarios/*.yaml``) holds

- ``name``, ``description``, ``horizon`` (last modelled year, default 2030) and the switch
  ``synthetic_data_side: training|inference``;
- ``settings``: structural choices that are not drawn (history start, deployment lag, fleet life,
  serving precision, spend basis, ...);
- ``token_accounting``: which disclosed token series count towards the observed inference volume;
- ``drivers``: one entry per driver in :data:`models.driver_registry.DRIVERS`, each with a
  distribution (:mod:`models.distributions`:
  ``lognormal`` from p10/p90, ``triangular`` low/mode/high, or ``fixed``), its ``unit`` (must
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

``load_scenario(path, base=BASE_SCENARIO)`` reads a file; a user file overrides only the drivers
(and settings) it names, everything else comes from the base scenario. Every error names the file
and the key. The bundled scenarios (:data:`BUNDLED_SCENARIOS`) differ in driver values, never in
code.

``settings.reference_accelerator_id`` (the H100-equivalent's chip) must be a chip of the data with
a dense BF16 figure as of the run's date: the data are not known when a file is read, so the model
run checks it (:func:`check_reference_accelerator`), again naming the file and the key.
"""

import difflib

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.distributions import Driver, Mixture
from models.driver_registry import DRIVERS, unknown_driver
from models.factors import Correlations

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
BASE_SCENARIO = "base"
"""The scenario a user file overrides, and the default of every run."""
BUNDLED_SCENARIOS = ("bear", "base", "bull")
"""The scenario files in :data:`SCENARIO_DIR`, in the order the brief's scenario table shows them."""


class ScenarioError(ValueError):
    """A scenario file is invalid; the message names the file and the key."""


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
    reference_accelerator_id: str = Field(
        "nvidia-h100-sxm", pattern=r"^[a-z0-9]+(-[a-z0-9.]+)+$",
        description="The chip an H100-equivalent is measured against: a canonical accelerator id "
        "(lower-case vendor-family-variant) of a chip with a dense BF16 figure, released by the as-of date")
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
            problems.append(f"drivers.{name}: {unknown_driver(name)}")
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
        if cond.startswith("spend_basis"):
            return cond.endswith(f"'{self.settings.spend_basis}'")
        raise AssertionError(cond)


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
        raw = yaml.load(path.read_bytes().decode("utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: scenario file not found") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                            f"{exc.start}); save the file as UTF-8") from None
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


def load_scenario(path, base: "Scenario | str | Path | None" = BASE_SCENARIO) -> Scenario:
    """Read and validate a scenario file.

    ``path``: a YAML file, or the name of a bundled scenario (:data:`BUNDLED_SCENARIOS`).
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
            raise ScenarioError("\n".join(f"{path}: drivers.{name}: {unknown_driver(name)}"
                                          for name in unknown))
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


def scenario_source(scenario) -> str:
    """How errors name a scenario: its file (a path, or a bundled name's file), else its name."""
    if isinstance(scenario, Scenario):
        return f"scenario {scenario.name}"
    return str(_resolve_path(scenario))


_REFERENCE_KEY = "settings.reference_accelerator_id"


def check_reference_accelerator(scenario: Scenario, usable: Iterable[str], source: str, as_of=None,
                                known: Iterable[str] = ()) -> None:
    """The scenario's reference chip is one of ``usable`` (the chips with a dense BF16 figure as
    of the date), or a ScenarioError names the file, the key, why (unknown, not released as of
    the date, no BF16 figure) and the chips that would do. ``known``: every chip of the data,
    whatever its date, to tell an unreleased chip from an unknown one."""
    chosen = scenario.settings.reference_accelerator_id
    usable = sorted(set(usable))
    if chosen in usable:
        return
    when = f" as of {as_of}" if as_of is not None else ""
    known = set(known)
    if chosen in known:
        why = f"{chosen!r} is not released{when} or has no dense BF16 figure (the as-of rule)"
    else:
        why = f"unknown chip {chosen!r}"
        close = difflib.get_close_matches(chosen, usable, n=1)
        if close:
            why += f" (did you mean {close[0]!r}?)"
    chips = ", ".join(usable) if usable else "none"
    raise ScenarioError(f"{source}: {_REFERENCE_KEY}: {why}; chips with a dense BF16 figure{when}: {chips}")
