"""The ingest step (plain Python, no Dagster): one source fetched, landed, parsed and loaded into
``raw.<source>`` of the run's scratch warehouse. The ingest assets and the plain-Python path
(``bench/plain.py``) both call ``ingest_source``."""

from dataclasses import dataclass

from orchestration import warehouse
from orchestration.settings import Settings
from orchestration.sources import registry
from orchestration.sources.fetch import SourceUnavailableError
from orchestration.sources.landing import LandedFile
from orchestration.sources.tabular import ParseResult, empty_result


@dataclass(frozen=True)
class IngestResult:
    source: str
    landed: LandedFile | None
    parsed: ParseResult
    unavailable: str = ""  # why nothing could be loaded (no fresh file and no last good one)


def ingest_source(
    settings: Settings, source: str, run_id: str, publish: bool, mode: str | None = None
) -> IngestResult:
    """Fetch (per source mode), land and parse ``source``, and load ``raw.<source>`` into the
    run's scratch copy of the warehouse.

    ``publish``: publish right away (an ingest-only run) or leave it to the warehouse build of the
    same run, which publishes raw tables and dbt models together when its blocking tests pass.
    A source with nothing to load (live-only in bundled mode, or unavailable with no last good
    file) loads as an empty table of the same schema, so the warehouse still builds; an
    unavailable source says why in ``unavailable``.
    """
    spec = registry.get_source(source).spec
    unavailable = ""
    try:
        landed, parsed = registry.ingest(source, settings, mode)
    except SourceUnavailableError as exc:
        landed, parsed, unavailable = None, empty_result(spec), str(exc)
    with warehouse.staged(settings.duckdb_path, run_id, publish_on_success=publish) as scratch:
        warehouse.write_raw(scratch, spec, parsed.frame, parsed.quarantine, landed)
    return IngestResult(source=source, landed=landed, parsed=parsed, unavailable=unavailable)
