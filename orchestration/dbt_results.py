"""What blocked a dbt build, in one line: the failing tests (name, rows, model, column) or the
nodes in error, read from dbt's ``run_results.json`` (and, for the model and column, the
manifest), or from the Dagster asset-check evaluations dagster-dbt made of them.

    summary = blocking_summary(failures_from_run_results(run_results, manifest))
    # "dbt test not_null_stg_x_y failed: 3 rows (model stg_x, column y); 1 more failing test"

Plain Python: dicts in, a string out (no Dagster, no dbt import).
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# run_results statuses that stop the build: an error-severity test that found rows ("fail"),
# and a node that could not run ("error"; a test whose query failed, a model that did not build)
BLOCKING_STATUSES = ("fail", "error", "runtime error")


@dataclass(frozen=True)
class Failure:
    """One blocking dbt node: a failing test (``rows`` found) or a node in error (``message``)."""

    resource_type: str  # "test", "model", "seed", "unit_test", ...
    name: str
    rows: int | None = None
    model: str | None = None
    column: str | None = None
    message: str | None = None


def _name_from_unique_id(unique_id: str) -> tuple[str, str]:
    """'test.flopcast.not_null_x_y.3f2a' -> ('test', 'not_null_x_y');
    'model.flopcast.stg_x' -> ('model', 'stg_x')."""
    parts = unique_id.split(".")
    kind = parts[0] if parts else "node"
    name = parts[2] if len(parts) > 2 else unique_id
    return kind, name


def describe_node(unique_id: str, manifest: Mapping[str, Any] | None = None) -> Failure:
    """The node's kind, name, and for a test the model and column it checks (from the manifest
    when given; the name alone otherwise)."""
    kind, name = _name_from_unique_id(unique_id)
    node = ((manifest or {}).get("nodes") or {}).get(unique_id) or {}
    name = node.get("name") or name
    model = column = None
    if kind == "test" and node:
        attached = node.get("attached_node") or next(iter((node.get("depends_on") or {}).get("nodes") or []), None)
        model = _name_from_unique_id(attached)[1] if attached else None
        column = node.get("column_name") or ((node.get("test_metadata") or {}).get("kwargs") or {}).get("column_name")
    return Failure(kind, name, model=model, column=column)


def _first_line(text: str | None) -> str | None:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    if not lines:
        return None
    # dbt: "Runtime Error in model stg_x (models/...)\n  <the database's message>": the reason
    return lines[1] if len(lines) > 1 and lines[0].lower().startswith(("runtime error", "database error",
                                                                       "compilation error")) else lines[0]


def failures_from_run_results(run_results: Mapping[str, Any],
                              manifest: Mapping[str, Any] | None = None) -> list[Failure]:
    """The blocking nodes of one dbt invocation, in the order dbt ran them. Warnings, passes and
    skipped nodes (downstream of a failure) are not blocking."""
    out = []
    for result in run_results.get("results") or []:
        status = str(result.get("status") or "").lower()
        if status not in BLOCKING_STATUSES:
            continue
        described = describe_node(str(result.get("unique_id") or ""), manifest)
        rows = result.get("failures")
        out.append(Failure(described.resource_type, described.name,
                           rows=int(rows) if status == "fail" and rows is not None else None,
                           model=described.model, column=described.column,
                           message=None if status == "fail" else _first_line(result.get("message"))))
    return out


def failure_from_check(check_name: str, asset_path: Iterable[str] | None, metadata: Mapping[str, Any],
                       manifest: Mapping[str, Any] | None = None) -> Failure:
    """A failed asset check that dagster-dbt made of a dbt test: its metadata carries the test's
    ``unique_id`` and ``dagster_dbt/failed_row_count`` (plain values, not MetadataValue)."""
    unique_id = metadata.get("unique_id")
    described = describe_node(str(unique_id), manifest) if unique_id else Failure("test", check_name)
    rows = metadata.get("dagster_dbt/failed_row_count")
    model = described.model or (list(asset_path)[-1] if asset_path else None)
    return Failure("test", described.name, rows=int(rows) if rows is not None else None,
                   model=model, column=described.column)


def failed_dbt_tests(events: Iterable, manifest_path: Path | None = None) -> dict[str, list[Failure]]:
    """Per step key, the failing error-severity asset checks among a Dagster run's events (read
    by attribute: no Dagster import), described with the parsed project's manifest when it can be
    read."""
    failed: dict[str, list[tuple]] = {}
    for event in events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        check = event.event_specific_data
        if check.passed or getattr(check.severity, "value", check.severity) != "ERROR":
            continue
        metadata = {key: getattr(value, "value", value) for key, value in (check.metadata or {}).items()}
        failed.setdefault(event.step_key, []).append((check.check_name, check.asset_key.path, metadata))
    manifest = None
    if failed and manifest_path is not None:
        try:
            manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None  # the names alone
    return {step: [failure_from_check(*check, manifest=manifest) for check in checks]
            for step, checks in failed.items()}


def _rows(count: int) -> str:
    return f"{count:,} row{'' if count == 1 else 's'}"


def describe(failure: Failure) -> str:
    """'dbt test not_null_stg_x_y failed: 3 rows (model stg_x, column y)'."""
    where = ", ".join(part for part in (failure.model and f"model {failure.model}",
                                        failure.column and f"column {failure.column}") if part)
    head = f"dbt {failure.resource_type.replace('_', ' ')} {failure.name} failed"
    what = _rows(failure.rows) if failure.rows is not None else failure.message
    if what is None:
        return head + (f" ({where})" if where else "")
    return f"{head}: {what}" + (f" ({where})" if where else "")


def blocking_summary(failures: list[Failure]) -> str | None:
    """One line: the first blocking node described, then how many more there are; failing tests
    (rows found) come before errors. None when nothing blocked."""
    if not failures:
        return None
    ordered = sorted(failures, key=lambda f: f.rows is None)  # stable: dbt's order within each kind
    first, rest = ordered[0], ordered[1:]
    line = describe(first)
    if rest:
        tests = sum(1 for f in rest if f.rows is not None)
        errors = len(rest) - tests
        more = [f"{n} more failing test{'' if n == 1 else 's'}" for n in (tests,) if n]
        more += [f"{n} more node{'' if n == 1 else 's'} in error" for n in (errors,) if n]
        line += "; " + ", ".join(more)
    return line


def summarise_run_results(run_results: Mapping[str, Any], manifest: Mapping[str, Any] | None = None) -> str | None:
    """``blocking_summary`` of a run_results.json dict: what the warehouse build step should raise
    when dbt fails, before the invocation's target folder is removed."""
    return blocking_summary(failures_from_run_results(run_results, manifest))
