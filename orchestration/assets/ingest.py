"""Ingest assets (group `sources`): a public source -> landing file -> DuckDB `raw.<source>`.

One asset per source in the registry (the bundled snapshot's tables and the live publishers).
Each carries provenance metadata and two checks: a row-count floor, and required columns
populated. Snapshot checks are blocking (the brief rests on them); live-source checks warn.
"""

from datetime import UTC, datetime

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
)

from models.units import SECONDS_PER_HOUR
from orchestration.resources import WarehouseResource
from orchestration.sources.registry import ROW_FLOORS, SNAPSHOT_SOURCES, SOURCES, LiveSource
from orchestration.assets.run_steps import published_note, publishes_here
from orchestration.steps.ingest import ingest_source, required_columns_problems

MAX_AGE_DAYS = 10  # live sources are refreshed weekly; older than this (or a fallback) is stale


def freshness(landed, now: datetime) -> tuple[bool, dict]:
    """A live source is fresh when its file was fetched live or from a mirror within
    MAX_AGE_DAYS and is not a fallback. (Bundled data is dated, not stale: no freshness check.)"""
    if landed is None:
        return True, {"status": "not loaded (bundled mode): nothing to be stale"}
    fetched = datetime.fromisoformat(landed.fetched_at.replace("Z", "+00:00"))
    age_days = (now - fetched).total_seconds() / (SECONDS_PER_HOUR * 24)
    fresh = not landed.stale and age_days <= MAX_AGE_DAYS
    return fresh, {"age_days": round(age_days, 2), "max_age_days": MAX_AGE_DAYS,
                   "stale_fallback": landed.stale, "note": landed.note or ""}


def _preview(frame, rows: int = 10) -> MetadataValue:
    shown = frame.head(rows).astype(str).apply(lambda col: col.str.slice(0, 60))
    return MetadataValue.md(shown.to_markdown(index=False))


def source_asset(name: str, source: LiveSource):
    descriptor = source.descriptor
    snapshot = name in SNAPSHOT_SOURCES
    severity = AssetCheckSeverity.ERROR if snapshot else AssetCheckSeverity.WARN
    floor = ROW_FLOORS[name]
    where = (f"bundled file `data/snapshot/{descriptor.bundled_file}`" if snapshot
             else f"{descriptor.url}" + (f" (member `{descriptor.zip_member}`)" if descriptor.zip_member else ""))

    @asset(
        key=["raw", name],
        group_name="sources",
        kinds={"duckdb", descriptor.ext},
        owners=["team:flopcast"],
        description=(
            f"{descriptor.title}. Source: {where}; licence: {descriptor.licence}."
            + ("" if descriptor.verified else " UNVERIFIED format: documented, never seen in a real file.")
            + f" Landed by content hash, typed, loaded into `raw.{name}`; rows that fail typing go "
            "to `raw.quarantine` with file, row and column."
        ),
        # No Dagster retry policy: downloads already retry with backoff (tenacity, FLOPCAST_HTTP_*),
        # and Dagster retries a step with a policy even when it was interrupted (SIGINT/SIGTERM),
        # so a stopped run went on and published.
        pool="duckdb",
        check_specs=[
            AssetCheckSpec("row_count_floor", asset=["raw", name], blocking=snapshot,
                           description=f"At least {floor} rows loaded (fewer: truncated or wrong file)."),
            AssetCheckSpec("required_columns_populated", asset=["raw", name], blocking=snapshot,
                           description="Required publisher columns are present and populated."),
            *([] if snapshot else [AssetCheckSpec(
                "fresh", asset=["raw", name],
                description=f"Fetched within {MAX_AGE_DAYS} days and not a fallback to an older file.")]),
        ],
        metadata={"source_url": descriptor.landed_url or where, "licence": descriptor.licence,
                  "verified_format": descriptor.verified},
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource):
        result = ingest_source(
            warehouse.settings, name, context.run_id, publish=publishes_here(context, "ingest")
        )
        landed, parsed = result.landed, result.parsed
        rows = len(parsed.frame)
        if len(parsed.quarantine):
            context.log.warning(
                f"{len(parsed.quarantine)} problem(s) quarantined from {name}: "
                + "; ".join(parsed.quarantine["reason"].head(5))
            )
        if landed is not None and landed.stale:
            context.log.warning(f"{name} is STALE: {landed.note}")
        metadata = {
            "dagster/row_count": rows,
            "quarantined_rows": len(parsed.quarantine),
            "loaded": landed is not None,
            "unavailable": result.unavailable,
            "published": published_note(result.published),
            "preview": _preview(parsed.frame),
        }
        if landed is not None:
            metadata.update({
                "content_sha256": landed.sha256,
                "landing_file": MetadataValue.path(str(landed.path)),
                "source_url": landed.url,
                "mode": landed.mode,
                "fetched_at": landed.fetched_at,
                "stale": landed.stale,
                "note": landed.note,
            })
        yield MaterializeResult(metadata=metadata)

        if not snapshot:
            fresh, detail = freshness(landed, datetime.now(UTC))
            if result.unavailable:
                fresh, detail = False, {"status": result.unavailable}
            yield AssetCheckResult(check_name="fresh", passed=fresh, severity=AssetCheckSeverity.WARN,
                                   metadata=detail)
        if result.unavailable:
            context.log.warning(f"{name} is UNAVAILABLE, loaded as an empty table: {result.unavailable}")
            yield AssetCheckResult(check_name="row_count_floor", passed=False, severity=severity,
                                   metadata={"rows": 0, "floor": floor, "status": result.unavailable})
            yield AssetCheckResult(check_name="required_columns_populated", passed=False,
                                   severity=severity, metadata={"status": result.unavailable})
            return
        if landed is None:
            note = "not loaded: bundled mode has no copy of this source (run `flopcast ingest --mode live`)"
            yield AssetCheckResult(check_name="row_count_floor", passed=True, metadata={"status": note})
            yield AssetCheckResult(check_name="required_columns_populated", passed=True,
                                   metadata={"status": note})
            return
        yield AssetCheckResult(
            check_name="row_count_floor", passed=rows >= floor, severity=severity,
            metadata={"rows": rows, "floor": floor},
        )
        problems = required_columns_problems(source.spec, parsed.frame)
        yield AssetCheckResult(
            check_name="required_columns_populated", passed=not problems, severity=severity,
            metadata={"problems": MetadataValue.json(problems)} if problems else {"problems": "none"},
        )

    return _ingest


ingest_assets = [source_asset(name, source) for name, source in SOURCES.items()]
