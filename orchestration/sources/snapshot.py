"""The bundled snapshot: public facts compiled by the project, one CSV per table.

This is the offline default. Each table is landed like any other source (content-hashed, with
provenance) so that the brief can name the exact bytes it was computed from.
"""

from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import PROJECT_ROOT, SNAPSHOT_DIR
from orchestration.sources.landing import LandedFile, land_bytes
from orchestration.sources.tabular import Column, ParseResult, TableSpec, parse_csv_file

SNAPSHOT_LICENCE = "CC BY 4.0 (flopcast compilation; each row cites its source_url)"

_PROVENANCE = (
    Column("source_url", "text", nullable=False),
    Column("retrieved", "date", nullable=False),
)


@dataclass(frozen=True)
class SnapshotTable:
    table: str
    spec: TableSpec

    @property
    def source(self) -> str:
        return self.spec.source

    def path(self, snapshot_dir: Path = SNAPSHOT_DIR) -> Path:
        return snapshot_dir / f"{self.table}.csv"


def _label(path: Path) -> str:
    """Repository-relative name for files in the checkout (no machine paths in the brief)."""
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else str(path)


ACCELERATORS = SnapshotTable(
    table="accelerators",
    spec=TableSpec(
        source="snapshot_accelerators",
        key=("accelerator_id",),
        columns=(
            Column("accelerator_id", "text", nullable=False),
            Column("vendor", "text", nullable=False),
            Column("name", "text", nullable=False),
            Column("accelerator_type", "text", nullable=False),
            Column("release_date", "date", nullable=False),
            Column("bf16_dense_flop_per_s", "number"),
            Column("fp16_dense_flop_per_s", "number"),
            Column("fp8_dense_flop_per_s", "number"),
            Column("fp4_dense_flop_per_s", "number"),
            Column("int8_dense_op_per_s", "number"),
            Column("memory_bytes", "number"),
            Column("memory_bandwidth_bytes_per_s", "number"),
            Column("interconnect", "text", required=False),
            Column("interconnect_bandwidth_bytes_per_s", "number", required=False),
            Column("tdp_w", "number"),
            Column("launch_price_usd", "number", required=False),
            Column("sparse_headline", "bool", required=False),
            Column("notes", "text", required=False),
            *_PROVENANCE,
        ),
    ),
)

SNAPSHOT_TABLES: dict[str, SnapshotTable] = {t.source: t for t in (ACCELERATORS,)}


def land_snapshot(table: SnapshotTable, landing_dir: Path, snapshot_dir: Path = SNAPSHOT_DIR) -> LandedFile:
    """Land the bundled CSV of ``table`` (a no-op for the bytes if they are unchanged)."""
    path = table.path(snapshot_dir)
    return land_bytes(
        landing_dir,
        table.source,
        path.read_bytes(),
        "csv",
        url=_label(path),
        licence=SNAPSHOT_LICENCE,
        mode="bundled",
    )


def parse_snapshot(table: SnapshotTable, landed: LandedFile) -> ParseResult:
    """Typed rows (and quarantined ones) of a landed snapshot file; errors name the bundled file."""
    return parse_csv_file(landed.path, table.spec, label=landed.url)
