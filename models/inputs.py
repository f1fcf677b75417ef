"""The model's inputs: DataFrames shaped like the warehouse marts, checked, typed and cut at a date.

The demand model reads the warehouse marts named in :data:`MART_INPUTS` (production through
``orchestration.steps.model.load_model_inputs``; the tests and the model benchmark read them from a
built warehouse too).
Two are optional, empty when not given: the installed base its demand is checked against and the
labs' compute spend. Columns are matched by name; extra columns are ignored, missing required ones
fail with a message naming the table.

The as-of rule: a run for date D uses only rows dated on or before D —
accelerators by ``release_date``, training runs by ``publication_date``, token volumes by
``disclosed_on`` (``period_end`` when the disclosure date is empty), rental prices by
``observed_on``, published splits by ``period_end``, the installed base by its vintage (the latest
``as_of_date`` on or before D: a stock counts only shipment figures disclosed by then), the labs'
compute spend by ``disclosed_on`` (else ``period_end``). Documented exceptions: rental prices
without an ``observed_on`` (list prices whose capture date the source does not expose) and
compute-spend rows with neither date are kept; rows with an empty date in the other tables are
dropped.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import date

import numpy as np
import pandas as pd

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
