"""What a brief is rendered from: :class:`BriefInputs` (the model tables, marts and archive state
of one partition) and :class:`ModelView`, the lookups into the model tables of one scenario."""

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from models.config import BUNDLED_SCENARIOS


@dataclass(frozen=True)
class BriefInputs:
    """Everything one partition's brief is rendered from: its model tables, marts and the previous
    brief's metrics."""

    partition: str
    as_of: date
    scenario: str
    seed: int
    snapshot_hash: str
    code_version: str
    model: dict[str, pd.DataFrame]
    methodology: str
    data_sources: pd.DataFrame
    campuses: pd.DataFrame
    mlperf: pd.DataFrame
    market: pd.DataFrame = field(default_factory=pd.DataFrame)  # marts.fct_market_signals, as of the date
    previous: dict | None = None
    installed_base: pd.DataFrame = field(default_factory=pd.DataFrame)  # marts.fct_installed_base, one vintage
    revisions: list[dict] = field(default_factory=list)  # reports.revisions points, this month first
    reference_accelerator_id: str = "nvidia-h100-sxm"
    table_rows: int = 12


class ModelView:
    """Lookups into the model tables of one scenario."""

    def __init__(self, inputs: BriefInputs, scenario: str | None = None):
        self.scenario = scenario or inputs.scenario
        self.tables = {name: (frame[frame["scenario"] == self.scenario] if "scenario" in frame else frame)
                       for name, frame in inputs.model.items()}
        demand = self.tables["demand"]
        if demand.empty:
            raise ValueError(f"no model outputs for scenario {self.scenario!r} in {inputs.partition}")
        if "scope" not in demand.columns:
            demand = demand.assign(scope="generative")
        self.all_demand = demand
        self.demand = demand[demand["scope"] == "generative"].set_index(["bucket", "unit", "year"])
        self.all_ai = demand[demand["scope"] == "all_ai"].set_index(["bucket", "unit", "year"])
        self.years = sorted(demand["year"].unique().tolist())
        self.horizon = self.years[-1]

    def band(self, bucket: str, unit: str, year: int,
             scope: str = "generative") -> tuple[float, float, float]:
        row = (self.demand if scope == "generative" else self.all_ai).loc[(bucket, unit, year)]
        return float(row["p10"]), float(row["p50"]), float(row["p90"])

    def has(self, bucket: str, unit: str, year: int, scope: str = "all_ai") -> bool:
        return (bucket, unit, year) in (self.demand if scope == "generative" else self.all_ai).index

    def series(self, bucket: str, unit: str, column: str = "p50") -> pd.Series:
        return self.demand.xs((bucket, unit), level=("bucket", "unit"))[column]

    def crossover(self, unit: str) -> dict:
        row = self.tables["crossover_summary"].set_index("unit").loc[unit]
        return {k: (None if pd.isna(row[k]) else int(row[k])) for k in ("p10", "p50", "p90")} | {
            "probability": float(row["probability_by_horizon"])}


def scenario_views(inputs: BriefInputs) -> dict[str, ModelView]:
    """One view per scenario in the model tables, bear-base-bull order."""
    names = sorted(inputs.model["demand"]["scenario"].unique(),
                   key=lambda s: BUNDLED_SCENARIOS.index(s) if s in BUNDLED_SCENARIOS else len(BUNDLED_SCENARIOS))
    return {name: ModelView(inputs, name) for name in names}


def metric_entry(value, unit: str, label: str, p10=None, p90=None, year=None) -> dict:
    """One entry of metrics.json: the value with its unit, label, P10-P90 band and year (NaN -> None)."""
    def clean(x):
        return None if x is None or pd.isna(x) else float(x)

    return {"value": clean(value), "unit": unit, "p10": clean(p10), "p90": clean(p90), "label": label,
            "year": year}
