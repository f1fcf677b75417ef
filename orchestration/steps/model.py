"""The demand-model step (plain Python, no Dagster): the model's input marts -> ``models.run`` ->
``model.<table>`` rows of one partition. The model asset and the plain-Python path both call
``run_demand_model``; the brief step reads the same inputs to rebuild earlier months."""

from pathlib import Path

import pandas as pd

from models.config import BASE_SCENARIO, BUNDLED_SCENARIOS
from models.inputs import MART_INPUTS, ModelInputs
from models.provenance import snapshot_hash
from models.run import DEFAULT_DRAWS, DEFAULT_SEED, run_model
from orchestration import warehouse
from orchestration.faults import checkpoint
from orchestration.partitions import month_end
from orchestration.settings import Settings
from orchestration.steps.publish import publish_run, reads_from


def load_data_sources(settings: Settings) -> pd.DataFrame:
    return warehouse.read_frame(settings.duckdb_path, "select * from marts.dim_data_source")


def load_model_inputs(settings: Settings) -> ModelInputs:
    with warehouse.connect(settings.duckdb_path, read_only=True) as con:
        frames = {field: con.execute(f"select * from marts.{mart}").df() for field, mart in MART_INPUTS.items()}
    return ModelInputs(**frames)


def run_demand_model(
    settings: Settings,
    partition: str,
    run_id: str,
    scenario: str | Path = BASE_SCENARIO,
    draws: int | None = None,
    seed: int = DEFAULT_SEED,
    publish: bool = True,
) -> dict[str, pd.DataFrame]:
    """The demand model for the partition's as-of date: the main scenario plus the bundled ones
    for the scenario table, from the marts of the run's working copy (``publish.reads_from``).
    Every output table goes to ``model.<name>`` (rows of the partition replaced) in the run's
    scratch copy, published in one step when this is the run's publish point (``publish``), else
    left for the brief step. Returns the tables."""
    draws = draws or settings.model_draws or DEFAULT_DRAWS
    reads = reads_from(settings, run_id)
    inputs = load_model_inputs(reads)
    digest = snapshot_hash(load_data_sources(reads))
    as_of = month_end(partition)
    main = run_model(inputs, scenario=str(scenario), as_of=as_of, seed=seed, draws=draws, snapshot_hash=digest)
    # The side scenarios feed the scenario table; the chips are rated once, under the main one.
    others = [run_model(inputs, scenario=name, as_of=as_of, seed=seed, draws=draws, snapshot_hash=digest,
                        rate_hardware=False)
              for name in BUNDLED_SCENARIOS if name != main.scenario]
    side_tables = [o.tables() for o in others]
    tables: dict[str, pd.DataFrame] = {}
    for name, frame in main.tables().items():
        tables[name] = pd.concat([frame, *(t[name] for t in side_tables if name in t)], ignore_index=True)
    tables["methodology"] = pd.DataFrame([
        {"scenario": o.scenario, "seed": o.seed, "snapshot_hash": o.snapshot_hash, "text": o.methodology}
        for o in (main, *others)])
    tables["run"] = pd.DataFrame([{"scenario": main.scenario, "seed": seed, "snapshot_hash": digest,
                                   "as_of": as_of, "draws": draws, "main": True}])
    with warehouse.staged(settings.duckdb_path, run_id, publish_on_success=False) as scratch:
        with warehouse.connect(scratch) as con:
            for name, frame in tables.items():
                warehouse.replace_partition(con, name, frame, partition)
        checkpoint("model.before_publish")
    if publish:
        publish_run(settings, run_id)
    return tables
