"""The model's inputs: DataFrames shaped like the warehouse marts, checked, typed and cut at a date.

The demand model reads five marts: ``dim_accelerator``, ``fct_training_runs``,
``fct_token_volumes``, ``fct_rental_prices`` and ``fct_published_splits``, and checks its demand
against a sixth, ``fct_installed_base`` (optional: empty when not given). Columns are matched by
name; extra columns are ignored, missing required ones fail with a message naming the table.

The as-of rule: a run for date D uses only rows dated on or before D —
accelerators by ``release_date``, training runs by ``publication_date``, token volumes by
``disclosed_on`` (``period_end`` when the disclosure date is empty), rental prices by
``observed_on``, published splits by ``period_end``, the installed base by its vintage (the latest
``as_of_date`` on or before D: a stock counts only shipment figures disclosed by then). Two
documented exceptions: rental prices
without an ``observed_on`` (list prices whose capture date the source does not expose) are kept,
and rows with an empty date in the other tables are dropped.

:func:`inputs_from_snapshot` builds the same frames from the bundled ``data/snapshot/*.csv``
(renaming columns as the marts do) for tests and benchmarks.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from models.units import DAYS_PER_YEAR

MART_INPUTS = {  # ModelInputs field -> the warehouse mart it is read from (schema marts)
    "accelerators": "dim_accelerator",
    "training_runs": "fct_training_runs",
    "token_volumes": "fct_token_volumes",
    "rental_prices": "fct_rental_prices",
    "published_splits": "fct_published_splits",
    "installed_base": "fct_installed_base",
    "lab_compute_spend": "fct_lab_compute_spend",
}

REQUIRED_COLUMNS: dict[str, list[str]] = {
    "accelerators": [
        "accelerator_id", "vendor", "accelerator_name", "accelerator_type", "release_date",
        "bf16_dense_flop_per_s", "fp16_dense_flop_per_s", "fp8_dense_flop_per_s",
        "memory_bytes", "memory_bandwidth_bytes_per_s", "tdp_w",
    ],
    "training_runs": ["model_id", "publication_date", "training_flop"],
    "token_volumes": [
        "disclosure_id", "provider", "period_start", "period_end", "tokens_per_day", "metric",
        "scope", "disclosed_on",
    ],
    "rental_prices": ["accelerator_id", "usd_per_accelerator_hour", "pricing_type", "observed_on"],
    "published_splits": [
        "split_id", "period_start", "period_end", "scope", "publisher", "unit", "measure",
        "inference_share", "training_share",
    ],
    "installed_base": [
        "as_of_date", "vendor", "period_end", "year", "is_year_end", "installed_h100e",
        "installed_h100e_low", "installed_h100e_high",
    ],
    "lab_compute_spend": ["spend_id", "lab", "year", "category", "value_usd", "kind"],
}

OPTIONAL_COLUMNS: dict[str, list[str]] = {
    "accelerators": ["fp4_dense_flop_per_s", "int8_dense_op_per_s", "launch_price_usd",
                     "sparse_headline", "spec_source"],
    "training_runs": ["model_name", "organization", "domain", "total_parameters",
                      "active_parameters", "training_tokens", "training_flop_is_estimated",
                      "training_hardware", "accelerator_id", "hardware_chip_count",
                      "training_days", "record_source"],
    "token_volumes": ["period_days", "tokens"],
    "rental_prices": ["price_id", "provider"],
    "published_splits": ["inference_value", "training_value", "value_unit", "definition_notes",
                         "kind"],
    "installed_base": ["installed_units", "shipped_h100e_cumulative"],
    "lab_compute_spend": ["period_start", "period_end", "disclosed_on", "value_low_usd",
                          "value_high_usd", "source_url"],
}

_DATE_COLUMNS = {
    "accelerators": ["release_date"],
    "training_runs": ["publication_date"],
    "token_volumes": ["period_start", "period_end", "disclosed_on"],
    "rental_prices": ["observed_on"],
    "published_splits": ["period_start", "period_end"],
    "installed_base": ["as_of_date", "period_end"],
    "lab_compute_spend": ["period_start", "period_end", "disclosed_on"],
}
_NUMERIC_COLUMNS = {
    "accelerators": ["bf16_dense_flop_per_s", "fp16_dense_flop_per_s", "fp8_dense_flop_per_s",
                     "fp4_dense_flop_per_s", "int8_dense_op_per_s", "memory_bytes",
                     "memory_bandwidth_bytes_per_s", "tdp_w", "launch_price_usd"],
    "training_runs": ["training_flop", "total_parameters", "active_parameters", "training_tokens",
                      "hardware_chip_count", "training_days"],
    "token_volumes": ["tokens_per_day", "period_days", "tokens"],
    "rental_prices": ["usd_per_accelerator_hour"],
    "published_splits": ["inference_share", "training_share", "inference_value", "training_value"],
    "installed_base": ["installed_h100e", "installed_h100e_low", "installed_h100e_high",
                       "installed_units", "shipped_h100e_cumulative"],
    "lab_compute_spend": ["year", "value_usd", "value_low_usd", "value_high_usd"],
}


class InputError(ValueError):
    """A model input is missing a required column or has an unusable value."""


def to_date(value) -> date:
    """A date from a date, datetime, pandas Timestamp or ISO string."""
    if isinstance(value, date) and not isinstance(value, pd.Timestamp):
        return value if type(value) is date else value.date()
    return pd.Timestamp(value).date()


def decimal_year(values) -> np.ndarray:
    """Dates as decimal years (2024-07-02 -> 2024.5); empty dates give NaN."""
    ts = pd.to_datetime(pd.Series(values)).reset_index(drop=True)
    days = np.where(ts.dt.is_leap_year, 366.0, 365.0)
    return (ts.dt.year + (ts.dt.day_of_year - 1) / days).to_numpy(dtype=float)


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in _DATE_COLUMNS[name]:
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col], errors="coerce")
    for col in _NUMERIC_COLUMNS[name]:
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in OPTIONAL_COLUMNS[name]:
        if col not in frame.columns:
            frame[col] = pd.NaT if col in _DATE_COLUMNS[name] else np.nan
    return frame


@dataclass(frozen=True)
class ModelInputs:
    """The marts the model reads (see the module docstring)."""

    accelerators: pd.DataFrame
    training_runs: pd.DataFrame
    token_volumes: pd.DataFrame
    rental_prices: pd.DataFrame
    published_splits: pd.DataFrame
    installed_base: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=REQUIRED_COLUMNS["installed_base"]))
    lab_compute_spend: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=REQUIRED_COLUMNS["lab_compute_spend"]))

    def __post_init__(self):
        for f in fields(self):
            frame = getattr(self, f.name)
            if not isinstance(frame, pd.DataFrame):
                raise InputError(f"{f.name}: expected a pandas DataFrame, got {type(frame).__name__}")
            missing = [c for c in REQUIRED_COLUMNS[f.name] if c not in frame.columns]
            if missing:
                raise InputError(f"{f.name}: missing required column(s) {', '.join(missing)}")
            object.__setattr__(self, f.name, _typed(f.name, frame))

    def as_of(self, as_of) -> "ModelInputs":
        """Only the rows dated on or before ``as_of`` (the as-of rule)."""
        cut = pd.Timestamp(to_date(as_of))
        acc = self.accelerators[self.accelerators["release_date"] <= cut]
        runs = self.training_runs[self.training_runs["publication_date"] <= cut]
        tv = self.token_volumes
        known = tv["disclosed_on"].fillna(tv["period_end"])
        tv = tv[known <= cut]
        rp = self.rental_prices
        rp = rp[rp["observed_on"].isna() | (rp["observed_on"] <= cut)]
        ps = self.published_splits[self.published_splits["period_end"] <= cut]
        ib = self.installed_base
        known_vintages = ib.loc[ib["as_of_date"] <= cut, "as_of_date"]
        ib = ib[ib["as_of_date"] == known_vintages.max()] if len(known_vintages) else ib.iloc[0:0]
        ls = self.lab_compute_spend
        ls = ls[ls["disclosed_on"].fillna(ls["period_end"]).fillna(cut) <= cut]
        return replace(self, accelerators=acc.reset_index(drop=True),
                       lab_compute_spend=ls.reset_index(drop=True),
                       installed_base=ib.reset_index(drop=True),
                       training_runs=runs.reset_index(drop=True),
                       token_volumes=tv.reset_index(drop=True),
                       rental_prices=rp.reset_index(drop=True),
                       published_splits=ps.reset_index(drop=True))


_UNIT_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0}
_UNIT_NOMINAL_DAYS = {"month": DAYS_PER_YEAR / 12, "quarter": DAYS_PER_YEAR / 4, "year": DAYS_PER_YEAR}


def tokens_per_day_from_snapshot(frame: pd.DataFrame) -> pd.Series:
    """tokens per day from the snapshot's (tokens, period_unit, period_start, period_end).

    ``tokens`` is the count per one ``period_unit``: per minute/hour/day/week figures are rates;
    month/quarter/year figures are totals over the stated window (its length in days when the
    window is longer than a day, the nominal length otherwise).
    """
    start = pd.to_datetime(frame["period_start"])
    end = pd.to_datetime(frame["period_end"])
    window = (end - start).dt.days + 1
    out = []
    for tokens, unit, days in zip(frame["tokens"], frame["period_unit"], window, strict=True):
        if unit in _UNIT_DAYS:
            out.append(tokens / _UNIT_DAYS[unit])
        elif unit in _UNIT_NOMINAL_DAYS:
            length = days if days and days > 1 else _UNIT_NOMINAL_DAYS[unit]
            out.append(tokens / length)
        else:
            raise InputError(f"token_volumes: unknown period_unit {unit!r}")
    return pd.Series(out, index=frame.index, dtype=float)


def inputs_from_snapshot(folder) -> ModelInputs:
    """The bundled snapshot CSVs as mart-shaped frames (the renames the dbt marts apply)."""
    folder = Path(folder)
    acc = pd.read_csv(folder / "accelerators.csv").rename(columns={"name": "accelerator_name"})
    runs = pd.read_csv(folder / "training_runs.csv")
    if "training_flop_basis" in runs.columns:
        runs["training_flop_is_estimated"] = runs["training_flop_basis"].eq("estimated")
    tv = pd.read_csv(folder / "token_volumes.csv")
    tv["tokens_per_day"] = tokens_per_day_from_snapshot(tv)
    tv["period_days"] = (pd.to_datetime(tv["period_end"]) - pd.to_datetime(tv["period_start"])).dt.days + 1
    rp = pd.read_csv(folder / "rental_prices.csv")
    ps = pd.read_csv(folder / "published_splits.csv")
    ls = pd.read_csv(folder / "lab_compute_spend.csv")
    ls["year"] = pd.to_datetime(ls["period_end"]).dt.year  # as fct_lab_compute_spend
    return ModelInputs(accelerators=acc, training_runs=runs, token_volumes=tv,
                       rental_prices=rp, published_splits=ps, lab_compute_spend=ls)
