"""The DuckDB fast path of cell typing (``typed_cells``) against the one-cell parsers (``cells``):
whatever the fast path types, the one-cell parser types to the same value; what it leaves out,
``parse_table`` hands to the one-cell parser. And rows keep their order at any size."""

import sys

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from orchestration.sources.cells import parse_bool, parse_date, parse_number
from orchestration.sources.tabular import Column, TableSpec, parse_table
from orchestration.sources.typed_cells import WHITESPACE, type_columns

PARSERS = {"number": parse_number, "date": parse_date, "bool": parse_bool}
TRICKY = {
    "number": "0123456789.,eE+-_ x\u00a0\u3000١",
    "date": "0123456789-/ T:\u00a0x",
    "bool": "tTrRuUeEfFaAlLsSyYnNoO01 \u00a0",
}


def _one_cell(kind: str, text: str):
    try:
        return PARSERS[kind](text.strip())
    except (ValueError, TypeError):
        return "refused"


@settings(deadline=None, max_examples=100)
@given(st.sampled_from(sorted(PARSERS)).flatmap(
    lambda kind: st.tuples(st.just(kind), st.lists(st.text(alphabet=TRICKY[kind], max_size=12),
                                                   min_size=1, max_size=40))))
def test_the_fast_path_types_only_what_the_one_cell_parser_accepts_and_to_the_same_value(case):
    kind, texts = case
    typed, empty, failed = type_columns(pd.DataFrame({"x": texts}), [kind])
    for row, text in enumerate(texts):
        assert empty[row, 0] == (text.strip() == "")
        if empty[row, 0] or failed[row, 0]:
            assert pd.isna(typed["x"].iat[row])
            continue
        value = typed["x"].iat[row]
        expected = _one_cell(kind, text)
        if kind == "date":
            value = value.date()
        assert expected != "refused" and value == expected, (text, value, expected)


def test_rows_keep_their_order_past_duckdbs_parallel_chunks():
    # DuckDB scans a DataFrame in parallel chunks of 2,048 rows; without ORDER BY this table
    # (a bool column, 150,000 rows) came back with its chunks out of order
    rows = 150_000
    raw = pd.DataFrame({"id": [f"r{i:06d}" for i in range(rows)], "flag": ["true"] * rows,
                        "value": [str(i) for i in range(rows)]})
    spec = TableSpec(source="s", key=("id",),
                     columns=(Column("id"), Column("flag", "bool"), Column("value", "number")))
    frame = parse_table(raw, spec, "s.csv").frame
    assert frame["id"].tolist() == raw["id"].tolist()
    assert np.array_equal(frame["value"].to_numpy(dtype=float), np.arange(rows, dtype=float))


def test_the_whitespace_stripped_is_exactly_pythons():
    every = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert WHITESPACE == every
