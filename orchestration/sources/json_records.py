"""JSON publisher files (an array of record objects) read into all-text cells for ``tabular``.

Strict and bounded: nesting deeper than ``ParseLimits.max_json_depth`` and a key repeated within
one object are ``SourceFormatError``s naming the file; number literals are kept as written
(``JsonNumber``), so a 5,000-digit or underflowing number reaches the number column's parser and
is quarantined there with file, row and column instead of crashing or becoming 0.
"""

import json
import re

import numpy as np
import pandas as pd

from orchestration.sources.cells import current_limits
from orchestration.sources.tabular import (
    ParseResult,
    SourceFormatError,
    TableSpec,
    align_headers,
    decode_text,
    parse_table,
)


class JsonNumber(str):
    """A JSON number literal as written (never converted: no 4,300-digit limit, no silent 0 for
    an underflowing exponent); a number column parses it like a CSV cell."""


def _plain_json(value: object) -> object:
    """``value`` with its ``JsonNumber`` literals as Python numbers again (for nested cells)."""
    if isinstance(value, JsonNumber):
        if len(value) > current_limits().max_number_chars:
            return str(value)
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_json(v) for k, v in value.items()}
    return value


def json_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return value
    return json.dumps(_plain_json(value), ensure_ascii=False, sort_keys=True)


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        raise _DuplicateKey(next(k for k, _ in pairs if k in seen or seen.add(k)))
    return found


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def json_depth(text: str) -> tuple[int, int]:
    """(deepest nesting of arrays and objects, line where it is first reached) of JSON ``text``;
    brackets inside strings do not count. The error path's exact pass (it names the line);
    a file that parses is measured on its values (``nesting``)."""
    without = _JSON_STRING.sub(lambda m: "\n" * m.group().count("\n"), text)
    codes = np.frombuffer(without.encode("utf-8"), dtype=np.uint8)
    opening = (codes == ord("[")) | (codes == ord("{"))
    at = np.flatnonzero(opening | (codes == ord("]")) | (codes == ord("}")))
    if not len(at):
        return 0, 1
    depth = np.cumsum(np.where(opening[at], 1, -1))
    deepest = int(np.argmax(depth))
    return int(depth[deepest]), int(np.count_nonzero(codes[:at[deepest]] == ord("\n"))) + 1


def nesting(value: object) -> int:
    """Depth of arrays and objects in a parsed JSON value (a scalar is 0, ``[]`` is 1)."""
    if isinstance(value, dict):
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return 0
    return 1 + max((nesting(child) for child in children if isinstance(child, (dict, list))), default=0)


def _refuse_if_too_deep(text: str, file_label: str, deepest: int | None = None) -> None:
    """The depth error (with its line) when ``text`` nests deeper than the limit. ``deepest``:
    the depth already measured on the parsed values, if known (the exact pass runs only when it
    is over the limit, or unknown)."""
    allowed = current_limits().max_json_depth
    if deepest is not None and deepest <= allowed:
        return
    deepest, line = json_depth(text)
    if deepest > allowed:
        raise SourceFormatError(f"{file_label}: JSON nested {deepest} levels deep (line {line}); at most "
                                f"{allowed} are read (FLOPCAST_MAX_JSON_DEPTH)")


def _load_json(text: str, file_label: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_float=JsonNumber,
                          parse_int=JsonNumber, parse_constant=JsonNumber)
    except json.JSONDecodeError as exc:
        _refuse_if_too_deep(text, file_label)
        raise SourceFormatError(f"{file_label}: not valid JSON ({exc})") from exc
    except RecursionError as exc:
        _refuse_if_too_deep(text, file_label)
        raise SourceFormatError(f"{file_label}: JSON nested too deeply to read") from exc
    except _DuplicateKey as exc:
        _refuse_if_too_deep(text, file_label)
        raise SourceFormatError(f"{file_label}: {_duplicate_where(text)}key {exc.args[0]!r} appears twice "
                                "in one JSON object (which value is meant is ambiguous)") from None


def _duplicate_where(text: str) -> str:
    """'record <n>: ' for the first top-level record holding a repeated key, else ''."""
    document = json.loads(text, object_pairs_hook=lambda pairs: pairs, parse_float=str,
                          parse_int=str, parse_constant=str)

    def repeats(value: object) -> bool:
        if isinstance(value, list):
            if value and all(isinstance(p, tuple) and len(p) == 2 for p in value):
                keys = [k for k, _ in value]
                return len(set(keys)) != len(keys) or any(repeats(v) for _, v in value)
            return any(repeats(v) for v in value)
        return False

    if isinstance(document, list):
        for position, record in enumerate(document):
            if repeats([record]):
                return f"record {position + 1}: "
    return ""


def read_json_records(data: bytes, file_label: str) -> pd.DataFrame:
    """A JSON array of objects -> all-text cells (like ``read_csv_text``), one column per key.

    Keys are collected in first-seen order over all records; a key a record lacks is an empty
    cell. JSON null is empty, booleans are 'true'/'false', numbers keep their JSON spelling.
    Nesting deeper than ``ParseLimits.max_json_depth`` and a key repeated within one object are
    ``SourceFormatError``s naming the file (the depth error comes first).
    """
    text = decode_text(data, file_label)
    records = _load_json(text, file_label)
    if not isinstance(records, list):
        _refuse_if_too_deep(text, file_label)
        raise SourceFormatError(
            f"{file_label}: expected a JSON array of records, found {type(records).__name__}"
        )
    if not records:
        raise SourceFormatError(f"{file_label}: the JSON array holds no records")
    columns: dict[str, None] = {}
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            _refuse_if_too_deep(text, file_label)
            kind = type(record).__name__ if not isinstance(record, JsonNumber) else (
                "int" if record.lstrip("-").isdigit() else "float")
            raise SourceFormatError(
                f"{file_label}: record {position + 1} is a {kind}, not an object"
            )
        columns.update(dict.fromkeys(record))
    cells, nested = {}, []

    def cell(value: object) -> str:
        if isinstance(value, (dict, list)):
            nested.append(value)
        return json_cell(value)

    for name in columns:
        # a string (or a number literal, a str) is its own cell: no call for it
        cells[name] = [value if isinstance(value, str) else cell(value)
                       for value in [record.get(name) for record in records]]
    deepest = 2 + max(map(nesting, nested), default=0)  # the array and its records, then values
    _refuse_if_too_deep(text, file_label, deepest)
    return pd.DataFrame(cells, columns=list(columns), dtype=str)


def parse_json_records_bytes(data: bytes, spec: TableSpec, file_label: str) -> ParseResult:
    return parse_table(align_headers(read_json_records(data, file_label), spec), spec, file_label)
