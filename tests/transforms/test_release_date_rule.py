"""A chip announced with a release date after today is kept in dim_accelerator and left out by the
as-of rule, not refused by a calendar range that every later brief would trip over; a release date
far beyond its own retrieval (a typo such as 2208) still fails.

Library level: the YAML data tests of ``dim_accelerator.release_date`` (its own, and its rules in the
model's column_checks) rendered from the project's generic test macros and run on a small DuckDB
table (no dbt build)."""

from datetime import date
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import yaml

from models.inputs import REQUIRED_COLUMNS, ModelInputs
from orchestration.settings import DBT_PROJECT_DIR

GENERIC_TESTS = Path(DBT_PROJECT_DIR) / "tests" / "generic"


def column_tests(model: str, column: str) -> list[tuple[str, dict]]:
    """(test name, arguments) of every data test declared on ``model.column`` in its YAML: the
    column's own tests, and the model's column_checks narrowed to its checks of this column (one
    entry per check)."""
    (spec,) = yaml.safe_load((Path(DBT_PROJECT_DIR) / "models" / "marts" / f"{model}.yml").read_text())["models"]
    (col,) = [c for c in spec["columns"] if c["name"] == column]
    tests = []
    for test in col.get("data_tests", []):
        name, config = (test, {}) if isinstance(test, str) else next(iter(test.items()))
        tests.append((name, dict((config or {}).get("arguments", {}))))
    for test in spec.get("data_tests", []):
        if isinstance(test, dict) and "column_checks" in test:
            arguments = test["column_checks"]["arguments"]
            rules = {k: [column] for k in ("not_null", "unique") if column in arguments.get(k, [])}
            for kind in ("accepted_values", "value_between"):
                if column in arguments.get(kind, {}):
                    rules[kind] = {column: arguments[kind][column]}
            tests += [("column_checks", {kind: rule}) for kind, rule in rules.items()]  # one per check
    return tests


def failing_rows(con, model: str, column: str, name: str, arguments: dict) -> int:
    if name == "not_null":
        sql = f"select * from {model} where {column} is null"
    else:  # a generic test of the project: its {% test %} block rendered as a macro
        source = (GENERIC_TESTS / f"{name}.sql").read_text()
        source = source.replace("{% test ", "{% macro ").replace("{% endtest %}", "{% endmacro %}")
        macro = getattr(jinja2.Environment().from_string(source).module, name)
        column_argument = {} if name == "column_checks" else {"column_name": column}
        sql = str(macro(model=model, **column_argument, **arguments))
    return con.execute(f"select count(*) from ({sql})").fetchone()[0]


def dim_accelerator(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["accelerator_id", "release_date", "retrieved"]).astype(
        {"release_date": "datetime64[ns]", "retrieved": "datetime64[ns]"})


def failures(frame: pd.DataFrame) -> dict[str, int]:
    con = duckdb.connect()
    con.register("dim_accelerator", frame)
    return {name if name != "column_checks" else next(iter(args)):  # a column_checks rule: its check
            failing_rows(con, "dim_accelerator", "release_date", name, args)
            for name, args in column_tests("dim_accelerator", "release_date")}


def test_a_chip_announced_for_a_later_year_passes_the_build_and_the_as_of_rule_leaves_it_out():
    announced = dim_accelerator([("nvidia-h100-sxm", "2022-03-22", "2026-01-01"),
                                 ("nvidia-rubin-ultra", "2028-03-01", "2026-01-01")])
    assert set(failures(announced).values()) == {0}, failures(announced)

    acc = pd.DataFrame([{c: None for c in REQUIRED_COLUMNS["accelerators"]}
                        | {"accelerator_id": i, "vendor": "nvidia", "accelerator_name": i, "accelerator_type": "gpu",
                           "release_date": d} for i, d, _ in announced.astype(str).itertuples(index=False)])
    empty = {n: pd.DataFrame(columns=REQUIRED_COLUMNS[n])
             for n in ("training_runs", "token_volumes", "rental_prices", "published_splits")}
    inputs = ModelInputs(accelerators=acc, **empty)
    assert list(inputs.as_of(date(2027, 12, 31)).accelerators["accelerator_id"]) == ["nvidia-h100-sxm"]
    assert len(inputs.as_of(date(2028, 3, 31)).accelerators) == 2


def test_implausible_release_dates_still_fail():
    typo = dim_accelerator([("nvidia-h100-sxm", "2208-03-22", "2026-01-01"),
                            ("ancient", "1999-01-01", "2026-01-01"), ("undated", None, "2026-01-01")])
    found = failures(typo)
    assert found["not_null"] == 1
    assert sum(n for name, n in found.items() if name != "not_null") == 2, found
