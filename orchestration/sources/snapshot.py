"""The bundled snapshot: public facts compiled by the project, one CSV per table.

This is the offline default. Each table is a source like the publishers' files (landed by content
hash, with provenance), so the brief can name the exact bytes it was computed from. The tables,
their columns and units are described in ``data/snapshot/SOURCES.md``; their columns as the raw
layer types them in dbt's source ``raw`` (``raw_schema``).
"""

from orchestration.sources.fetch import SourceDescriptor

SNAPSHOT_LICENCE = "CC BY 4.0 (flopcast compilation; each row cites its source)"


def _descriptor(table: str, title: str) -> SourceDescriptor:
    return SourceDescriptor(
        name=f"snapshot_{table}",
        title=f"flopcast bundled snapshot: {title}",
        url="",
        licence=SNAPSHOT_LICENCE,
        ext="csv",
        mirror_patterns=(),
        bundled_file=f"{table}.csv",
    )


SNAPSHOT_TABLES: tuple[SourceDescriptor, ...] = (
    _descriptor("accelerators", "accelerator specs (dense, per chip)"),
    _descriptor("training_runs", "notable training runs"),
    _descriptor("token_volumes", "disclosed token volumes"),
    _descriptor("rental_prices", "cloud accelerator rental prices"),
    _descriptor("published_splits", "published training vs inference splits"),
    _descriptor("datacenter_campuses", "AI data-centre campuses"),
    _descriptor("accelerator_shipments", "accelerator shipments and installed units"),
    _descriptor("company_financials", "company financials (filings)"),
    _descriptor("lab_compute_spend", "AI labs' compute spend by purpose"),
)
