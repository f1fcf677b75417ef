"""Cell typing in DuckDB for ``tabular.parse_table``: one SQL statement types every column of a
text table (strip, empty -> NULL, number/date/bool by the project's one spelling of each) and flags
the non-empty cells it could not type. The flagged cells (few) go through the one-cell parsers in
``cells``, which accept what this fast path leaves out or give the exact reason; the fast path
accepts only text those parsers accept, with the same value."""

import sys

import duckdb
import numpy as np
import pandas as pd

from orchestration.sources.cells import BOOL_FALSE, BOOL_TRUE, current_limits

# Python's str.strip() removes exactly these characters; DuckDB's trim(text, characters) is told
# the same set, so a cell reads the same here as in the one-cell parsers.
WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
_SPACE = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in WHITESPACE) + "]"
# trim(text, characters) is slow (3.6 s for 3M cells); most cells have nothing to strip, and a
# regular expression finds the few that do (0.4 s).
_EDGE_SPACE = f"^{_SPACE}|{_SPACE}$"

# ASCII-only forms of cells.PLAIN_NUMBER and cells.NONZERO_MANTISSA (RE2's \d is ASCII; a number
# in other digits is left to the one-cell parser).
_PLAIN_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NONZERO_MANTISSA = r"^[^eE]*[1-9]"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_US_DATE = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$"
_DUCKDB_KINDS = {"number": "double", "date": "date", "bool": "boolean", "text": "varchar"}


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _typed(kind: str, t: str) -> tuple[str, str]:
    """(SQL of the typed value or NULL, SQL true where a non-empty cell was not typed) for the
    stripped text ``t`` (never NULL)."""
    if kind == "text":
        return f"nullif({t}, '')", "false"
    if kind == "number":
        value = f"try_cast({t} as double)"
        ok = (f"(length({t}) <= {current_limits().max_number_chars} "
              f"and regexp_full_match({t}, '{_PLAIN_NUMBER}') and isfinite({value}) "
              f"and not ({value} = 0 and regexp_matches({t}, '{_NONZERO_MANTISSA}')))")
    elif kind == "date":
        iso = (f"case when regexp_matches({t}, '{_ISO_DATE}') and left({t}, 4) <> '0000' "
               f"then try_strptime(left({t}, 10), '%Y-%m-%d') end")
        us = (f"case when regexp_matches(split_part({t}, ' ', 1), '{_US_DATE}') "
              f"then try_strptime(split_part({t}, ' ', 1), '%m/%d/%Y') end")
        value = f"cast(case when contains({t}, '/') then {us} else {iso} end as date)"
        ok = f"({value} is not null)"
    else:
        value = (f"case when lower({t}) in ({_sql_list(BOOL_TRUE)}) then true "
                 f"when lower({t}) in ({_sql_list(BOOL_FALSE)}) then false end")
        ok = f"({value} is not null)"
    return f"case when {ok} then {value} end", f"({t} <> '' and not {ok})"


def type_columns(texts: pd.DataFrame, kinds: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Type the text columns of ``texts`` (``kinds[i]`` for column i; a column of empty strings
    stands for one the file lacks). Returns (typed frame with DuckDB's types, in the rows' order;
    empty[rows, columns]; failed[rows, columns])."""
    stripped = [f"case when regexp_matches(c{i}, $edge) then trim(c{i}, $ws) else c{i} end"
                for i in range(len(kinds))]
    selects = []
    for i, (kind, t) in enumerate(zip(kinds, stripped, strict=True)):
        value, failed = _typed(kind, f"t{i}")
        selects += [f"{value} as v{i}", f"t{i} = '' as e{i}", f"{failed} as f{i}"]
    incoming = pd.DataFrame({f"c{i}": texts.iloc[:, i] for i in range(len(kinds))})
    incoming["position"] = np.arange(len(incoming))
    # a scan of a DataFrame runs in parallel chunks of 2,048 rows: only ORDER BY keeps the order
    sql = (f"select {', '.join(selects)} from (select position, "
           + ", ".join(f"{t} as t{i}" for i, t in enumerate(stripped))
           + " from incoming) order by position")
    with duckdb.connect() as con:
        con.register("incoming", incoming)
        result = con.execute(sql, {"ws": WHITESPACE, "edge": _EDGE_SPACE}).df()
    n = len(kinds)
    typed = result[[f"v{i}" for i in range(n)]]
    typed.columns = list(texts.columns)
    empty = result[[f"e{i}" for i in range(n)]].to_numpy(dtype=bool)
    failed = result[[f"f{i}" for i in range(n)]].to_numpy(dtype=bool)
    return typed, empty, failed
