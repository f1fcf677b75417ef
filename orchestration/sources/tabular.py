"""Schema-driven parsing of publisher tables into typed DataFrames (the schema: a source's
declared raw table, ``raw_schema``; the typing: ``typed_cells`` in DuckDB).

Columns are mapped by name (with aliases for columns a publisher renamed between releases);
a missing *required* column is a hard error naming the file and the column; a cell that does not
parse sends its row to quarantine with the reason (file, row, column, value) while good rows go
on. Typing happens here; unit conversion and cleaning are dbt's job.
"""

import io
import itertools
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from orchestration.sources.cells import (
    parse_bool,
    parse_date,
    parse_number,
)
from orchestration.sources.typed_cells import type_columns

Kind = Literal["text", "number", "date", "bool"]
# Each kind's column type in raw.<source> (and its data_type in the raw declarations)
DUCKDB_TYPES = {"text": "varchar", "number": "double", "date": "date", "bool": "boolean"}

QUARANTINE_COLUMNS = ["source", "file", "row_number", "column_name", "value", "reason"]


class SourceFormatError(ValueError):
    """The file cannot be read as the source's format at all (nothing from it is loaded)."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"
    required: bool = True
    nullable: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """``ordered``: groups of number columns whose filled values must not decrease left to right
    within a row (e.g. ``("units_low", "units", "units_high")``). A row that breaks one makes the
    whole file a ``SourceFormatError`` naming the file, row and columns: the row contradicts
    itself, and no value of it can be trusted or silently dropped.

    ``needed``: values of the (one-column) key whose row a later step needs (e.g. the model's
    reference accelerator); ``needed_because`` says which step. Such a row that is in the file
    but quarantined makes the whole file a ``SourceFormatError`` naming the row and its problem,
    at ingest, instead of a failure far downstream."""

    source: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    ordered: tuple[tuple[str, ...], ...] = ()
    needed: tuple[str, ...] = ()
    needed_because: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass
class ParseResult:
    frame: pd.DataFrame
    quarantine: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS)
    )


_PARSERS = {"number": parse_number, "date": parse_date, "bool": parse_bool, "text": str}
_DTYPES = {"number": "Float64", "date": "object", "bool": "boolean", "text": "string"}


def _as_dtype(values: pd.Series, kind: Kind) -> pd.Series:
    """DuckDB's column as the frame's dtype for ``kind`` (missing values NA; dates as
    ``datetime.date`` or None)."""
    if kind == "date":
        dates = values.dt.date.astype(object)
        return dates.where(values.notna(), None).reset_index(drop=True)
    return values.astype(_DTYPES[kind]).reset_index(drop=True)


def decode_text(data: bytes, file_label: str) -> str:
    """UTF-8 text of a non-empty file (a byte-order mark is dropped), or a clear error."""
    if not data.strip():
        raise SourceFormatError(f"{file_label}: the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"{file_label}: not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r})"
        ) from exc


def read_csv_text(data: bytes, file_label: str) -> pd.DataFrame:
    """Read CSV bytes as all-text cells (quoted newlines kept), with a clear error on failure."""
    text = decode_text(data, file_label)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_values=[], skipinitialspace=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceFormatError(f"{file_label}: not a readable CSV table ({exc})") from exc
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes the first column as the index when the data rows have one field more than
        # the header: every column would shift by one
        raise SourceFormatError(
            f"{file_label}: the data rows have one field more than the header's {len(frame.columns)} "
            f"columns ({_clip(', '.join(map(str, frame.columns)), 120)}): a trailing comma at the end "
            "of each row?")
    return frame


def _resolve_columns(raw: pd.DataFrame, spec: TableSpec, file_label: str) -> dict[str, str]:
    present = {c.strip(): c for c in raw.columns}
    mapping: dict[str, str] = {}
    missing: list[str] = []
    for column in spec.columns:
        found = next((present[n] for n in (column.name, *column.aliases) if n in present), None)
        if found is not None:
            mapping[column.name] = found
        elif column.required:
            missing.append(repr(column.name) + (
                f" (publisher header {' or '.join(repr(a) for a in column.aliases)})"
                if column.aliases else ""))
    if missing:
        hint = _delimiter_hint(list(raw.columns), spec)
        if hint:
            raise SourceFormatError(f"{file_label}: {hint}")
        raise SourceFormatError(
            f"{file_label}: missing required column(s) {', '.join(missing)}; "
            f"found {', '.join(repr(c) for c in raw.columns)}"
        )
    return mapping


_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


def _delimiter_hint(columns: list, spec: TableSpec) -> str:
    """Why a header read as one column is likely the wrong delimiter, or ''."""
    if len(columns) != 1:
        return ""
    header = str(columns[0])
    found = next((d for d in _OTHER_DELIMITERS if d in header), None)
    if found is None:
        return ""
    expected = [c.name for c in spec.columns if c.required][:4]
    return (f"expected comma-separated columns {', '.join(map(repr, expected))}, ...; found one "
            f"column {_clip(header, 120)!r}: wrong delimiter ({_OTHER_DELIMITERS[found]}-separated file)?")


def parse_table(raw: pd.DataFrame, spec: TableSpec, file_label: str) -> ParseResult:
    """Type the text cells of ``raw`` according to ``spec``.

    Rows whose cells do not parse (or whose non-nullable cells are empty, or whose key repeats an
    earlier row) are quarantined, one quarantine row per problem; the others are returned typed.
    Row numbers count data records from 1 (the header is not a record). Columns are parsed
    vectorised; only the cells the fast path rejects go through the one-cell parsers, which give
    the same values and messages as parsing every cell one by one.
    """
    mapping = _resolve_columns(raw, spec, file_label)
    rows = len(raw)
    texts = pd.DataFrame({c.name: (raw[mapping[c.name]].astype(str) if c.name in mapping
                                   else pd.Series([""] * rows, dtype=str)) for c in spec.columns})
    values, empty, failed = type_columns(texts, [c.kind for c in spec.columns])
    problems: list[tuple[int, int, dict]] = []
    bad = np.zeros(rows, dtype=bool)
    typed: dict[str, pd.Series] = {}
    for index, column in enumerate(spec.columns):
        typed[column.name] = column_values = _as_dtype(values[column.name], column.kind)
        if not column.nullable:
            for position in np.flatnonzero(empty[:, index]):
                problems.append((position, index, _problem(spec, file_label, position + 1, column.name,
                                                           "", "required value is empty")))
                bad[position] = True
        for position in np.flatnonzero(failed[:, index]):
            text = texts[column.name].iat[position].strip()
            try:
                column_values.iat[position] = _PARSERS[column.kind](text)
            except (ValueError, TypeError) as exc:
                problems.append((position, index, _problem(spec, file_label, position + 1, column.name,
                                                           text, f"not a valid {column.kind}: {exc}")))
                bad[position] = True
    frame = pd.DataFrame(typed)
    _check_ordered(frame, spec, file_label, bad)
    ordered = [problem for _, _, problem in sorted(problems, key=lambda p: (p[0], p[1]))]
    if spec.key:
        _quarantine_duplicates(frame, spec, file_label, bad, ordered)
    _check_needed(frame, spec, file_label, bad, ordered)
    good = frame[~bad].reset_index(drop=True)
    quarantine = pd.DataFrame(ordered, columns=QUARANTINE_COLUMNS)
    return ParseResult(frame=good, quarantine=quarantine)


def _quarantine_duplicates(frame: pd.DataFrame, spec: TableSpec, file_label: str, bad: np.ndarray,
                           problems: list[dict]) -> None:
    """A row whose key repeats an earlier loaded row's is quarantined (the first one loads)."""
    keys = frame.loc[~bad, list(spec.key)]
    repeated = keys.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    group = keys.groupby(list(spec.key), dropna=False, sort=False).ngroup().to_numpy()
    first_seen = pd.Series(keys.index).groupby(group).transform("first").to_numpy()
    for position, first in zip(keys.index[repeated], first_seen[repeated], strict=True):
        key = frame.loc[position, list(spec.key)]
        problems.append(_problem(spec, file_label, position + 1, ",".join(spec.key),
                                 "|".join(map(str, key)),
                                 f"duplicate key (first seen in row {first + 1})"))
        bad[position] = True


def _check_ordered(frame: pd.DataFrame, spec: TableSpec, file_label: str, bad: np.ndarray) -> None:
    for group in spec.ordered:
        for left, right in itertools.combinations(group, 2):
            a, b = frame[left].to_numpy(dtype=float, na_value=np.nan), frame[right].to_numpy(
                dtype=float, na_value=np.nan)
            broken = np.flatnonzero((a > b) & ~bad)
            if len(broken):
                row = int(broken[0])
                key = ", ".join(f"{k}={frame[k].iat[row]}" for k in spec.key)
                raise SourceFormatError(
                    f"{file_label}, row {row + 1}{f' ({key})' if key else ''}: column {left!r} "
                    f"({a[row]:g}) is greater than column {right!r} ({b[row]:g})"
                    + (f"; {len(broken) - 1} more such row(s)" if len(broken) > 1 else ""))


def _check_needed(frame: pd.DataFrame, spec: TableSpec, file_label: str, bad: np.ndarray,
                  problems: list[dict]) -> None:
    """A row a later step needs (``spec.needed``) that is in the file but did not load stops the file."""
    if not spec.needed or len(spec.key) != 1:
        return
    (key,) = spec.key
    keys = frame[key]
    for value in spec.needed:
        rows = np.flatnonzero(keys.eq(value).fillna(False).to_numpy(dtype=bool))
        if len(rows) and bad[rows].all():
            row = int(rows[0]) + 1
            reasons = [p["reason"] for p in problems if p["row_number"] == row]
            raise SourceFormatError(
                f"{file_label}, row {row} ({key}={value}): this row is needed"
                + (f" ({spec.needed_because})" if spec.needed_because else "")
                + " but does not load: " + ("; ".join(reasons) or "quarantined"))


def _problem(spec: TableSpec, file_label: str, row_number: int, column: str, value: str,
             reason: str) -> dict:
    return {
        "source": spec.source,
        "file": file_label,
        "row_number": row_number,
        "column_name": column,
        "value": value[:500],
        "reason": f"{file_label}, row {row_number}, column {column!r}: {_clip(reason)}",
    }


def _clip(text: str, limit: int = 300) -> str:
    """Parser messages quote the cell; a huge cell must not make a huge reason."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


def parse_csv_bytes(data: bytes, spec: TableSpec, file_label: str) -> ParseResult:
    return parse_table(read_csv_text(data, file_label), spec, file_label)


# --- helpers for the live publisher connectors ---------------------------------------------

def empty_result(spec: TableSpec) -> ParseResult:
    """A typed, zero-row result with the spec's columns (a source with nothing landed yet)."""
    return parse_table(pd.DataFrame(columns=spec.names, dtype=str), spec, spec.source)


def _header_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def align_headers(raw: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Rename headers that differ from a spec name or alias only in case or spacing.

    Exact names (and aliases) always win; this only rescues a column that would otherwise be
    missing, e.g. a publisher changing 'GPU Supplier' to 'GPU supplier'.
    """
    present = {str(c).strip() for c in raw.columns}
    by_key: dict[str, str] = {}
    for column in raw.columns:
        by_key.setdefault(_header_key(column), column)
    renames: dict[str, str] = {}
    for column in spec.columns:
        candidates = (column.name, *column.aliases)
        if any(name in present for name in candidates):
            continue
        for name in candidates:
            hit = by_key.get(_header_key(name))
            if hit is not None and hit not in renames:
                renames[hit] = name
                break
    return raw.rename(columns=renames) if renames else raw


def parse_publisher_csv(data: bytes, spec: TableSpec, file_label: str) -> ParseResult:
    """``parse_csv_bytes`` for publisher files whose header spelling drifts (see ``align_headers``)."""
    return parse_table(align_headers(read_csv_text(data, file_label), spec), spec, file_label)
