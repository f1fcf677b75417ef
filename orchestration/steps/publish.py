"""The run's one publish point (plain Python, no Dagster).

A run's steps write to its scratch copy of the warehouse and land files with pending pointers;
nothing is visible until the last step of the run that writes calls ``publish_run``: the brief
(archived first: writing its files is what can fail on a full or read-only disk), then the
warehouse (one rename), then the landing pointers (``LATEST`` moves only to data that passed
every blocking check). A run that fails or is stopped before that point publishes nothing, and
``discard_run`` drops what it staged. SIGINT/SIGTERM are held back during the publish (signals
arriving then act right after it); a SIGKILL leaves at worst a new brief beside the old warehouse,
each whole, which the next run brings in line.

Which step is the publish point: the last of ``PUBLISH_ORDER`` the run executes (an ingest-only
run publishes each source as it is loaded).
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from common.clock import utc_now_iso
from common.fs import atomic_write_bytes
from common.signals import deferred_signals, stop_requested
from orchestration import warehouse
from orchestration.faults import checkpoint
from orchestration.settings import Settings
from orchestration.sources import landing

PUBLISH_ORDER = ("ingest", "warehouse", "model", "brief")
T = TypeVar("T")


def publishes(step: str, steps_in_run: set[str]) -> bool:
    """Is ``step`` the run's publish point (no later writing step in ``steps_in_run``)?"""
    return not set(PUBLISH_ORDER[PUBLISH_ORDER.index(step) + 1:]) & steps_in_run


def reads_from(settings: Settings, run_id: str | None) -> Settings:
    """Settings whose warehouse is the one a step of ``run_id`` reads: the run's scratch copy when
    an earlier step staged writes there, else the published file. For reading only."""
    return settings.model_copy(update={"duckdb_path": warehouse.working_copy(settings.duckdb_path, run_id)})


def publish_run(settings: Settings, run_id: str, archive: Callable[[], T] | None = None) -> T | None:
    """Make the run's results visible: ``archive()`` (the brief, if any), the staged warehouse,
    the landing pointers, in that order, with SIGINT/SIGTERM held back. If ``archive`` fails,
    nothing is published and the run's staged writes are discarded."""
    with deferred_signals():
        try:
            if stop_requested():  # a stop that arrived where an exception could be lost
                raise KeyboardInterrupt("stopped by SIGINT/SIGTERM before publishing")
            result = archive() if archive is not None else None
        except BaseException:
            discard_run(settings)
            raise
        checkpoint("run.before_warehouse_publish")
        if warehouse.working_copy(settings.duckdb_path, run_id) != settings.duckdb_path:
            try:
                warehouse.publish(settings.duckdb_path)
            except BaseException:  # e.g. a read-only folder: the old warehouse stays, and LATEST
                discard_run(settings)
                raise
        landing.promote_pending(settings.landing_dir, run_id)
        atomic_write_bytes(publish_record(settings), json.dumps(
            {"run_id": run_id, "published_at": utc_now_iso()}).encode())
    return result


def publish_record(settings: Settings) -> Path:
    """``$FLOPCAST_HOME/last_publish.json``: the run that published last, and when (so an error
    line can say truthfully whether a stopped run had published)."""
    return settings.home / "last_publish.json"


def published_since(settings: Settings, started_at: str) -> bool:
    """Did a run publish at or after ``started_at`` (``utc_now_iso`` text)?"""
    try:
        return json.loads(publish_record(settings).read_text())["published_at"] >= started_at
    except (OSError, ValueError, KeyError, TypeError):
        return False


def discard_run(settings: Settings) -> None:
    """Drop a failed run's staged warehouse and pending landing pointers (the published warehouse,
    brief and ``LATEST`` pointers stay as they were)."""
    warehouse.discard(settings.duckdb_path)
    landing.discard_pending(settings.landing_dir)

