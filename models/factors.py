"""Correlated uncertainty through named factors: a Gaussian copula on the driver draws.

Drivers are drawn as uniforms u, one column per driver, and each column goes through its
driver's inverse CDF. Independent columns ignore that some drivers share a cause: fast adoption
raises query, agent and reasoning growth together, and the revenue it brings pays for capex.
A scenario's ``correlations`` names such causes (factors, see :class:`models.config.Correlations`)
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
import pandas as pd

from models.stats import norm_cdf, norm_ppf

U_CLIP = 1e-12
"""Correlated uniforms are kept inside [U_CLIP, 1 - U_CLIP], as the Monte Carlo clips its draws."""

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
    away from 0 and 1). ``correlations``: a validated :class:`models.config.Correlations`.
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


def implied_driver_correlation(correlations, names=None, rank: bool = False) -> pd.DataFrame:
    """Correlation between every pair of loaded drivers implied by the factors.

    Normal-score (Gaussian copula) correlation l_i' C l_j, or with ``rank=True`` the Spearman
    rank correlation it produces, 6/pi asin(r/2) (the correlation of the drivers' values
    whatever their marginals). Rows and columns: the loaded drivers in ``names`` order (default:
    the registry's), diagonal 1.
    """
    if names is None:
        from models.config import DRIVERS

        names = list(DRIVERS)
    loads = correlations.loading_matrix(names) if correlations.factors else np.zeros((len(names), 0))
    keep = np.flatnonzero(np.any(loads != 0.0, axis=1)) if loads.size else np.array([], dtype=int)
    lam = loads[keep]
    r = lam @ correlations.matrix() @ lam.T if keep.size else np.zeros((0, 0))
    np.fill_diagonal(r, 1.0)
    if rank:
        r = 6.0 / np.pi * np.arcsin(r / 2.0)
    labels = [names[i] for i in keep]
    return pd.DataFrame(r, index=pd.Index(labels, name="driver"), columns=labels)


def factor_table(correlations) -> pd.DataFrame:
    """One row per (factor, driver) loading plus the factor links, for the methodology."""
    rows = []
    for fname, factor in correlations.factors.items():
        for driver, loading in factor.loadings.items():
            rows.append({"kind": "loading", "factor": fname, "other": driver, "value": loading,
                         "basis": factor.basis, "note": factor.note})
    for link in correlations.between:
        rows.append({"kind": "link", "factor": link.factors[0], "other": link.factors[1],
                     "value": link.rho, "basis": link.basis, "note": link.note})
    return pd.DataFrame(rows, columns=["kind", "factor", "other", "value", "basis", "note"])
