"""One-at-a-time sensitivity: the tornado behind "which driver matters".

Every driver sits at its P50; one at a time, a driver moves to its P10 and to its P90, and the
inference share in the target year is recomputed, in each unit (FLOP, accelerator-hours, energy,
spend). The swing is |share at P90 - share at P10|; rows are sorted by swing, largest first.
All 1 + 2 x drivers cases run as one vectorised simulation (each case is one "draw").
Drivers the run does not use (the token fallback when disclosures exist, TCO inputs on the
rental basis) are left out; fixed drivers have no swing and sort last.
"""

import numpy as np
import pandas as pd

from models.config import Scenario
from models.context import Context
from models.driver_registry import DRIVERS
from models.paths import simulate
from models.summary import SHARE_UNITS

TORNADO_COLUMNS = ["scenario", "snapshot_hash", "year", "unit", "driver", "driver_unit", "group",
                   "basis_kind", "value_p10", "value_p50", "value_p90", "share_at_p10",
                   "share_base", "share_at_p90", "swing", "rank"]


def tornado(ctx: Context, drivers: dict, scenario: Scenario, year: int | None = None,
            snapshot_hash: str = "", units=tuple(SHARE_UNITS)) -> pd.DataFrame:
    """Tornado data for the inference share in ``year`` (default: the horizon)."""
    year = int(year if year is not None else ctx.years[-1])
    if year not in set(int(y) for y in ctx.years):
        raise ValueError(f"tornado year {year} is outside the modelled years {ctx.years[0]}-{ctx.years[-1]}")
    has_tokens = ctx.token_anchor.has_data
    names = [n for n in DRIVERS if scenario.driver_is_used(n, has_tokens)]
    q = {n: drivers[n].quantiles() for n in DRIVERS}
    cases = 1 + 2 * len(names)
    d = {n: np.full(cases, q[n][1], dtype=float) for n in DRIVERS}
    for i, n in enumerate(names):
        d[n][1 + 2 * i] = q[n][0]
        d[n][2 + 2 * i] = q[n][2]
    paths = simulate(ctx, d)
    yi = int(np.nonzero(ctx.years == year)[0][0])
    rows = []
    for unit, label in SHARE_UNITS.items():
        if unit not in units and label not in units:
            continue
        share = paths.inference_share(unit)[yi]
        for i, n in enumerate(names):
            lo, hi = float(share[1 + 2 * i]), float(share[2 + 2 * i])
            rows.append({
                "scenario": scenario.name, "snapshot_hash": snapshot_hash, "year": year,
                "unit": label, "driver": n, "driver_unit": DRIVERS[n].unit, "group": DRIVERS[n].group,
                "basis_kind": drivers[n].kind, "value_p10": q[n][0], "value_p50": q[n][1],
                "value_p90": q[n][2], "share_at_p10": lo, "share_base": float(share[0]),
                "share_at_p90": hi, "swing": abs(hi - lo),
            })
    out = pd.DataFrame(rows, columns=TORNADO_COLUMNS[:-1])
    out = out.sort_values(["unit", "swing", "driver"], ascending=[True, False, True]).reset_index(drop=True)
    out["rank"] = out.groupby("unit").cumcount() + 1
    return out[TORNADO_COLUMNS]
