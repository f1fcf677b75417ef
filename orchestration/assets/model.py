"""The demand model (group `model`): marts -> `models.run_model` -> `model.<table>` per partition.

One multi-asset: the model computes every table in one pass (Monte Carlo, tornado, hardware fit,
backtest) and they are published together, so a partition's tables never disagree.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from models.config import BASE_SCENARIO
from models.inputs import MART_INPUTS
from models.run import DEFAULT_SEED
from orchestration.assets.run_steps import published_note, publishes_here
from orchestration.partitions_def import monthly_partitions
from orchestration.resources import WarehouseResource
from orchestration.steps.model import run_demand_model

MODEL_TABLES = {
    "demand": "Calibrated P10/P50/P90 per year, scope (generative | all_ai), bucket and unit (FLOP, accelerator-hours, H100e, GW, TWh, USD, tokens, shares).",
    "crossover": "Distribution of the first year inference >= training, per unit (FLOP, accelerator-hours, spend).",
    "crossover_summary": "P10/P50/P90 crossover year per unit and the probability of crossing by the horizon.",
    "tornado": "One-at-a-time P10/P90 swings of each driver on the inference share in the tornado year.",
    "hardware_fit": "Per accelerator and reference model: ridge points, decode ceilings, tokens/J, $/M tokens, fit ranks.",
    "backtest": "Scorecard: each published split mapped to the model's quantity, with the error.",
    "drivers": "Every driver with its effective P10/P50/P90, unit, basis and kind (assumption, sourced, fitted).",
    "training_history": "Observed training compute per year (notable total, frontier top-10, largest run).",
    "trend": "Log-linear fit of frontier training compute: growth per year with its interval.",
    "token_accounting": "Which token disclosures were used, and how (anchor, series, excluded).",
    "provider_growth": "Observed token growth per disclosing provider.",
    "fleet": "Fleet mix per year: peak FLOP/s per chip for training and serving, board power, H100e per chip.",
    "supply_check": "The observed (shipment-based) stock per year beside the modelled work on it (all AI, generative) and the implied utilisation.",
    "calibration": "Every observed anchor (published splits, installed-base utilisation, lab compute spend) with prior and calibrated P10/P50/P90.",
    "calibration_summary": "Draws, effective draws after calibration, anchors and warnings per scenario.",
    "observed_series": "Per year, the observations the model stands on: disclosed tokens/day levels, rental price index, installed base.",
    "methodology": "The methodology text of each scenario run, printed in the brief.",
    "run": "The run itself: main scenario, seed, input snapshot hash, as-of date, draws.",
}
MART_DEPS = [AssetKey(["marts", mart]) for mart in (*MART_INPUTS.values(), "dim_data_source")]


class ModelConfig(Config):
    scenario: str = BASE_SCENARIO  # a bundled scenario name or a YAML file overriding base's drivers
    draws: int | None = None  # None: FLOPCAST_MODEL_DRAWS, else models.run.DEFAULT_DRAWS
    seed: int = DEFAULT_SEED


@multi_asset(
    specs=[AssetSpec(["model", name], group_name="model", description=text, deps=MART_DEPS,
                     kinds={"python", "duckdb"}, owners=["team:flopcast"],
                     partitions_def=monthly_partitions)
           for name, text in MODEL_TABLES.items()],
    check_specs=[AssetCheckSpec(
        "calibration_holds", asset=["model", "calibration_summary"], blocking=False,
        description="Every scenario's calibration keeps at least 500 effective draws and comes near every "
                    "anchor (warning: the brief still ships and says so).")],
    partitions_def=monthly_partitions,
    pool="duckdb",
    name="demand_model",
)
def demand_model(context: AssetExecutionContext, config: ModelConfig, warehouse: WarehouseResource):
    publish = publishes_here(context, "model")
    tables = run_demand_model(warehouse.settings, context.partition_key, context.run_id,
                              scenario=config.scenario, draws=config.draws, seed=config.seed, publish=publish)
    run = tables["run"].iloc[0]
    demand = tables["demand"]
    main = demand[demand["scenario"] == run["scenario"]]
    horizon = int(main["year"].max())
    share = main[(main["bucket"] == "inference_share") & (main["unit"] == "share_of_accelerator_hours")
                 & (main["scope"] == "generative")]
    headline = share.set_index("year")
    for name, frame in tables.items():
        metadata = {"dagster/row_count": len(frame), "scenario": str(run["scenario"]),
                    "snapshot_hash": str(run["snapshot_hash"]), "published": published_note(publish)}
        if name == "demand":
            metadata[f"inference_share_accelerator_hours_{horizon}_p50"] = float(headline.loc[horizon, "p50"])
            metadata["preview"] = MetadataValue.md(
                share[["year", "p10", "p50", "p90"]].to_markdown(index=False, floatfmt=".3f"))
        elif name in ("crossover_summary", "backtest", "trend"):
            metadata["preview"] = MetadataValue.md(frame.drop(columns=["seed", "snapshot_hash"], errors="ignore")
                                                   .head(10).to_markdown(index=False, floatfmt=".4g"))
        yield MaterializeResult(asset_key=["model", name], metadata=metadata)
    summary = tables["calibration_summary"]
    problems = [f"{r.scenario}: {r.warnings}" for r in summary.itertuples() if r.warnings]
    yield AssetCheckResult(
        asset_key=["model", "calibration_summary"], check_name="calibration_holds", passed=not problems,
        severity=AssetCheckSeverity.WARN,
        metadata={"effective_draws": MetadataValue.md(summary[["scenario", "draws", "effective_draws"]]
                                                      .to_markdown(index=False, floatfmt=".0f")),
                  "warnings": "; ".join(problems) or "none"})
