"""The modelled demand checked against the observed installed base.

The installed base (``fct_installed_base``: shipments x deployment lag x survival, in
H100-equivalents, in the vintage the as-of date could know) is the supply that was actually
there. For every year the stock covers in full (four quarter ends), the model's installed
H100-equivalents (its demand in H100e-hours / (8,760 x availability)) are set beside the year's
average stock; their ratio is the *implied utilisation* of the observed fleet by the modelled
demand. A ratio far below the utilisations fleets run at says the modelled demand (or its scope)
is too small for the hardware that was bought; above 1, too large.

Plain Python: DataFrames in, DataFrames out.
"""

import numpy as np
import pandas as pd

SUPPLY_CHECK_COLUMNS = [
    "year", "as_of_date", "observed_h100e", "observed_h100e_low", "observed_h100e_high",
    "modelled_h100e_p10", "modelled_h100e_p50", "modelled_h100e_p90",
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
    """The model's installed H100e (bucket total, P10/P50/P90) beside the observed stock, for the
    years both cover; implied utilisation P50 = modelled P50 / observed central, P10 = modelled P10
    / observed high, P90 = modelled P90 / observed low (the widest honest range)."""
    observed = observed_stock(installed_base)
    modelled = demand[(demand["bucket"] == "total") & (demand["unit"] == "h100e")]
    modelled = modelled[["year", "p10", "p50", "p90"]].rename(
        columns={"p10": "modelled_h100e_p10", "p50": "modelled_h100e_p50", "p90": "modelled_h100e_p90"})
    out = observed.merge(modelled, on="year", how="inner")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["implied_utilisation_p50"] = out["modelled_h100e_p50"] / out["observed_h100e"]
        out["implied_utilisation_p10"] = out["modelled_h100e_p10"] / out["observed_h100e_high"]
        out["implied_utilisation_p90"] = out["modelled_h100e_p90"] / out["observed_h100e_low"]
    return out.reindex(columns=SUPPLY_CHECK_COLUMNS).sort_values("year").reset_index(drop=True)
