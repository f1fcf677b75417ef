"""Correlated uncertainty through named factors: a Gaussian copula on the driver draws.

Drivers are drawn as uniforms u, one column per driver, and each column goes through its
driver's inverse CDF. Independent columns ignore that some drivers share a cause: fast adoption
raises query, agent and reasoning growth together, and the revenue it brings pays for capex.
A scenario's ``correlations`` names such causes (factors, see :class:`Correlations`)
and loads drivers on them. Here the loaded columns are recombined in normal-score space,

    z  = Phi^-1(u)                                   (independent standard normals)
    f  = g @ chol(C).T,  g ~ N(0, I)                 (factor scores, correlation C)
    z' = sum_k l_k f_k + sqrt(1 - l' C l) z          (still standard normal)
    u' = Phi(z')

so each driver keeps its marginal distribution exactly (u' is uniform) while two drivers i, j
get the normal-score correlation l_i' C l_j (rank correlation 6/pi asin(r/2)). Columns without a
loading are returned untouched, and a scenario without factors draws no extra random numbers,
so it reproduces the independent draws bit for bit.
"""

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from models.distributions import Basis, Fixed
from models.driver_registry import DRIVERS, did_you_mean, unknown_driver
from models.stats import norm_cdf, norm_ppf


class Factor(BaseModel):
    """A named common cause of several drivers (the Gaussian copula below).

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
                    problems.append(f"{key}.{dname}: {unknown_driver(dname)}")
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
                    problems.append(f"{key}.factors: unknown factor {f!r}{did_you_mean(f, self.factors)}")
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


U_CLIP = 1e-12
"""Every uniform (drawn or correlated) is kept inside [U_CLIP, 1 - U_CLIP]: finite normal scores."""

_BLOCK_VALUES = 1 << 16  # values per block of rows in correlate_uniforms


def factor_root(c: np.ndarray) -> np.ndarray:
    """A square root A of the factor correlation matrix (A A' = C): Cholesky, or, for a positive
    semi-definite but singular C (a link of +-1 in effect), the eigen-decomposition root."""
    try:
        return np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(c)
        return v * np.sqrt(np.clip(w, 0.0, None))


def correlate_uniforms(u: np.ndarray, names: list[str], correlations,
                       rng: np.random.Generator) -> np.ndarray:
    """Correlate the loaded columns of a (draws x drivers) uniform matrix.

    ``u``: uniforms in ``names`` order, already drawn from ``rng`` by the caller (and clipped
    away from 0 and 1). ``correlations``: a validated :class:`Correlations`.
    Draws the factor scores from ``rng`` (draws x factors standard normals) and returns a new
    matrix; columns with no loading are bit-identical to ``u``'s. Without factors, or when no
    column in ``names`` is loaded, ``u`` itself is returned and ``rng`` is not touched.
    Loadings on drivers not in ``names`` are ignored.
    """
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[1] != len(names):
        raise ValueError(f"correlate_uniforms: u must be (draws, {len(names)}), got {u.shape}")
    if not correlations.factors:
        return u
    loads = correlations.loading_matrix(names)  # (drivers, factors)
    cols = np.flatnonzero(np.any(loads != 0.0, axis=1))
    if cols.size == 0:
        return u
    c = correlations.matrix()
    lam = loads[cols]  # (loaded, factors)
    loaded_var = np.einsum("ik,kl,il->i", lam, c, lam)
    if np.any(loaded_var >= 1.0):
        bad = [names[i] for i, v in zip(cols, loaded_var) if v >= 1.0]
        raise ValueError(f"correlate_uniforms: loaded variance l'Cl >= 1 for {', '.join(bad)}")
    draws = u.shape[0]
    f = rng.standard_normal((draws, c.shape[0])) @ factor_root(c).T  # (draws, factors), corr C
    own = np.sqrt(1.0 - loaded_var)
    lam_t = np.ascontiguousarray(lam.T)

    out = u.copy()
    # blocks of rows keep the temporaries in cache (~1.6x faster on 1e5 x 40); the work is
    # row-wise, so the block size does not change the result (beyond BLAS rounding, if any)
    rows = max(64, _BLOCK_VALUES // cols.size)
    for r0 in range(0, draws, rows):
        r1 = min(r0 + rows, draws)
        z = norm_ppf(u[r0:r1, cols])
        z *= own
        z += f[r0:r1] @ lam_t
        p = norm_cdf(z)
        np.clip(p, U_CLIP, 1.0 - U_CLIP, out=p)
        out[r0:r1, cols] = p
    return out
