"""The ingest step (plain Python, no Dagster): one source fetched, landed, parsed and loaded into
``raw.<source>`` of the run's scratch warehouse. The ingest assets and the plain-Python path
(``bench/plain.py``) both call ``ingest_source``."""

from dataclasses import dataclass

import pandas as pd

from orchestration import warehouse
from orchestration.settings import Settings
from orchestration.sources import landing, registry
from orchestration.sources.fetch import SourceUnavailableError
from orchestration.sources.landing import LandedFile, LandingError
from orchestration.sources.tabular import ParseResult, TableSpec, empty_result
from orchestration.steps.publish import discard_run, publish_run


@dataclass(frozen=True)
class IngestResult:
    source: str
    landed: LandedFile | None
    parsed: ParseResult
    unavailable: str = ""  # why nothing could be loaded (no fresh file and no last good one)
    published: bool = False  # raw table and landing pointer made visible by this step


def ingest_source(
    settings: Settings, source: str, run_id: str, publish: bool, mode: str | None = None
) -> IngestResult:
    """Fetch (per source mode), land and parse ``source``, and load ``raw.<source>`` into the
    run's scratch copy of the warehouse.

    ``publish``: publish right away (an ingest-only run: the raw table, then ``LATEST``; a bundled
    snapshot table that fails a blocking check (``blocking_problems``) is not published) or leave it
    to the run's publish point (``steps.publish``), after every blocking check of the run passed.
    A source with nothing to load (live-only in bundled mode, or unavailable with no last good
    file) loads as an empty table of the same schema, so the warehouse still builds; an
    unavailable source says why in ``unavailable``.
    """
    spec = registry.get_source(source).spec
    unavailable = ""
    try:
        with landing.pending_run(run_id):
            landed, parsed = registry.ingest(source, settings, mode)
    except (SourceUnavailableError, LandingError) as exc:
        landed, parsed, unavailable = None, empty_result(spec), str(exc)
    blocked = bool(blocking_problems(source, parsed, landed))
    with warehouse.staged(settings.duckdb_path, run_id, publish_on_success=False) as scratch:
        warehouse.write_raw(scratch, spec, parsed.frame, parsed.quarantine, landed)
    if publish and not blocked:
        publish_run(settings, run_id)
    elif publish:
        discard_run(settings)
    return IngestResult(source=source, landed=landed, parsed=parsed, unavailable=unavailable,
                        published=publish and not blocked)


def required_columns_problems(spec: TableSpec, frame: pd.DataFrame) -> dict[str, str]:
    """Required publisher columns that are not populated: a non-nullable one empty in some row
    loaded, or any required one empty in every row (an alias that now maps to an emptied,
    deprecated column)."""
    problems = {}
    for column in spec.columns:
        if not column.required or column.name not in frame:
            continue
        filled = int(frame[column.name].notna().sum())
        if len(frame) and (filled == 0 or (not column.nullable and filled < len(frame))):
            problems[column.name] = f"{filled} of {len(frame)} rows populated"
    return problems


def blocking_problems(source: str, parsed: ParseResult, landed: LandedFile | None) -> dict[str, str]:
    """What keeps a bundled snapshot table from being published: fewer rows than its floor, or
    required columns not populated. Live sources only warn (their checks are not blocking)."""
    if source not in registry.SNAPSHOT_SOURCES or landed is None:
        return {}
    problems = required_columns_problems(registry.get_source(source).spec, parsed.frame)
    floor = registry.ROW_FLOORS[source]
    if len(parsed.frame) < floor:
        problems["rows"] = f"{len(parsed.frame)} rows, fewer than the floor of {floor}"
    return problems
