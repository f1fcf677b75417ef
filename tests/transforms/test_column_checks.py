"""``column_checks`` (transforms/tests/generic/column_checks.sql) stands for the separate not_null,
unique, accepted_values, value_between, not_less_than_column and unique_combination_of_columns
tests it replaced (one dbt node per model instead of one per check): on any table each of its checks returns exactly the rows the
separate test returns, so it fails on the same data with the same failure count.

Library level: the test macros rendered with plain Jinja (dbt's own built-in macros from the
installed dbt, the project's from transforms/tests/generic) and run on small DuckDB tables; no dbt
build. Plus a static check that every column a column_checks names is a column of its model."""

from collections import Counter
from pathlib import Path

import dbt.include.global_project
import duckdb
import jinja2
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.settings import DBT_PROJECT_DIR

GENERIC_TESTS = Path(DBT_PROJECT_DIR) / "tests" / "generic"
DBT_GENERIC_TESTS = Path(dbt.include.global_project.__file__).parent / "macros" / "generic_test_sql"

# The project's unique_combination_of_columns test as it was, verbatim (no model uses it any more).
UNIQUE_COMBINATION_OF_COLUMNS = """
select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
"""


def _macro(source: str, name: str):
    env = jinja2.Environment()
    env.globals["should_store_failures"] = lambda: False  # dbt's not_null asks; a plain build does not store
    return getattr(env.from_string(source).module, name)


def column_checks_sql(model: str, **arguments) -> str:
    source = (GENERIC_TESTS / "column_checks.sql").read_text()
    source = source.replace("{% test ", "{% macro ").replace("{% endtest %}", "{% endmacro %}")
    return str(_macro(source, "column_checks")(model=model, **arguments))


def dbt_builtin_sql(name: str, model: str, **arguments) -> str:
    """dbt's own SQL for its built-in generic test ``name`` (not_null, unique, accepted_values)."""
    macro = _macro((DBT_GENERIC_TESTS / f"{name}.sql").read_text(), f"default__test_{name}")
    return str(macro(model=model, **arguments))


def project_test_sql(name: str, model: str, **arguments) -> str:
    """The SQL of the project's generic test ``name`` (transforms/tests/generic/<name>.sql)."""
    source = (GENERIC_TESTS / f"{name}.sql").read_text()
    source = source.replace("{% test ", "{% macro ").replace("{% endtest %}", "{% endmacro %}")
    return str(_macro(source, name)(model=model, **arguments))


def old_tests(model: str, not_null=(), unique=(), accepted_values=None, value_between=None,
              not_less_than_column=None, unique_combinations=()) -> dict:
    """(check, column) -> the SQL of the separate test that check replaced."""
    tests = {("not_null", c): dbt_builtin_sql("not_null", model, column_name=c) for c in not_null}
    tests |= {("unique", c): dbt_builtin_sql("unique", model, column_name=c) for c in unique}
    tests |= {("accepted_values", c): dbt_builtin_sql("accepted_values", model, column_name=c, values=v)
              for c, v in (accepted_values or {}).items()}
    tests |= {("value_between", c): project_test_sql("value_between", model, column_name=c, min_value=lo, max_value=hi)
              for c, (lo, hi) in (value_between or {}).items()}
    tests |= {("not_less_than_column", f"{c} >= {o}"): project_test_sql("not_less_than_column", model, column_name=c,
                                                                       other_column=o)
              for c, o in (not_less_than_column or {}).items()}
    tests |= {("unique_combination", ", ".join(cs)):
              str(jinja2.Template(UNIQUE_COMBINATION_OF_COLUMNS).render(model=model, combination_of_columns=cs))
              for cs in unique_combinations}
    return tests


def failing_rows(con, sql: str) -> list[tuple]:
    return con.execute(f"select * from ({sql})").fetchall()


def compare(con, model: str, **arguments) -> None:
    """Per check: the rows column_checks returns for it are the rows the separate test returns
    (as a multiset; not_null's row is the null itself, the others the value and its count)."""
    got = failing_rows(con, column_checks_sql(model, **arguments))
    by_check = {}
    for check, column, value, n_records in got:
        by_check.setdefault((check, column), Counter())[(value, n_records)] += 1
    expected = {}
    for key, sql in old_tests(model, **arguments).items():
        rows = failing_rows(con, sql)
        if key[0] == "not_null":
            expected[key] = Counter({(None, 1): len(rows)})
        elif key[0] == "value_between":  # the value, once per row
            expected[key] = Counter((str(v), 1) for (v,) in rows)
        elif key[0] == "not_less_than_column":  # the two values, once per row
            expected[key] = Counter((f"{a} < {b}", 1) for a, b in rows)
        elif key[0] == "unique_combination":  # the combination's columns, then its count
            expected[key] = Counter((", ".join(str(v) for v in row[:-1] if v is not None), row[-1]) for row in rows)
        else:
            expected[key] = Counter((None if v is None else str(v), n) for v, n in rows)
    expected = {k: c for k, c in expected.items() if sum(c.values())}
    assert by_check == expected
    assert len(got) == sum(sum(c.values()) for c in expected.values())  # dbt's failure count


DATES = st.one_of(st.none(), st.sampled_from(["2009-12-31", "2024-01-01", "2025-06-30", "2031-02-01"]))
ROWS = st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["gpu", "tpu", "it's", "asic", ""])),
                          st.one_of(st.none(), st.integers(0, 3)), DATES, DATES), max_size=12)
ARGUMENTS = dict(not_null=["kind", "n", "on_date"], unique=["kind", "n", "on_date"],
                 accepted_values={"kind": ["gpu", "tpu", "asic"]},
                 value_between={"n": [1, 2], "on_date": ["date '2010-01-01'", "retrieved + interval 5 year"]},
                 not_less_than_column={"retrieved": "on_date"},
                 unique_combinations=[["kind", "n"], ["kind", "n", "on_date"]])


def table(rows) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create table t (kind varchar, n integer, on_date date, retrieved date)")
    if rows:
        con.executemany("insert into t values (?, ?, ?, ?)", rows)
    return con


@settings(deadline=None, max_examples=60)
@given(rows=ROWS)
def test_each_check_returns_the_rows_of_the_test_it_replaced(rows):
    compare(table(rows), "t", **ARGUMENTS)


def test_a_null_a_duplicate_and_an_unlisted_value_each_fail_and_name_their_column():
    con = table([("gpu", 1, "2024-01-01", "2024-02-01"), ("gpu", 1, None, "2024-02-01"),
                 ("npu", None, "2025-06-30", "2025-01-01"), ("tpu", 7, "2009-12-31", "2024-02-01")])
    compare(con, "t", **ARGUMENTS)
    found = {(check, column) for check, column, *_ in failing_rows(con, column_checks_sql("t", **ARGUMENTS))}
    assert found == {("not_null", "n"), ("not_null", "on_date"), ("unique", "kind"), ("unique", "n"),
                     ("accepted_values", "kind"), ("value_between", "n"), ("value_between", "on_date"),
                     ("not_less_than_column", "retrieved >= on_date"), ("unique_combination", "kind, n")}
    clean = table([("gpu", 1, "2024-01-01", "2024-02-01"), ("tpu", 2, "2025-06-30", None)])
    assert failing_rows(clean, column_checks_sql("t", **ARGUMENTS)) == []
    assert failing_rows(clean, column_checks_sql("t")) == []  # no checks: nothing fails


def _declared() -> list[tuple[str, set, dict]]:
    """(node name, its columns, its column_checks arguments) for every model, seed and source table."""
    out = []
    for path in sorted(Path(DBT_PROJECT_DIR).glob("[ms]*/**/*.yml")):
        doc = yaml.safe_load(path.read_text()) or {}
        nodes = doc.get("models", []) + doc.get("seeds", [])
        nodes += [t for s in doc.get("sources", []) for t in s.get("tables", [])]
        for node in nodes:
            for test in node.get("data_tests", []) or []:
                if isinstance(test, dict) and "column_checks" in test:
                    out.append((node["name"], {c["name"] for c in node.get("columns", [])}, test["column_checks"]))
    return out


def test_every_column_checks_names_declared_columns_and_its_node():
    declared = _declared()
    assert len(declared) > 50
    for name, columns, spec in declared:
        arguments = spec["arguments"]
        named = set(arguments.get("not_null", [])) | set(arguments.get("unique", []))
        named |= set(arguments.get("accepted_values", {})) | set(arguments.get("value_between", {}))
        named |= set(arguments.get("not_less_than_column", {}))
        named |= set(arguments.get("not_less_than_column", {}).values())
        named |= {c for cs in arguments.get("unique_combinations", []) for c in cs}
        assert spec["name"].startswith("column_checks_") and spec["name"].endswith(name), spec["name"]
        if columns:  # a node whose YAML lists its columns must list the checked ones
            assert named <= columns, f"{name}: {sorted(named - columns)} not among its columns"
