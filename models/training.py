"""Training demand: history from ``fct_training_runs``, the frontier trend, and the training buckets.

History
    Per publication year: number of runs with a FLOP figure, their total ("notable total") and
    the top-N total ("frontier", N = 10 by default).
Trend
    Ordinary least squares of log10(training FLOP) of the frontier runs (top-N per year, from
    ``trend_start_year`` through the last complete year) on the publication date as a decimal year. The slope b gives the growth
    factor 10**b per year; its t-interval gives the confidence interval, and the 80% interval is
    the default P10/P90 of the ``frontier_growth_per_year`` driver.
Level
    The largest run at the anchor year (the last complete year as of the date) is the geometric
    mean of the largest run of each of the last ``trend_level_years`` complete years, each moved
    to the anchor year along the fitted slope. The largest run, not the top-N total, because it
    depends least on how complete the list is: as of 2026-11 the bundled snapshot alone and the
    snapshot with Epoch's notable models differ 3.9x in the detrended top-10 total but 2.0x in
    the detrended largest run. Averaging detrended years damps the newest year's disclosure lag
    (FLOP estimates for the latest models arrive late or never).
Buckets (FLOP per year)
    largest(y)    = level x g_hist ** (y - anchor) for y <= anchor (g_hist: the fitted growth),
                    level x g ** (y - anchor) after (g: the drawn ``frontier_growth_per_year``)
    runs(y)       = largest_run_equivalents x change ** max(y - anchor, 0)   (change: the drawn
                    ``largest_run_equivalents_change_per_year``; the largest runs concentrate)
    pretraining   = runs(y) x largest(y)
    s(y)          = clip(post_training_share_2024 + gain x (y - 2024), 0, cap)
    final runs    = pretraining / (1 - s);   posttraining = s x final runs
    experiments   = rd_to_final_ratio x final runs
    synthetic_data = synthetic_data_ratio x final runs
The modelled series is a smooth trend through history and projection alike; the observed totals
stay in the history table next to it.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.inputs import decimal_year
from models.stats import ols
from models.units import growth_to_log10_slope, log10_slope_to_growth


def runs_with_flop(runs: pd.DataFrame) -> pd.DataFrame:
    out = runs[(runs["training_flop"] > 0) & runs["publication_date"].notna()].copy()
    out["year"] = out["publication_date"].dt.year.astype(int)
    return out


def frontier_runs(runs: pd.DataFrame, top_n: int = 10, start_year: int | None = None) -> pd.DataFrame:
    """The top-N runs by training FLOP in each publication year."""
    out = runs_with_flop(runs)
    if start_year is not None:
        out = out[out["year"] >= start_year]
    # Only rows ranked in their year's top N (ties at the cut included) can be picked: sort those.
    out = out[out.groupby("year")["training_flop"].rank(method="min", ascending=False) <= top_n]
    out = out.sort_values(["year", "training_flop", "model_id"], ascending=[True, False, True])
    return out.groupby("year", group_keys=False).head(top_n).reset_index(drop=True)


HISTORY_COLUMNS = ["year", "runs_with_flop", "notable_total_flop", "frontier_top_n_flop",
                   "frontier_max_flop"]


def training_history(runs: pd.DataFrame, top_n: int = 10) -> pd.DataFrame:
    """Observed training compute per publication year (runs with a FLOP figure only)."""
    with_flop = runs_with_flop(runs)
    if with_flop.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    total = with_flop.groupby("year")["training_flop"].agg(["count", "sum", "max"])
    top = frontier_runs(runs, top_n).groupby("year")["training_flop"].sum()
    out = pd.DataFrame({
        "year": total.index.astype(int),
        "runs_with_flop": total["count"].astype(int).to_numpy(),
        "notable_total_flop": total["sum"].to_numpy(),
        "frontier_top_n_flop": top.reindex(total.index).to_numpy(),
        "frontier_max_flop": total["max"].to_numpy(),
    })
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class TrendFit:
    """The fitted frontier trend. ``ok`` is False when too few points (then the scenario's
    fallback distribution is used)."""

    ok: bool
    n: int
    slope_log10_per_year: float
    r2: float
    growth_per_year: float
    ci80: tuple[float, float]
    ci90: tuple[float, float]
    first_year: int | None
    last_year: int | None
    message: str = ""

    def as_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "fit_ok": self.ok, "n_runs": self.n, "first_year": self.first_year,
            "last_year": self.last_year, "slope_log10_per_year": self.slope_log10_per_year,
            "growth_per_year": self.growth_per_year, "growth_p10": self.ci80[0],
            "growth_p90": self.ci80[1], "growth_ci90_low": self.ci90[0],
            "growth_ci90_high": self.ci90[1], "r2": self.r2, "message": self.message,
        }])


def fit_frontier_trend(runs: pd.DataFrame, top_n: int = 10, start_year: int = 2010,
                       min_points: int = 8, end_year: int | None = None) -> TrendFit:
    """Log-linear fit of frontier-run training FLOP on publication date (see module docstring).

    ``end_year``: the last year whose runs enter (the last complete year as of the date: the
    current year is partial and FLOP estimates for its newest models arrive late)."""
    frontier = frontier_runs(runs, top_n, start_year)
    if end_year is not None:
        frontier = frontier[frontier["year"] <= end_year]
    n = len(frontier)
    if n < min_points or frontier["year"].nunique() < 3:
        return TrendFit(False, n, np.nan, np.nan, np.nan, (np.nan, np.nan),
                        (np.nan, np.nan), None, None,
                        f"only {n} frontier runs with a FLOP figure (need {min_points} over 3+ years)")
    x = decimal_year(frontier["publication_date"])
    y = np.log10(frontier["training_flop"].to_numpy(dtype=float))
    fit = ols(x, y)
    lo80, hi80 = fit.slope_interval(0.8)
    lo90, hi90 = fit.slope_interval(0.9)
    return TrendFit(
        ok=True, n=n, slope_log10_per_year=fit.slope, r2=fit.r2,
        growth_per_year=log10_slope_to_growth(fit.slope),
        ci80=(log10_slope_to_growth(lo80), log10_slope_to_growth(hi80)),
        ci90=(log10_slope_to_growth(lo90), log10_slope_to_growth(hi90)),
        first_year=int(frontier["year"].min()), last_year=int(frontier["year"].max()),
    )


def frontier_level(history: pd.DataFrame, anchor_year: int, growth_per_year: float,
                   level_years: int = 3, column: str = "frontier_max_flop") -> tuple[float, list[int]]:
    """Largest-run FLOP (or ``column``) at ``anchor_year``: the geometric mean of the last
    ``level_years`` observed years up to the anchor, each detrended to the anchor year."""
    h = history[(history["year"] <= anchor_year) & (history[column] > 0)]
    h = h.sort_values("year").tail(level_years)
    if h.empty:
        raise ValueError(f"no training run with a FLOP figure on or before {anchor_year}")
    moved = np.log10(h[column].to_numpy(dtype=float)) + \
        growth_to_log10_slope(growth_per_year) * (anchor_year - h["year"].to_numpy())
    return float(10 ** moved.mean()), [int(y) for y in h["year"]]


def frontier_path(years: np.ndarray, anchor_year: int, level: float, hist_growth: float,
                  growth: np.ndarray) -> np.ndarray:
    """Largest-run FLOP per year, shape (years, draws): fitted growth up to the anchor year,
    the drawn growth after it."""
    k = (np.asarray(years) - anchor_year)[:, None].astype(float)
    g = np.asarray(growth, dtype=float)[None, :]
    hist = level * hist_growth ** np.minimum(k, 0.0)
    return hist * g ** np.maximum(k, 0.0)


def post_training_share(years: np.ndarray, share_2024, gain_per_year, cap: float) -> np.ndarray:
    """Post-training share of final-run compute, (years, draws), clipped to [0, cap]."""
    k = (np.asarray(years) - 2024)[:, None].astype(float)
    s = np.asarray(share_2024)[None, :] + np.asarray(gain_per_year)[None, :] * k
    return np.clip(s, 0.0, cap)


def run_equivalents_path(years: np.ndarray, anchor_year: int, equivalents, change) -> np.ndarray:
    """Industry pre-training / largest run, (years, draws): constant through the anchor year,
    changing by ``change`` per year after it."""
    k = np.maximum((np.asarray(years) - anchor_year)[:, None].astype(float), 0.0)
    return np.asarray(equivalents)[None, :] * np.asarray(change)[None, :] ** k


def training_buckets(largest: np.ndarray, equivalents: np.ndarray, post_share: np.ndarray, rd_ratio,
                     synthetic_ratio) -> dict[str, np.ndarray]:
    """FLOP per year and draw of the four training buckets (see module docstring);
    ``equivalents`` is (years, draws) from :func:`run_equivalents_path`."""
    pre = largest * equivalents
    final = pre / (1.0 - post_share)
    return {
        "pretraining": pre,
        "posttraining": final - pre,
        "experiments": final * np.asarray(rd_ratio)[None, :],
        "synthetic_data": final * np.asarray(synthetic_ratio)[None, :],
    }
