"""The raw layer's tables, declared once: dbt's definition of source ``raw``
(``transforms/models/staging/_sources.yml``). Each column's ``data_type`` is its DuckDB type
(varchar, double, date, boolean); its ``config.meta`` says how a publisher's file names it
(``publisher_headers``, for headers that differ from the column name or drifted between
releases), whether a file may lack it (``required: false``) and whether a row must fill it
(``nullable: false``). A table's ``config.meta`` holds its ``key`` and, where they apply, the
ranges that must not run backwards (``ordered``) and the rows a later step needs (``needed``,
``needed_because``). The ingest types cells, checks rows and writes ``raw.<source>`` by these
declarations; dbt documents the same tables from them.
"""

from functools import cache
from pathlib import Path

import yaml

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.sources.tabular import DUCKDB_TYPES, Column, TableSpec

RAW_SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml"
_KINDS = {duckdb_type: kind for kind, duckdb_type in DUCKDB_TYPES.items()}


class RawSchemaError(ValueError):
    """The raw declarations cannot be read (names the file, table and column)."""


def _column(path: Path, table: str, entry: dict) -> Column:
    name = entry.get("name")
    kind = _KINDS.get(entry.get("data_type", ""))
    if not name or kind is None:
        raise RawSchemaError(
            f"{path}: source table {table!r}, column {name!r}: data_type {entry.get('data_type')!r} "
            f"is not one of {', '.join(_KINDS)}")
    meta = (entry.get("config") or {}).get("meta") or {}
    return Column(name, kind, required=meta.get("required", True), nullable=meta.get("nullable", True),
                  aliases=tuple(meta.get("publisher_headers", ())))


@cache
def raw_specs(path: Path = RAW_SOURCES_YML) -> dict[str, TableSpec]:
    """Source name -> ``TableSpec``, for every table of source ``raw``, in the file's order."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    (raw,) = [s for s in document["sources"] if s["name"] == "raw"]
    specs = {}
    for table in raw["tables"]:
        meta = (table.get("config") or {}).get("meta") or {}
        name = table["name"]
        if not table.get("columns"):
            raise RawSchemaError(f"{path}: source table {name!r} declares no columns")
        specs[name] = TableSpec(
            source=name,
            columns=tuple(_column(path, name, c) for c in table["columns"]),
            key=tuple(meta.get("key", ())),
            ordered=tuple(tuple(group) for group in meta.get("ordered", ())),
            needed=tuple(meta.get("needed", ())),
            needed_because=meta.get("needed_because", ""),
        )
    return specs
