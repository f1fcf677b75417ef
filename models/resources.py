"""From FLOP to resources: accelerator-hours, installed H100-equivalents, power, energy and spend.

Fleet mix (deterministic, from ``dim_accelerator`` as of the date)
    Data-centre chips: a dense BF16 (else FP16) figure and at least ``min_memory_bytes`` of memory.
    A chip released in year r ships in vintages r + lag ... r + lag + shipping_years - 1. A
    vintage's chip is the purchase-weighted average of the chips shipping that year: vendors
    weighted by ``vendor_weights`` (an assumption: no public shipment volumes in the data), chips
    equally within a vendor. Vintages after the last one the as-of data can define (as-of year +
    lag) extrapolate its peak and board power at ``future_*_growth_per_year``. The installed fleet
    of year y averages the vintages y - life + 1 ... y, weighted by purchases growing at
    ``fleet_purchase_growth`` per year.
    Training runs at the BF16 peak; serving at the FP8 (or FP4) peak where a chip has one, else
    BF16. Board power: TDP; where a vendor publishes none (TPUs), the median W per BF16 FLOP/s of
    the chips that do.
Conversions (per bucket, (years, draws))
    accelerator-hours = FLOP / (peak x utilisation x 3600), training MFU for pre/post-training and
    experiments, serving utilisation for the inference-shaped buckets (synthetic data included:
    generation and rollouts are decode-bound work).
    H100e-hours = accelerator-hours x (fleet BF16 peak / H100 BF16 peak).
    installed H100e = H100e-hours / (8760 x fleet_availability).
    energy (TWh) = accelerator-hours x board W x load factor x server overhead x PUE / 1e12.
    power capacity (GW) = installed chips x board W x server overhead x PUE / 1e9.
    spend (USD), rental basis = H100e-hours x price per H100e-hour in year y, the as-of year's
    price falling at ``hardware_cost_efficiency_growth_per_year``; TCO basis = capex per H100e /
    (amortisation years x 8760 x availability) (falling likewise) + electricity.
"""

import numpy as np
import pandas as pd

from models import units
from models.config import Settings

H100_BF16_DENSE_FLOP_PER_S = 9.894e14  # fallback when the reference chip is not in the data
H100_BOARD_W = 700.0  # the H100 SXM's TDP: imputes board power when no chip in the data has one

SERVING_PRECISION_CHAIN = {
    "fp4": ("fp4_dense_flop_per_s", "fp8_dense_flop_per_s", "bf16_dense_flop_per_s", "fp16_dense_flop_per_s"),
    "fp8": ("fp8_dense_flop_per_s", "bf16_dense_flop_per_s", "fp16_dense_flop_per_s"),
    "bf16": ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s"),
}


def first_known(frame: pd.DataFrame, columns) -> pd.Series:
    out = pd.Series(np.nan, index=frame.index)
    for col in columns:
        if col in frame.columns:
            out = out.fillna(pd.to_numeric(frame[col], errors="coerce"))
    return out


def datacentre_chips(accelerators: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The chips that enter the fleet mix, with training/serving peaks and board power."""
    acc = accelerators.copy()
    train = first_known(acc, ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s"))
    serve = first_known(acc, SERVING_PRECISION_CHAIN[settings.serving_precision])
    memory = pd.to_numeric(acc["memory_bytes"], errors="coerce")
    keep = (train > 0) & (memory >= settings.min_memory_bytes)
    acc, train, serve = acc[keep], train[keep], serve[keep]
    tdp = pd.to_numeric(acc["tdp_w"], errors="coerce")
    known = tdp > 0
    if known.any():
        w_per_flop = float(np.median(tdp[known] / train[known]))
    else:
        w_per_flop = H100_BOARD_W / H100_BF16_DENSE_FLOP_PER_S
    board = tdp.where(known, train * w_per_flop)
    out = pd.DataFrame({
        "accelerator_id": acc["accelerator_id"].to_numpy(),
        "vendor": acc["vendor"].str.lower().to_numpy(),
        "release_year": pd.to_datetime(acc["release_date"]).dt.year.to_numpy(),
        "train_peak_flop_per_s": train.to_numpy(float),
        "serve_peak_flop_per_s": serve.fillna(train).to_numpy(float),
        "board_w": board.to_numpy(float),
        "board_w_imputed": (~known).to_numpy(),
    })
    return out.sort_values(["release_year", "accelerator_id"]).reset_index(drop=True)


def reference_peak(accelerators: pd.DataFrame, accelerator_id: str) -> float:
    row = accelerators[accelerators["accelerator_id"] == accelerator_id]
    value = pd.to_numeric(row["bf16_dense_flop_per_s"], errors="coerce").dropna()
    return float(value.iloc[0]) if len(value) else H100_BF16_DENSE_FLOP_PER_S


def _vintage(chips: pd.DataFrame, v: int, settings: Settings) -> dict | None:
    lag, ship = settings.deployment_lag_years, settings.shipping_years
    s = chips[(chips["release_year"] + lag <= v) & (v <= chips["release_year"] + lag + ship - 1)]
    if s.empty:
        return None
    weights = settings.vendor_weights
    vendor = s["vendor"].where(s["vendor"].isin(weights.keys()), "other")
    vw = vendor.map(lambda x: weights.get(x, 0.0)).astype(float)
    counts = vendor.map(vendor.value_counts())
    w = vw / counts
    if w.sum() <= 0:
        w = pd.Series(1.0, index=s.index)
    w = w / w.sum()
    return {
        "train_peak_flop_per_s": float((w * s["train_peak_flop_per_s"]).sum()),
        "serve_peak_flop_per_s": float((w * s["serve_peak_flop_per_s"]).sum()),
        "board_w": float((w * s["board_w"]).sum()),
        "chips": ",".join(s["accelerator_id"]),
    }


FLEET_COLUMNS = ["year", "train_peak_flop_per_s", "serve_peak_flop_per_s", "board_w",
                 "h100e_per_chip", "vintages_extrapolated", "newest_vintage_chips"]


def fleet_mix(accelerators: pd.DataFrame, years, as_of_year: int, settings: Settings) -> pd.DataFrame:
    """The installed fleet's average chip per year (see module docstring)."""
    chips = datacentre_chips(accelerators, settings)
    if chips.empty:
        raise ValueError("fleet mix: no data-centre accelerator with a BF16/FP16 figure as of the date")
    years = [int(y) for y in years]
    life = settings.fleet_life_years
    last_known = as_of_year + settings.deployment_lag_years
    cache: dict[int, dict] = {}
    known = {}
    for v in range(min(years) - life + 1, max(years) + 1):
        if v <= last_known:
            got = _vintage(chips, v, settings)
            if got is not None:
                known[v] = got
    if not known:
        raise ValueError("fleet mix: no chip ships in the modelled years")
    first_v, last_v = min(known), max(known)

    def vintage(v: int) -> tuple[dict, bool]:
        if v in cache:
            return cache[v], v > last_v
        if v in known:
            cache[v] = known[v]
        elif v < first_v:
            cache[v] = known[first_v]
        elif v > last_v:
            base = known[last_v]
            peak_up = settings.future_peak_growth_per_year ** (v - last_v)
            power_up = settings.future_power_growth_per_year ** (v - last_v)
            cache[v] = {
                "train_peak_flop_per_s": base["train_peak_flop_per_s"] * peak_up,
                "serve_peak_flop_per_s": base["serve_peak_flop_per_s"] * peak_up,
                "board_w": base["board_w"] * power_up,
                "chips": f"extrapolated from {last_v}",
            }
        else:  # a gap year between known vintages: carry the previous one
            prev = max(k for k in known if k < v)
            cache[v] = known[prev]
        return cache[v], v > last_v

    ref = reference_peak(accelerators, settings.reference_accelerator_id)
    rows = []
    for y in years:
        vs = list(range(y - life + 1, y + 1))
        w = np.array([settings.fleet_purchase_growth ** (v - y) for v in vs])
        w = w / w.sum()
        parts = [vintage(v) for v in vs]
        tp = float(sum(wi * p["train_peak_flop_per_s"] for wi, (p, _) in zip(w, parts)))
        sp = float(sum(wi * p["serve_peak_flop_per_s"] for wi, (p, _) in zip(w, parts)))
        bw = float(sum(wi * p["board_w"] for wi, (p, _) in zip(w, parts)))
        rows.append({
            "year": y, "train_peak_flop_per_s": tp, "serve_peak_flop_per_s": sp, "board_w": bw,
            "h100e_per_chip": units.h100e_per_chip(tp, ref),
            "vintages_extrapolated": int(sum(extrap for _, extrap in parts)),
            "newest_vintage_chips": parts[-1][0]["chips"],
        })
    return pd.DataFrame(rows, columns=FLEET_COLUMNS)


def rental_price_fit(rental_prices: pd.DataFrame, accelerator_id: str,
                     min_rows: int = 3) -> dict | None:
    """P10 = 10th percentile, P90 = median of the reference chip's listed prices (as of the date);
    None with fewer than ``min_rows`` rows."""
    rows = rental_prices[(rental_prices["accelerator_id"] == accelerator_id)
                         & (rental_prices["usd_per_accelerator_hour"] > 0)]
    prices = rows["usd_per_accelerator_hour"].to_numpy(float)
    if prices.size < min_rows:
        return None
    p10 = float(np.percentile(prices, 10))
    p90 = float(np.median(prices))
    if not p10 < p90:
        p90 = p10 * 1.2
    return {"n": int(prices.size), "p10": p10, "p90": p90, "min": float(prices.min()),
            "max": float(prices.max())}


def median_rental_price(rental_prices: pd.DataFrame, prefer: str = "on_demand") -> pd.Series:
    """Median USD per accelerator-hour per accelerator_id: of its ``prefer`` rows (on-demand)
    where it has any, else of all its rows (spot, reserved, ...)."""
    rp = rental_prices[rental_prices["usd_per_accelerator_hour"] > 0]
    all_rows = rp.groupby("accelerator_id")["usd_per_accelerator_hour"].median()
    preferred = (rp[rp["pricing_type"] == prefer]
                 .groupby("accelerator_id")["usd_per_accelerator_hour"].median())
    return preferred.combine_first(all_rows)


# --- vectorised conversions, arrays shaped (years, draws) --------------------------------------

def accelerator_hours(flop: np.ndarray, peak: np.ndarray, utilisation) -> np.ndarray:
    return units.flop_to_accelerator_hours(flop, np.asarray(peak)[:, None], np.asarray(utilisation)[None, :])


def installed(hours: np.ndarray, availability) -> np.ndarray:
    return units.hours_to_installed(hours, np.asarray(availability)[None, :])


def energy_twh(hours: np.ndarray, board_w: np.ndarray, load, overhead, pue) -> np.ndarray:
    facility = (np.asarray(load) * np.asarray(overhead) * np.asarray(pue))[None, :]
    return units.watt_hours_to_twh(hours * np.asarray(board_w)[:, None] * facility)


def h100e_to_gw(h100e: np.ndarray, w_per_h100e: np.ndarray, overhead, pue) -> np.ndarray:
    """Installed power (GW) of installed H100e: board W per H100e x server overhead x PUE."""
    facility = (np.asarray(overhead) * np.asarray(pue))[None, :]
    return units.watts_to_gw(h100e * np.asarray(w_per_h100e)[:, None] * facility)


def recent_rental_prices(rental_prices: pd.DataFrame, as_of, window_days: int = 365) -> pd.DataFrame:
    """Listings of the last ``window_days`` before ``as_of`` (undated catalogue rows count as
    current): the price level of the as-of year, not a back-cast of older prices."""
    cut = pd.Timestamp(as_of)
    dated = rental_prices["observed_on"]
    keep = dated.isna() | ((dated <= cut) & (dated > cut - pd.Timedelta(days=window_days)))
    return rental_prices[keep]


PRICE_INDEX_COLUMNS = ["year", "usd_per_h100e_hour_median", "listings", "index", "basis"]


def rental_price_index(rental_prices: pd.DataFrame, accelerators: pd.DataFrame, years, as_of,
                       reference_id: str) -> pd.DataFrame:
    """Observed on-demand price of an H100-equivalent hour per calendar year, relative to the
    as-of year's level.

    Every dated on-demand listing of a data-centre chip with a dense BF16 figure becomes a price
    per H100e-hour (USD per chip-hour / (chip BF16 peak / reference BF16 peak)); the median per
    year over the listings of that year, the index = median(y) / median(last 12 months). Years
    between observed years interpolate log-linearly; years before the first observed year and
    after the as-of year are NaN (the engine grows them at hardware cost efficiency).
    """
    years = [int(y) for y in years]
    ref = reference_peak(accelerators, reference_id)
    peaks = accelerators.set_index("accelerator_id")["bf16_dense_flop_per_s"]
    rp = rental_prices[(rental_prices["pricing_type"] == "on_demand")
                       & (rental_prices["usd_per_accelerator_hour"] > 0)].copy()
    rp["peak"] = pd.to_numeric(rp["accelerator_id"].map(peaks), errors="coerce")
    rp = rp[rp["peak"] > 0]
    rp["per_h100e"] = rp["usd_per_accelerator_hour"] / units.h100e_per_chip(rp["peak"], ref)
    recent = recent_rental_prices(rp, as_of)
    out = pd.DataFrame({"year": years})
    out["usd_per_h100e_hour_median"] = np.nan
    out["listings"] = 0
    out["index"] = np.nan
    out["basis"] = ""
    if recent.empty:
        return out[PRICE_INDEX_COLUMNS]
    level = float(recent["per_h100e"].median())
    dated = rp[rp["observed_on"].notna() & (rp["observed_on"] <= pd.Timestamp(as_of))]
    by_year = dated.groupby(dated["observed_on"].dt.year)["per_h100e"].agg(["median", "size"])
    as_of_year = pd.Timestamp(as_of).year
    obs = {int(y): float(r["median"]) for y, r in by_year.iterrows() if int(y) < as_of_year}
    obs[as_of_year] = level
    ys = np.array(sorted(obs))
    vals = np.log(np.array([obs[y] for y in ys]))
    for i, y in enumerate(years):
        if ys[0] <= y <= as_of_year:
            med = float(np.exp(np.interp(y, ys, vals)))
            out.loc[i, "usd_per_h100e_hour_median"] = med
            out.loc[i, "index"] = med / level
            n = int(by_year["size"].get(y, 0)) if y != as_of_year else int(len(recent))
            out.loc[i, "listings"] = n
            out.loc[i, "basis"] = "observed" if y in obs else "interpolated"
    return out[PRICE_INDEX_COLUMNS]
