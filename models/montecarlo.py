"""The Monte Carlo engine: every driver drawn at once, every year computed at once.

:func:`draw_drivers` draws a (draws x drivers) matrix of uniforms from a seeded numpy Generator,
ties the columns through the scenario's named factors and maps each column through its driver's
inverse CDF. :func:`run_monte_carlo` then simulates the paths (:mod:`models.paths`), weights them
against the observations (:mod:`models.calibration`) and summarises the calibrated draws
(:mod:`models.summary`).
"""

import numpy as np
import pandas as pd

from models.calibration import calibrate
from models.context import Context
from models.driver_registry import DRIVERS
from models.factors import U_CLIP, correlate_uniforms
from models.inputs import REQUIRED_COLUMNS
from models.paths import simulate
from models.summary import crossover, summarise


def draw_drivers(drivers: dict, draws: int, rng: np.random.Generator,
                 correlations=None) -> dict[str, np.ndarray]:
    """All drivers at once: a (draws x drivers) uniform matrix, tied through the scenario's named
    factors (a Gaussian copula, :mod:`models.factors`), each column through its driver's inverse
    CDF. Column order is the registry's, so a seed means the same thing for every scenario."""
    names = list(DRIVERS)
    u = rng.random((draws, len(names)))
    np.clip(u, U_CLIP, 1.0 - U_CLIP, out=u)
    if correlations is not None and getattr(correlations, "factors", None):
        u = correlate_uniforms(u, names, correlations, rng)
        np.clip(u, U_CLIP, 1.0 - U_CLIP, out=u)
    ut = np.ascontiguousarray(u.T)
    return {name: np.asarray(drivers[name].ppf(ut[i]), dtype=float) for i, name in enumerate(names)}


def run_monte_carlo(ctx: Context, drivers: dict, draws: int, seed: int, scenario: str,
                    snapshot_hash: str, correlations=None, splits: pd.DataFrame | None = None,
                    lab_spend: pd.DataFrame | None = None, training_history: pd.DataFrame | None = None,
                    only: set[tuple[str, str, str]] | None = None):
    """Draw, simulate, calibrate, summarise: (demand, crossover, crossover_summary, paths,
    calibration). ``demand`` and the crossover are the calibrated results (the draws resampled
    by their weights); ``calibration.idx`` are those draws. ``only``: see :func:`summarise`."""
    if draws < 2:
        raise ValueError("draws must be at least 2")
    rng = np.random.default_rng(seed)
    d = draw_drivers(drivers, draws, rng, correlations)
    paths = simulate(ctx, d)
    if splits is None:
        splits = pd.DataFrame(columns=REQUIRED_COLUMNS["published_splits"])
    cal = calibrate(paths, splits, lab_spend, seed, scenario, snapshot_hash, training_history)
    calibrated = paths.subset(cal.idx)  # the resampled draws: every summary is of these
    demand = summarise(calibrated, scenario, seed, snapshot_hash, only=only)
    dist, summ = crossover(calibrated, scenario, seed, snapshot_hash)
    return demand, dist, summ, paths, cal
