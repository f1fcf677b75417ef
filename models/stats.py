"""Small numerical helpers the model needs without SciPy: normal and Student-t quantiles, least
squares with a standard error, and fast quantiles along the draws axis.

Everything is vectorised numpy; nothing here knows about the domain.
"""

from dataclasses import dataclass

import numpy as np

Z90 = 1.2815515655446004
"""Standard-normal 0.9 quantile: a lognormal's p10/p90 sit at mu -/+ Z90 * sigma."""

# Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
_P_LOW = 0.02425


def norm_ppf(p):
    """Inverse of the standard normal CDF, element-wise, for p in (0, 1)."""
    p = np.asarray(p, dtype=float)
    out = np.empty_like(p)
    low = p < _P_LOW
    high = p > 1.0 - _P_LOW
    mid = ~(low | high)
    if mid.any():
        q = p[mid] - 0.5
        r = q * q
        num = (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
        den = ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0
        out[mid] = num / den
    for mask, sign in ((low, 1.0), (high, -1.0)):
        if mask.any():
            pm = p[mask] if sign > 0 else 1.0 - p[mask]
            q = np.sqrt(-2.0 * np.log(pm))
            num = ((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]
            den = (((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0
            out[mask] = sign * num / den
    return out


def t_ppf(p: float, df: float) -> float:
    """Student-t quantile by the Cornish-Fisher expansion around the normal quantile.

    Accurate to ~1e-3 for df >= 5 (the regressions here have dozens of points); df < 3 is refused.
    """
    if df < 3:
        raise ValueError(f"t_ppf: need at least 3 degrees of freedom, got {df}")
    z = float(norm_ppf(np.array([p]))[0])
    g1 = (z**3 + z) / 4.0
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96.0
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384.0
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160.0
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


@dataclass(frozen=True)
class LinearFit:
    """Ordinary least squares y = intercept + slope * x, with the slope's standard error."""

    n: int
    slope: float
    intercept: float
    slope_se: float
    r2: float
    x_mean: float

    @property
    def df(self) -> int:
        return self.n - 2

    def slope_interval(self, level: float) -> tuple[float, float]:
        """Two-sided confidence interval of the slope at ``level`` (e.g. 0.9)."""
        t = t_ppf(0.5 + level / 2.0, self.df)
        return self.slope - t * self.slope_se, self.slope + t * self.slope_se


def ols(x, y) -> LinearFit:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.size
    if n < 3:
        raise ValueError(f"ols: need at least 3 points, got {n}")
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    if sxx == 0:
        raise ValueError("ols: all x values are equal")
    slope = float(((x - xm) * (y - ym)).sum() / sxx)
    intercept = ym - slope * xm
    resid = y - (intercept + slope * x)
    ss_res = float((resid**2).sum())
    ss_tot = float(((y - ym) ** 2).sum())
    se = float(np.sqrt(ss_res / (n - 2) / sxx))
    return LinearFit(n=n, slope=slope, intercept=float(intercept), slope_se=se,
                     r2=1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0, x_mean=float(xm))


def quantiles_rows(values: np.ndarray, qs=(0.1, 0.5, 0.9)) -> np.ndarray:
    """Quantiles of each row of a (rows, draws) array, numpy's 'linear' method.

    Sorting a contiguous row is several times faster than ``np.quantile``'s multi-kth partition
    for 1e5 draws, which is what keeps the Monte Carlo summary inside its time budget.
    Returns an array (len(qs), rows). NaNs sort last and are not expected here.
    """
    srt = np.sort(np.ascontiguousarray(values), axis=-1)
    n = srt.shape[-1]
    out = np.empty((len(qs),) + srt.shape[:-1])
    for i, q in enumerate(qs):
        pos = q * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = pos - lo
        out[i] = srt[..., lo] * (1.0 - frac) + srt[..., hi] * frac
    return out
