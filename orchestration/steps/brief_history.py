"""The months before a brief (plain Python, no Dagster): their archived metrics.json, or their
headline figures rebuilt as of their own month end from the same warehouse (the as-of rule), for
the brief's "what changed" section and its revisions chart."""

import json
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from models.config import BUNDLED_SCENARIOS, load_scenario
from models.inputs import ModelInputs
from models.run import DEFAULT_DRAWS, run_headlines, run_model
from orchestration.partitions import month_end, previous_partition
from orchestration.settings import Settings
from orchestration.steps.model import load_model_inputs
from reports import revisions
from reports.inputs import BriefInputs
from reports.metrics import build_metrics

REVISION_DRAWS = 10_000  # per rebuilt month of the revisions chart: a tenth of a brief's draws


def archived_metrics(settings: Settings, partition: str) -> dict | None:
    """The archived metrics.json of a partition's brief, if that brief exists."""
    path = settings.briefs_dir / partition / "metrics.json"
    return json.loads(path.read_text()) if path.exists() else None


def previous_metrics(settings: Settings, partition: str) -> dict | None:
    """The archived metrics.json of the month before, if that brief exists."""
    previous = previous_partition(partition)
    return None if previous is None else archived_metrics(settings, previous)


def rebuild_previous_metrics(settings: Settings, current: BriefInputs,
                             model_inputs: Callable[[], ModelInputs] | None = None) -> dict | None:
    """When the month before has no archived brief: its metrics rebuilt as of its own month end
    from the same warehouse (as-of rule; main scenario only, same seed and draws), marked
    ``rebuilt``, so even a first brief says what changed. None before the first partition or
    for a user scenario file (its path is not recorded). ``model_inputs``: where the model's
    input marts come from (default: read from ``settings``' warehouse; the brief step passes one
    cached read for this and ``revision_points``)."""
    previous = previous_partition(current.partition)
    if previous is None or current.scenario not in BUNDLED_SCENARIOS:
        return None
    as_of = month_end(previous)
    draws = settings.model_draws or DEFAULT_DRAWS
    read = model_inputs or (lambda: load_model_inputs(settings))
    out = run_model(read(), scenario=current.scenario, as_of=as_of, seed=current.seed,
                    draws=draws, snapshot_hash=current.snapshot_hash)
    market = current.market
    if len(market):
        market = market[pd.to_datetime(market["disclosed_on"]) <= pd.Timestamp(as_of)]
    metrics = build_metrics(replace(current, partition=previous, as_of=as_of, model=out.tables(),
                                    market=market, previous=None))
    metrics["rebuilt"] = True
    return metrics


def revision_points(settings: Settings, current: BriefInputs,
                    model_inputs: Callable[[], ModelInputs] | None = None) -> list[dict]:
    """The headline figures of this brief and the months before it (``settings.revision_months``
    in all, 12 by default): each month's archived metrics.json where it exists, else (the month
    before: the rebuilt previous metrics) a rebuild as of that month's end from the same
    warehouse - the calibrated Monte Carlo alone, main scenario, REVISION_DRAWS draws (the brief's
    own if fewer) - so the chart never doubles the run time. A user scenario file (not recorded)
    gets archived months only. ``model_inputs`` as for ``rebuild_previous_metrics``."""
    read = model_inputs or (lambda: load_model_inputs(settings))
    demand = current.model["demand"]
    demand = demand[demand["scenario"] == current.scenario]
    cross = current.model["crossover_summary"]
    cross = cross[cross["scenario"] == current.scenario]
    now, horizon = current.as_of.year, int(demand["year"].max())
    points = [revisions.point_from_model(current.partition, "this brief", demand, cross, now, horizon)]
    inputs, scenario = None, None
    partition = current.partition
    for _ in range(settings.revision_months - 1):
        partition = previous_partition(partition)
        if partition is None:
            break
        try:
            archived = archived_metrics(settings, partition)
        except (OSError, ValueError):  # an unreadable old archive: that month is rebuilt, the brief goes on
            archived = None
        point = revisions.point_from_metrics(partition, "archived", archived, now, horizon) if archived else None
        if point is None and current.previous and current.previous.get("partition") == partition:
            basis = "rebuilt" if current.previous.get("rebuilt") else "archived"
            point = revisions.point_from_metrics(partition, basis, current.previous, now, horizon)
        if point is None and current.scenario in BUNDLED_SCENARIOS:
            if inputs is None:
                inputs, scenario = read(), load_scenario(current.scenario)
            draws = min(REVISION_DRAWS, settings.model_draws or DEFAULT_DRAWS)  # never finer than the brief
            rebuilt, rebuilt_cross = run_headlines(inputs, scenario, month_end(partition), current.seed,
                                                   draws, current.snapshot_hash)
            point = revisions.point_from_model(partition, "rebuilt", rebuilt, rebuilt_cross, now, horizon, draws)
        if point is not None:
            points.append(point)
    return points
