"""Cell typing in DuckDB for ``tabular.parse_table``: one SQL statement types every column of a
text table (strip, empty -> NULL, number/date/bool by the project's one spelling of each) and flags
the non-empty cells it could not type. The flagged cells (few) go through the one-cell parsers in
``cells``, which accept what this fast path leaves out or give the exact reason; the fast path
accepts only text those parsers accept, with the same value."""

import threading

import duckdb
import numpy as np
import pandas as pd

from orchestration.sources.cells import BOOL_FALSE, BOOL_TRUE, NONZERO_MANTISSA, current_limits

# Python's str.strip() removes exactly these characters; DuckDB's trim(text, characters) is told
# the same set, so a cell reads the same here as in the one-cell parsers.
# (a test checks this against every code point's str.isspace(); computing it at import costs 70 ms)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
              "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SPACE = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in WHITESPACE) + "]"
# trim(text, characters) is slow (3.6 s for 3M cells); most cells have nothing to strip, and a
# regular expression finds the few that do (0.4 s).
_EDGE_SPACE = f"^{_SPACE}|{_SPACE}$"

# The ASCII-only form of cells.PLAIN_NUMBER (RE2's \d is ASCII; a number in other digits is left to
# the one-cell parser)
_PLAIN_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_US_DATE = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$"
_DUCKDB_KINDS = {"number": "double", "date": "date", "bool": "boolean", "text": "varchar"}


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _parsed(kind: str, t: str) -> str:
    """SQL of the value the fast path reads from the stripped text ``t`` (never NULL), or NULL
    where it reads none; ``_accepted`` then says whether that value stands."""
    if kind == "text":
        return f"nullif({t}, '')"
    if kind == "number":
        return (f"case when length({t}) <= {current_limits().max_number_chars} "
                f"and regexp_full_match({t}, '{_PLAIN_NUMBER}') then try_cast({t} as double) end")
    if kind == "date":
        iso = (f"case when regexp_matches({t}, '{_ISO_DATE}') and left({t}, 4) <> '0000' "
               f"then try_strptime(left({t}, 10), '%Y-%m-%d') end")
        us = (f"case when regexp_matches(split_part({t}, ' ', 1), '{_US_DATE}') "
              f"then try_strptime(split_part({t}, ' ', 1), '%m/%d/%Y') end")
        return f"cast(case when contains({t}, '/') then {us} else {iso} end as date)"
    return (f"case when lower({t}) in ({_sql_list(BOOL_TRUE)}) then true "
            f"when lower({t}) in ({_sql_list(BOOL_FALSE)}) then false end")


def _accepted(kind: str, t: str, value: str) -> str:
    """SQL true where the fast path's ``value`` of ``t`` stands: a number must be finite and a
    non-zero literal must not have underflowed to 0."""
    if kind == "text":
        return "true"
    if kind == "number":
        return (f"({value} is not null and isfinite({value}) "
                f"and not ({value} = 0 and regexp_matches({t}, '{NONZERO_MANTISSA}')))")
    return f"({value} is not null)"


def _sql(kinds: list[str]) -> str:
    """Three steps, each naming what the next reads (no expression is written twice): strip the
    text, read a value, then keep it or flag the cell."""
    n = range(len(kinds))
    strip = ", ".join(f"case when regexp_matches(c{i}, $edge) then trim(c{i}, $ws) else c{i} end as t{i}"
                      for i in n)
    read = ", ".join(f"t{i}, {_parsed(kind, f't{i}')} as r{i}" for i, kind in enumerate(kinds))
    judge = ", ".join(f"{_accepted(kind, f't{i}', f'r{i}')} as ok{i}" for i, kind in enumerate(kinds))
    keep = ", ".join(f"case when ok{i} then r{i} end as v{i}, t{i} = '' as e{i}, "
                     f"(t{i} <> '' and not ok{i}) as f{i}" for i in n)
    # a scan of a DataFrame runs in parallel chunks of 2,048 rows: only ORDER BY keeps the order
    return (f"select {keep} from (select *, {judge} from (select position, {read} from "
            f"(select position, {strip} from incoming))) order by position")


_CONNECTION = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB (opening one costs ~14 ms, a table of the snapshot ~20 ms)."""
    if getattr(_CONNECTION, "con", None) is None:
        _CONNECTION.con = duckdb.connect()
    return _CONNECTION.con


def type_columns(texts: pd.DataFrame, kinds: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Type the text columns of ``texts`` (``kinds[i]`` for column i; a column of empty strings
    stands for one the file lacks). Returns (typed frame with DuckDB's types, in the rows' order;
    empty[rows, columns]; failed[rows, columns])."""
    incoming = pd.DataFrame({f"c{i}": texts.iloc[:, i] for i in range(len(kinds))})
    incoming["position"] = np.arange(len(incoming))
    con = _connection()
    con.register("incoming", incoming)
    try:
        result = con.execute(_sql(kinds), {"ws": WHITESPACE, "edge": _EDGE_SPACE}).df()
    finally:
        con.unregister("incoming")
    n = len(kinds)
    typed = result[[f"v{i}" for i in range(n)]]
    typed.columns = list(texts.columns)
    empty = result[[f"e{i}" for i in range(n)]].to_numpy(dtype=bool)
    failed = result[[f"f{i}" for i in range(n)]].to_numpy(dtype=bool)
    return typed, empty, failed
