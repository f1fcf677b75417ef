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


# W. J. Cody's rational Chebyshev approximations of the normal CDF (ACM TOMS 715, SPECFUN ANORM;
# the algorithm of R's pnorm): |x| <= qnorm(3/4), qnorm(3/4) < |x| <= sqrt(32), and the tail.
_CA = (2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582,
       18154.981253343561249, 0.065682337918207449113)
_CB = (47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956)
_CC = (0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979,
       597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
       11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8)
_CD = (22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
       18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727)
_CP = (0.21589853405795699, 0.1274011611602473639, 0.022235277870649807,
       0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303)
_CQ = (1.28426009614491121, 0.468238212480865118, 0.0659881378689285515,
       0.00378239633202758244, 7.29751555083966205e-5)
_SQRT32 = 5.656854249492380195206754896838
_INV_SQRT_2PI = 0.398942280401432677939946059934


def _norm_cdf_block(x: np.ndarray, out: np.ndarray) -> None:
    """Cody's algorithm on one contiguous block, in place and without gathers: the middle-range
    rational is evaluated on the whole block (|x| clamped to sqrt(32)), the central one is copied
    over where |x| <= qnorm(3/4), and only the rare far tail is indexed."""
    y = np.abs(x)
    t = np.minimum(y, _SQRT32)
    num = _CC[8] * t
    den = t + _CD[0]
    num += _CC[0]
    for i in range(1, 7):
        num *= t
        num += _CC[i]
        den *= t
        den += _CD[i]
    num *= t
    num += _CC[7]
    den *= t
    den += _CD[7]
    num /= den
    t *= t
    t *= -0.5
    num *= np.exp(t, out=t)  # |x| <= sqrt(32): rounding x^2 costs < 4e-15 relative
    np.subtract(1.0, num, out=num, where=x > 0)
    out[...] = num

    xs = np.clip(x, -0.67448975, 0.67448975)
    s = xs * xs
    num = _CA[4] * s
    den = s + _CB[0]
    num += _CA[0]
    for i in range(1, 3):
        num *= s
        num += _CA[i]
        den *= s
        den += _CB[i]
    num *= s
    num += _CA[3]
    den *= s
    den += _CB[3]
    num /= den
    num *= xs
    num += 0.5
    np.copyto(out, num, where=y <= 0.67448975)

    far = y > _SQRT32
    if far.any():
        t = np.minimum(y[far], 40.0)  # exp(-800) is 0: Phi is 0 or 1 beyond (inf stays finite)
        s = 1.0 / (t * t)
        num = _CP[5] * s
        den = s
        for i in range(4):
            num = (num + _CP[i]) * s
            den = (den + _CQ[i]) * s
        tail = (_INV_SQRT_2PI - s * (num + _CP[4]) / (den + _CQ[4])) / t
        # exp(-x^2/2) split as in Cody's code so that rounding x^2 does not cost accuracy
        xsq = np.trunc(t * 16.0) / 16.0
        delta = (t - xsq) * (t + xsq)
        tail *= np.exp(-0.5 * xsq * xsq) * np.exp(-0.5 * delta)
        out[far] = np.where(x[far] > 0, 1.0 - tail, tail)


_CDF_BLOCK = 1 << 15  # values per block: the in-place temporaries stay in cache (~2x faster)


def norm_cdf(x):
    """Standard normal CDF, element-wise (W. J. Cody's rational Chebyshev algorithm, ACM TOMS 715,
    as in R's pnorm; no SciPy).

    Relative error below 1e-14 for the CDF everywhere and for the lower tail down to x = -37.5
    (below: 0; subnormal results lose digits). For x > 0 the upper tail 1 - Phi(x) is only as
    accurate as a double near 1 allows: use ``norm_cdf(-x)`` for survival probabilities.
    NaN stays NaN. About 80 ms for 4 million values.
    """
    x = np.asarray(x, dtype=float)
    out = np.empty(x.shape)
    xf = np.ascontiguousarray(x).reshape(-1)
    of = out.reshape(-1)
    for i in range(0, xf.size, _CDF_BLOCK):
        _norm_cdf_block(xf[i:i + _CDF_BLOCK], of[i:i + _CDF_BLOCK])
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
                     r2=1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0)


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
