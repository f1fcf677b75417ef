"""A build blocked by dbt names the failing test, its rows, model and column, in one line."""

from orchestration.dbt_results import (Failure, blocking_summary, failure_from_check, failures_from_run_results,
                                       summarise_run_results)

NOT_NULL = "test.flopcast.not_null_stg_x_y.3f2a9c"
RANGE = "test.flopcast.value_between_dim_accelerator_tdp_w__30000__1.2dda205725"
MANIFEST = {"nodes": {
    NOT_NULL: {"name": "not_null_stg_x_y", "attached_node": "model.flopcast.stg_x", "column_name": "y",
               "depends_on": {"nodes": ["model.flopcast.stg_x"]}},
    RANGE: {"name": "value_between_dim_accelerator_tdp_w__30000__1", "attached_node": None, "column_name": None,
            "test_metadata": {"name": "value_between", "kwargs": {"column_name": "tdp_w"}},
            "depends_on": {"nodes": ["model.flopcast.dim_accelerator"]}},
}}


def result(unique_id, status, failures=None, message=None):
    return {"unique_id": unique_id, "status": status, "failures": failures, "message": message}


RUN_RESULTS = {"results": [
    result("model.flopcast.stg_x", "success", message="OK"),
    result("test.flopcast.unique_stg_x_id.77", "pass", 0),
    result(NOT_NULL, "fail", 3, "Got 3 results, configured to fail if != 0"),
    result("test.flopcast.accepted_values_stg_x_kind.88", "warn", 2, "Got 2 results, configured to warn if != 0"),
    result(RANGE, "fail", 1, "Got 1 result, configured to fail if != 0"),
    result("model.flopcast.dim_x", "skipped"),
]}


def test_the_first_failing_test_is_named_with_rows_model_and_column_and_the_rest_counted():
    assert summarise_run_results(RUN_RESULTS, MANIFEST) == (
        "dbt test not_null_stg_x_y failed: 3 rows (model stg_x, column y); 1 more failing test")


def test_without_a_manifest_the_name_comes_from_the_unique_id():
    only = {"results": [RUN_RESULTS["results"][4]]}
    assert summarise_run_results(only) == "dbt test value_between_dim_accelerator_tdp_w__30000__1 failed: 1 row"
    assert summarise_run_results(only, MANIFEST) == (
        "dbt test value_between_dim_accelerator_tdp_w__30000__1 failed: 1 row (model dim_accelerator, column tdp_w)")


def test_warnings_passes_and_skips_do_not_block():
    quiet = {"results": [r for r in RUN_RESULTS["results"] if r["status"] not in ("fail",)]}
    assert failures_from_run_results(quiet, MANIFEST) == []
    assert summarise_run_results(quiet) is None


def test_a_model_in_error_gives_the_database_message_not_the_wrapper():
    broken = {"results": [result("model.flopcast.stg_x", "error", message=(
        "Runtime Error in model stg_x (models/staging/stg_x.sql)\n  Conversion Error: Could not convert string 'n/a' "
        "to DOUBLE\n\n  LINE 3: ..."))]}
    assert summarise_run_results(broken) == (
        "dbt model stg_x failed: Conversion Error: Could not convert string 'n/a' to DOUBLE")


def test_failing_tests_come_before_errors_downstream_of_them():
    mixed = [Failure("model", "dim_x", message="boom"), Failure("test", "t1", rows=12_345),
             Failure("test", "t2", rows=1), Failure("test", "t3", message="Catalog Error")]
    assert blocking_summary(mixed) == "dbt test t1 failed: 12,345 rows; 1 more failing test, 2 more nodes in error"


def test_a_failed_asset_check_reads_like_the_run_results():
    failure = failure_from_check("not_null_stg_x_y", ["staging", "stg_x"],
                                 {"unique_id": NOT_NULL, "dagster_dbt/failed_row_count": 3, "status": "fail"},
                                 MANIFEST)
    assert blocking_summary([failure]) == "dbt test not_null_stg_x_y failed: 3 rows (model stg_x, column y)"
    bare = failure_from_check("some_check", ["marts", "dim_x"], {})
    assert blocking_summary([bare]) == "dbt test some_check failed (model dim_x)"
