"""Which of flopcast's writing steps a Dagster run executes, so each asset knows whether it is
the run's publish point (``orchestration.steps.publish``)."""

from dagster import AssetExecutionContext

from orchestration.steps.publish import publishes

# The op of each writing step but ingest (every other op of the job is an ingest asset, or
# delivery, which writes no warehouse).
STEP_OF_OP = {"warehouse_dbt_assets": "warehouse", "demand_model": "model", "brief__monthly_brief": "brief"}


def steps_in_run(context: AssetExecutionContext) -> set[str]:
    ops = context.run.step_keys_to_execute
    if ops is None:
        ops = [node.name for node in context.job_def.nodes]
    return {STEP_OF_OP[op] for op in ops if op in STEP_OF_OP}


def publishes_here(context: AssetExecutionContext, step: str) -> bool:
    """Is ``step`` the last writing step of this run (then it publishes the run's results)?"""
    return publishes(step, steps_in_run(context))


def published_note(published: bool) -> str:
    """Materialization metadata: did this step make its tables visible, or stage them?"""
    return ("yes" if published else
            "no: staged in the run's scratch copy, published by the run's last writing step (the "
            "brief, in a full run) when it succeeds; a run that fails later publishes nothing")
