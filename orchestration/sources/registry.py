"""The live public sources by name, and ``ingest``: fetch (per source mode) + land + parse.

Plain Python (no Dagster, no dbt). The Dagster ingest assets and the CLI call ``ingest`` and
write ``raw.<source>`` from the result.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from common.clock import utc_now_iso
from orchestration.settings import Settings
from orchestration.sources import epoch, mlperf, openrouter, snapshot
from orchestration.sources.cells import ParseLimits, limits
from orchestration.sources.fetch import (
    FetchError,
    HttpOptions,
    ReadLimits,
    SourceDescriptor,
    acquire,
    fetch_live_bytes,
    file_label,
)
from orchestration.sources.landing import LandedFile, sha256_bytes
from orchestration.sources.raw_schema import RAW_SOURCES_YML, raw_specs
from orchestration.sources.publishers import (
    VendoredCopyError,
    load_manifest,
    replace_vendored,
    write_manifest,
)
from orchestration.sources.json_records import parse_json_records_bytes
from orchestration.sources.tabular import (
    ParseResult,
    SourceFormatError,
    TableSpec,
    empty_result,
    parse_csv_bytes,
    parse_publisher_csv,
)


Reader = Callable[[bytes, TableSpec, str], ParseResult]


@dataclass(frozen=True)
class LiveSource:
    """A source: where its file comes from (``descriptor``), its columns (``spec``) and the reader
    of its format (``read``: CSV of the snapshot, publisher CSV with drifting headers, JSON records)."""

    descriptor: SourceDescriptor
    spec: TableSpec
    read: Reader

    def parse_bytes(self, data: bytes, label: str) -> ParseResult:
        return self.read(data, self.spec, label)

    def parse(self, landed: LandedFile) -> ParseResult:
        return self.parse_bytes(landed.path.read_bytes(), file_label(landed))


def _sources() -> dict[str, LiveSource]:
    """Every source: its descriptor (where the file comes from), its declared raw table
    (``raw_schema``) and the reader of its format. Snapshot tables first, then the publishers'."""
    specs = raw_specs()
    readers = [(d, parse_csv_bytes) for d in snapshot.SNAPSHOT_TABLES] + [
        *((d, parse_publisher_csv) for d in epoch.DESCRIPTORS),
        *((mlperf.DESCRIPTORS[v], parse_json_records_bytes) for v in mlperf.ROUNDS),
        (openrouter.DESCRIPTOR, parse_publisher_csv),
    ]
    declared, described = set(specs), {d.name for d, _ in readers}
    if declared != described:
        raise AssertionError(f"sources described but not declared in {RAW_SOURCES_YML}: "
                             f"{sorted(described - declared)}; declared but not described: "
                             f"{sorted(declared - described)}")
    return {d.name: LiveSource(d, specs[d.name], read) for d, read in readers}


SOURCES: dict[str, LiveSource] = _sources()
# The bundled snapshot's tables: sources with a bundled file and no URL (landed in every mode).
SNAPSHOT_SOURCES: dict[str, LiveSource] = {n: s for n, s in SOURCES.items() if not s.descriptor.url}
LIVE_SOURCES: dict[str, LiveSource] = {n: s for n, s in SOURCES.items() if s.descriptor.url}


def get_source(source_name: str) -> LiveSource:
    found = LIVE_SOURCES.get(source_name) or SNAPSHOT_SOURCES.get(source_name)
    if found is None:
        raise KeyError(
            f"unknown source {source_name!r}; known: {', '.join(sorted(SOURCES))}"
        )
    return found


def parse_limits(settings: Settings) -> ParseLimits:
    return ParseLimits(max_json_depth=settings.max_json_depth, max_number_chars=settings.max_number_chars)


def ingest(
    source_name: str,
    settings: Settings,
    mode: str | None = None,
    *,
    http: HttpOptions | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[LandedFile | None, ParseResult]:
    """Fetch ``source_name`` in ``mode`` (default ``settings.source_mode``), land it, parse it.

    Fresh bytes are parsed *before* they are landed: a file that is unreadable, lacks a required
    column or yields no good row is rejected like a failed download (fallback to the last good
    file, ``stale=True``), so ``LATEST`` only names files that parse. Returns ``(None, empty
    typed result)`` in bundled mode for a source that was never landed. Raises
    ``SourceUnavailableError`` when there is neither a fresh nor a last good file. Files are read
    and parsed under the settings' limits (``ReadLimits``, ``ParseLimits``).
    """
    with limits(parse_limits(settings)):
        return _ingest(source_name, settings, mode, http=http, sleep=sleep)


def _ingest(source_name: str, settings: Settings, mode: str | None, *, http: HttpOptions | None,
            sleep: Callable[[float], None]) -> tuple[LandedFile | None, ParseResult]:
    source = get_source(source_name)
    checked: dict[str, tuple[str, ParseResult]] = {}

    def validate(data: bytes, label: str) -> None:
        result = source.parse_bytes(data, label)
        if result.frame.empty:
            first = f"; first: {result.quarantine['reason'].iat[0]}" if len(result.quarantine) else ""
            raise SourceFormatError(
                f"{label}: no usable rows ({len(result.quarantine)} problem(s) quarantined{first})")
        checked[sha256_bytes(data)] = (label, result)

    http = http or HttpOptions(timeout=settings.http_timeout_s, retries=settings.http_retries,
                               backoff=settings.http_backoff_s)
    landed = acquire(source.descriptor, settings, mode, http=http, validate=validate, sleep=sleep)
    if landed is None:
        return None, empty_result(source.spec)
    # the source's own attribution and title, also on a last good file landed before either changed
    landed = replace(landed, attribution=source.descriptor.attribution, title=source.descriptor.title)
    cached = checked.get(landed.sha256)
    if cached is not None and cached[0] == file_label(landed):
        return landed, cached[1]
    return landed, source.parse(landed)


def refresh_bundled(
    settings: Settings,
    names: list[str] | None = None,
    *,
    http: HttpOptions | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """The maintainer's refresh of ``data/publishers`` (``settings.publishers_dir``): download
    each publisher source (default: all of them), check that it parses to at least its row floor,
    replace its vendored copy atomically, and rewrite the manifest once at the end. A source whose
    download or check fails keeps its old copy and entry; the error lists every such source after
    the others were refreshed. Returns one line per refreshed source."""
    chosen = names or list(LIVE_SOURCES)
    unknown = [n for n in chosen if n not in LIVE_SOURCES]
    if unknown:
        raise KeyError(f"not a publisher source: {', '.join(unknown)} "
                       f"(known: {', '.join(sorted(LIVE_SOURCES))})")
    http = http or HttpOptions(timeout=settings.http_timeout_s, retries=settings.http_retries,
                               backoff=settings.http_backoff_s)
    entries = load_manifest(settings.publishers_dir)
    today = utc_now_iso()[:10]
    done: list[str] = []
    failures: list[str] = []
    superseded: list[Path] = []
    for name in chosen:
        source = LIVE_SOURCES[name]
        try:
            data = fetch_live_bytes(source.descriptor, http, sleep=sleep,
                                    limits=ReadLimits.from_settings(settings))
            with limits(parse_limits(settings)):
                rows = len(source.parse_bytes(data, source.descriptor.landed_url).frame)
            if rows < ROW_FLOORS[name]:
                raise SourceFormatError(f"{rows} usable rows, fewer than the floor of {ROW_FLOORS[name]}")
        except (FetchError, SourceFormatError) as exc:
            failures.append(f"{name}: {exc}")
            continue
        old = entries.get(name)
        entry = replace_vendored(
            settings.publishers_dir, entries, source.descriptor, data, retrieved=today,
            note=f"downloaded by `flopcast ingest --mode live --refresh-bundled`; {rows} rows parsed")
        if old is not None and old.path != entry.path:
            superseded.append(settings.publishers_dir / old.path)
        done.append(f"{name}: {entry.path} ({entry.bytes:,} bytes, {rows} rows)")
    if done:  # the manifest first, then the copies it no longer names: a crash leaves no gap
        write_manifest(settings.publishers_dir, entries.values())
        for path in superseded:
            path.unlink(missing_ok=True)
    if failures:
        raise VendoredCopyError(f"refreshed {len(done)} source(s); kept the old copy of "
                                f"{len(failures)}: " + "; ".join(failures))
    return done


# Smallest plausible row count of a loaded source: fewer rows means a truncated or wrong file.
# (Counts of the files seen: ml_hardware 170, notable 942, frontier 131, large-scale 471, usage 44,
# compute spend 11, clusters 786, data centres 16, timelines 112, MLPerf 937-1448. Snapshot tables
# as compiled 2026-11-30: accelerators 51, training runs 161+, token volumes 39, rental prices 86,
# published splits 17, campuses 18, shipments 48, company financials 323, lab spend 31; their
# floors sit a little below, so a lost block of rows fails the blocking check.)
ROW_FLOORS: dict[str, int] = {
    "snapshot_accelerators": 40,
    "snapshot_training_runs": 150,
    "snapshot_token_volumes": 35,
    "snapshot_rental_prices": 40,
    "snapshot_published_splits": 15,
    "snapshot_datacenter_campuses": 15,
    "snapshot_accelerator_shipments": 40,
    "snapshot_company_financials": 300,
    "snapshot_lab_compute_spend": 25,
    "epoch_ml_hardware": 100,
    "epoch_notable_ai_models": 500,
    "epoch_frontier_ai_models": 50,
    "epoch_large_scale_ai_models": 200,
    "epoch_ai_companies_usage_reports": 20,
    "epoch_ai_companies_compute_spend": 5,
    "epoch_gpu_clusters": 300,
    "epoch_data_centers": 5,
    "epoch_data_center_timelines": 40,
    "mlperf_inference_v4_1": 300,
    "mlperf_inference_v5_1": 300,
    "openrouter_rankings_daily": 1,
}
