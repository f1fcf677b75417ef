"""Driver distributions: lognormal (from p10/p90), triangular, fixed and mixtures of lognormals,
each with the ``basis`` rule every sourced number in a scenario file follows.

A basis is the word ``assumption`` or a reference: ``DOMAIN.md: ...`` (a row of DOMAIN.md),
``snapshot: ...`` (the bundled snapshot), ``fit: ...`` (a fit to the as-of data) or ``source:
publisher, title, URL`` (a published figure the bundled data does not carry). Every distribution
maps uniforms to values through ``ppf`` (the Monte Carlo draws them all at once) and states its
P10/P50/P90 through ``quantiles``.
"""

from typing import Annotated, Literal, Union

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from models.stats import Z90, norm_cdf, norm_ppf

BASIS_PREFIXES = ("DOMAIN.md", "snapshot:", "fit:", "source:")


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
