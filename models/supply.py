"""Supply: the observed installed base as the model's stock, its bounded projection, the other AI
work on it, the allocation of scarce compute, and the check of modelled work against the stock.

The installed base (``fct_installed_base``: shipments x deployment lag x survival, in
H100-equivalents, in the vintage the as-of date could know) is the supply that was actually
there: :func:`supply_basis` turns it into a per-year stock, :func:`allocate` carries it through
the draws (see its docstring for the projection and the allocation rule), and
:func:`supply_check` sets the modelled work beside it with the implied utilisation.

Plain Python: DataFrames and arrays in, DataFrames and arrays out.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models import units

SUPPLY_CHECK_COLUMNS = [
    "year", "as_of_date", "observed_h100e", "observed_h100e_low", "observed_h100e_high",
    "modelled_h100e_p10", "modelled_h100e_p50", "modelled_h100e_p90",
    "generative_h100e_p10", "generative_h100e_p50", "generative_h100e_p90",
    "implied_utilisation_p10", "implied_utilisation_p50", "implied_utilisation_p90",
]


def observed_stock(installed_base: pd.DataFrame) -> pd.DataFrame:
    """Per calendar year the stock covers in full: the average of its four quarter-end stocks
    (all vendors), central, low and high, in H100-equivalents. ``installed_base`` holds one
    vintage (see ``ModelInputs.as_of``)."""
    rows = installed_base[installed_base["vendor"] == "all"]
    if rows.empty:
        return pd.DataFrame(columns=["year", "as_of_date", "observed_h100e", "observed_h100e_low",
                                     "observed_h100e_high"])
    grouped = rows.groupby("year").agg(
        quarters=("period_end", "nunique"), as_of_date=("as_of_date", "max"),
        observed_h100e=("installed_h100e", "mean"), observed_h100e_low=("installed_h100e_low", "mean"),
        observed_h100e_high=("installed_h100e_high", "mean"))
    full = grouped[grouped["quarters"] == 4].drop(columns="quarters").reset_index()
    full["year"] = full["year"].astype(int)
    full["as_of_date"] = pd.to_datetime(full["as_of_date"]).dt.strftime("%Y-%m-%d")
    return full[full["observed_h100e"] > 0].reset_index(drop=True)


def supply_check(demand: pd.DataFrame, installed_base: pd.DataFrame) -> pd.DataFrame:
    """For the years the stock covers in full: the observed stock, the modelled work on it (all
    AI: generative served + other AI, in installed H100e; and the generative part alone) and the
    implied utilisation (the model's ``all_ai`` / ``utilisation`` row: allocated / installed, per
    draw). The model's installed stock equals the observed one in these years by construction;
    the utilisation is the check."""
    basis = supply_basis(installed_base)  # the years the model takes as observations
    observed = observed_stock(installed_base)
    observed = observed[observed["year"].isin(basis["year"])]
    scope = demand["scope"] if "scope" in demand.columns else pd.Series("generative", index=demand.index)

    def pick(sc, bucket, unit, prefix):
        rows = demand[(scope == sc) & (demand["bucket"] == bucket) & (demand["unit"] == unit)]
        return rows[["year", "p10", "p50", "p90"]].rename(
            columns={q: f"{prefix}_{q}" for q in ("p10", "p50", "p90")})

    out = observed.merge(pick("all_ai", "total", "h100e", "modelled_h100e"), on="year", how="inner")
    out = out.merge(pick("generative", "total", "h100e", "generative_h100e"), on="year", how="left")
    out = out.merge(pick("all_ai", "utilisation", "fraction", "implied_utilisation"), on="year", how="left")
    return out.reindex(columns=SUPPLY_CHECK_COLUMNS).sort_values("year").reset_index(drop=True)


# --- the observed stock as the engine's supply ---------------------------------------------------

SUPPLY_COLUMNS = ["year", "observed", "installed_h100e", "installed_h100e_low", "installed_h100e_high",
                  "shipped_h100e"]


def supply_basis(installed_base: pd.DataFrame) -> pd.DataFrame:
    """Per year the stock covers in full, from its second year on: the average installed H100e
    (central, low, high) and the H100e shipped in the year (all vendors, from the cumulative shipped series at the year's last
    quarter end minus the previous year's). Empty when the installed base is empty."""
    stock = observed_stock(installed_base)
    if stock.empty:
        return pd.DataFrame(columns=SUPPLY_COLUMNS)
    rows = installed_base[installed_base["vendor"] == "all"].copy()
    rows["period_end"] = pd.to_datetime(rows["period_end"])
    if "shipped_h100e_cumulative" not in rows.columns:  # optional: the projection falls back
        rows["shipped_h100e_cumulative"] = np.nan
    cum = pd.to_numeric(rows.sort_values("period_end").groupby("year")["shipped_h100e_cumulative"].last(),
                        errors="coerce")
    shipped = cum.diff()
    shipped.iloc[0] = cum.iloc[0]  # the stock starts with its first year's shipments
    out = stock.rename(columns={"observed_h100e": "installed_h100e",
                                "observed_h100e_low": "installed_h100e_low",
                                "observed_h100e_high": "installed_h100e_high"})
    out["observed"] = True
    out["shipped_h100e"] = out["year"].map(shipped).astype(float)
    out = out.sort_values("year").reset_index(drop=True)
    # The stock starts with its first year's shipments: that year lacks the chips bought before
    # it, so it is not an observation of the installed base.
    return out.iloc[1:].reindex(columns=SUPPLY_COLUMNS).reset_index(drop=True)


# --- the engine: installed stock per draw, other AI work, allocation -----------------------------



@dataclass
class Allocation:
    stock_h100e: np.ndarray  # (years, draws)
    demand_h100e: np.ndarray  # generative + other AI demand, in installed H100e
    served: dict  # bucket -> served fraction (years, draws)
    other_hours: dict  # other_ai_training / other_ai_inference accelerator-hours
    served_fraction: np.ndarray  # generative served / generative demand


def observed_position(basis: pd.DataFrame, position: np.ndarray) -> np.ndarray:
    """Observed stock per (observed year, draw): ``position`` 0 -> the low end, 0.5 -> central,
    1 -> the high end of the publishers' range, linearly in between."""
    c = basis["installed_h100e"].to_numpy(float)[:, None]
    lo = basis["installed_h100e_low"].to_numpy(float)[:, None]
    hi = basis["installed_h100e_high"].to_numpy(float)[:, None]
    p = np.asarray(position, dtype=float)[None, :]
    return np.where(p < 0.5, lo + (c - lo) * (p / 0.5), c + (hi - c) * ((p - 0.5) / 0.5))


def shipment_capacity(k: np.ndarray, growth, decay) -> np.ndarray:
    """Multiplier on the last observed year's shipments k years later, (len(k), draws): yearly
    growth g_t = 1 + (g - 1) x decay ** (t - 1), compounded."""
    g, dec = np.asarray(growth, float), np.asarray(decay, float)
    out = np.ones((len(k), g.size))
    for i, t in enumerate(k):
        out[i] = np.prod([1.0 + (g - 1.0) * dec ** (s - 1) for s in range(1, int(t) + 1)], axis=0) \
            if t > 0 else 1.0
    return out


def _allocate_year(yi, cap, gen, other, other_kept, tr_b, serve_b, rest_b, training_floor,
                   observed_usage, served, other_served, draws) -> None:
    """The allocation rule for one projected year (in place; see :func:`allocate`)."""
    demand = sum(gen[b][yi] for b in gen) + other[yi]
    short = demand > cap * (1 + 1e-12)
    if not short.any():
        return
    left = cap.copy()

    def take(amount):
        nonlocal left
        got = np.minimum(amount, np.maximum(left, 0.0))
        left = left - got
        return got

    serve_need = sum(gen[b][yi] for b in serve_b)
    if observed_usage:  # observed usage is served in full
        take(serve_need)
    floor_share = np.asarray(training_floor)
    # the running revenue-critical work (ads, search ranking) keeps the capacity it had in the last
    # observed year, never more than what leaves the R&D floor room; its growth competes with serving
    running = np.minimum(other[yi], np.minimum(other_kept, (1.0 - floor_share) * cap))
    got_running = take(running)
    train_need = sum(gen[b][yi] for b in tr_b)
    floor = take(np.minimum(train_need, floor_share * cap))
    other_growth = other[yi] - got_running
    tier2 = other_growth + (0.0 if observed_usage else serve_need)
    got2 = take(tier2)
    with np.errstate(divide="ignore", invalid="ignore"):
        f2 = np.where(tier2 > 0, got2 / tier2, 1.0)
        f_other = np.where(other[yi] > 0, (got_running + other_growth * f2) / other[yi], 1.0)
        if observed_usage:
            f2 = np.ones(draws)
        rest_need = (train_need - floor) + sum(gen[b][yi] for b in rest_b)
        got3 = take(rest_need)
        f3 = np.where(rest_need > 0, got3 / rest_need, 1.0)
        train_frac = np.where(train_need > 0, (floor + (train_need - floor) * f3) / train_need, 1.0)
    serve_frac = np.ones(draws) if observed_usage else f2
    for b in tr_b:
        served[b][yi] = np.where(short, train_frac, 1.0)
    for b in serve_b:
        served[b][yi] = np.where(short, serve_frac, 1.0)
    for b in rest_b:
        served[b][yi] = np.where(short, f3, 1.0)
    other_served[yi] = np.where(short, f_other, 1.0)


def allocate(years, demand_hours: dict, sides: dict, serving_buckets, hpc: np.ndarray,
             w_per_h100e: np.ndarray, basis: pd.DataFrame, usage_year: int, d: dict,
             life_years: float, training_floor: float, other_reference_year: int) -> Allocation:
    """The installed stock, the other-AI work on it and the allocation of generative demand.

    Stock. Observed years (the installed base covers all four quarters): the shipment-based
    stock at the drawn position in its range. Later years start from the last observed stock:
    survivors (1 - 1/life per year) plus purchases, purchases never above the shipment capacity
    (the last observed year's shipments growing at ``supply_growth_per_year``, the excess growth
    shrinking by ``supply_growth_decay_per_year`` a year: packaging and HBM) and the stock never
    above the power path (installed GW growing at most ``power_growth_cap_per_year``); buyers
    stop buying when the stock covers the demand. Years before the first observed year have no
    stock data: their stock is the demand (no idle capacity assumed).

    Other AI (recommendation, ranking, vision, enterprise ML): ``other_ai_share_of_stock`` of the
    stock in the reference year, growing at ``other_ai_growth_per_year`` (shrinking before it),
    ``other_ai_inference_share`` of it inference.

    Allocation, projection years only (observed years serve every demand; a year with observed
    token usage always serves its external serving in full, and its stock is at least what served
    it with the running other AI work, plus the R&D floor's share of that stock): (1) the other AI work already running (ads, search and feed ranking: revenue-critical)
    keeps the capacity it had in the last observed year (at most 1 - floor of the stock); (2) an
    R&D floor, ``training_floor`` of the stock for the labs' training and internal inference;
    (3) external serving (revenue-backed) and the growth of other AI; (4) the rest of R&D. Each
    tier is served in full or pro rata to what is left.
    """
    years = np.asarray(years, dtype=int)
    avail = np.asarray(d["fleet_availability"], float)[None, :]
    to_h100e = units.hours_to_installed(hpc[:, None], avail)  # accelerator-hours -> installed H100e
    gen = {b: h * to_h100e for b, h in demand_hours.items()}
    gen_total = sum(gen.values())
    draws = gen_total.shape[1]
    obs = basis[basis["year"].isin(years)] if len(basis) else basis
    obs_years = obs["year"].to_numpy(int) if len(obs) else np.array([], dtype=int)
    stock = np.full_like(gen_total, np.nan)
    if len(obs_years):
        idx = np.searchsorted(years, obs_years)
        stock[idx] = observed_position(obs, d["observed_stock_position"])
        ref_year = other_reference_year if other_reference_year in set(obs_years) else int(obs_years[0])
        ref_stock = stock[int(np.searchsorted(years, ref_year))]
        other_ref = d["other_ai_share_of_stock"] * ref_stock
    else:  # no stock data: other AI relative to the generative demand of the reference year
        ref_year = min(max(other_reference_year, int(years[0])), int(years[-1]))
        s = d["other_ai_share_of_stock"]
        other_ref = s / (1.0 - s) * gen_total[int(np.searchsorted(years, ref_year))]
    other = other_ref[None, :] * d["other_ai_growth_per_year"][None, :] ** (years - ref_year)[:, None]
    demand = gen_total + other

    last_obs = int(obs_years[-1]) if len(obs_years) else None
    first_obs = int(obs_years[0]) if len(obs_years) else None
    served = {b: np.ones_like(gen_total) for b in gen}
    other_served = np.ones_like(gen_total)
    if last_obs is None:
        stock = demand.copy()
    else:
        before = years < first_obs
        stock[before] = demand[before]
        li = int(np.searchsorted(years, last_obs))
        ship_last = float(obs["shipped_h100e"].iloc[-1]) if "shipped_h100e" in obs else np.nan
        if not np.isfinite(ship_last) or ship_last <= 0:
            ship_last = float(obs["installed_h100e"].iloc[-1]) / life_years
        central_last = float(obs["installed_h100e"].iloc[-1])
        ship_last = ship_last * stock[li] / central_last  # shipments scale with the drawn stock
        later = np.nonzero(years > last_obs)[0]
        k = years[later] - last_obs
        ship_cap = ship_last[None, :] * shipment_capacity(k, d["supply_growth_per_year"],
                                                         d["supply_growth_decay_per_year"])
        power_cap = stock[li][None, :] * d["power_growth_cap_per_year"][None, :] ** k[:, None] \
            * (w_per_h100e[li] / w_per_h100e[later])[:, None]
        survive = 1.0 - 1.0 / life_years
        tr_b = [b for b in gen if sides[b] == "training" or b == "internal_inference"]  # labs' R&D
        serve_b = [b for b in gen if b in serving_buckets]
        rest_b = [b for b in gen if b not in tr_b and b not in serve_b]
        prev = stock[li]
        for j, yi in enumerate(later):
            surv = prev * survive
            hi = np.maximum(np.minimum(surv + ship_cap[j], power_cap[j]), surv)
            stock[yi] = np.clip(demand[yi], surv, hi)
            observed_usage = years[yi] <= usage_year
            if observed_usage:
                # observed usage was served, and the labs trained on their R&D floor of the stock
                # that served it: without this, a draw whose serving filled the capped stock
                # trained nothing in that year (the 2025-06 brief's base P10 was 0 FLOP in 2025)
                kept = sum(gen[b][yi] for b in serve_b) + np.minimum(other[yi], other[li])
                stock[yi] = np.maximum(stock[yi], kept / (1.0 - np.asarray(training_floor)))
            _allocate_year(yi, stock[yi], gen, other, other[li], tr_b, serve_b, rest_b, training_floor,
                           observed_usage, served, other_served, draws)
            if observed_usage:  # the chips that served observed usage were there
                used = sum(gen[b][yi] * served[b][yi] for b in gen) + other[yi] * other_served[yi]
                stock[yi] = np.maximum(stock[yi], used)
            prev = stock[yi]
    other = other * other_served
    other_hours_total = other / to_h100e
    s_inf = np.asarray(d["other_ai_inference_share"], float)[None, :]
    other_hours = {"other_ai_training": other_hours_total * (1.0 - s_inf),
                   "other_ai_inference": other_hours_total * s_inf}
    served_gen = sum(gen[b] * served[b] for b in gen)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(gen_total > 0, served_gen / gen_total, 1.0)
    return Allocation(stock, demand, served, other_hours, frac)
