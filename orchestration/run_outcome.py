"""What a failed CLI run did, on one line: each failed step's root cause (a step blocked by dbt
tests names the failing test, its rows, model and column) and, truthfully, whether the run had
published before it failed (``orchestration.steps.publish`` records the run that published last)."""

from common.errors import error_text, root_cause
from orchestration.dbt_results import blocking_summary, failed_dbt_tests
from orchestration.settings import Settings
from orchestration.steps.publish import published_since
from orchestration.steps.warehouse_build import DBT_MANIFEST

INTERRUPTS = ("DagsterExecutionInterruptedError", "KeyboardInterrupt")


def outcome_of_failed_run(settings: Settings, started_at: str) -> str:
    """The truthful end of a failed run's error line: whether it had published (the one publish
    point, orchestration.steps.publish, records the run that published last)."""
    if published_since(settings, started_at):
        return "it had already published its brief and warehouse (the step that failed came after)"
    return "the last good warehouse and brief are unchanged"


def run_failure_summary(result) -> str:
    """One line per failed step (or the run-level error), with the root cause's message; a step
    blocked by dbt tests names the first failing test, its rows, model and column."""
    tests = failed_dbt_tests(result.all_events, DBT_MANIFEST)
    lines = []
    for event in result.all_events:
        error = root_cause(getattr(event.event_specific_data, "error", None) if event.is_failure else None)
        if error is None:
            continue
        if error.cls_name in INTERRUPTS:
            text = "stopped by an interrupt (SIGINT/SIGTERM)"
        else:
            text = blocking_summary(tests.get(event.step_key, [])) or error_text(error)
        lines.append((event.step_key, text))
    steps = [f"{step}: {text}" for step, text in lines if step]
    return "; ".join(dict.fromkeys(steps or [text for _, text in lines])) or "see the run's logs in the Dagster UI"
