"""Two builds of implausible values that parse (1e30 FLOP/s, negative memory, a sparse H100 posing
as dense, a figure 2x Epoch's, ...): each fails exactly the blocking dbt tests listed in
``tests/corpus/build/implausible.csv``, and the published warehouse and the archived brief stay
byte-for-byte as they were."""

import hashlib

import pytest

from orchestration import warehouse
from tests.stress.builds import (
    MONTH,
    Build,
    dbt_test_name,
    file_digests,
    query,
    read_patches,
)


# Case 3: implausible values that parse must fail blocking dbt tests and publish nothing.
FORENSIC = {  # per run: SQL on the failed build's scratch copy -> the rows it must return
    "specs": {
        "select accelerator_id, suspected_sparse_reason from marts.dim_accelerator "
        "where suspected_sparse order by 1": [
            ("amd-mi300x", "above 1.5x the other source: bf16_dense_flop_per_s 2614900000000000.0 vs Epoch "
             "1307400000000000.0; fp16_dense_flop_per_s 2614900000000000.0 vs Epoch 1307400000000000.0; "
             "fp8_dense_flop_per_s 5229800000000000.0 vs Epoch 2614900000000000.0"),
            ("nvidia-h100-sxm", "FP8/BF16 = 1.0 outside 1.9-2.2 (vendor:nvidia); above 1.5x the other "
             "source: bf16_dense_flop_per_s 1979000000000000.0 vs Epoch 989400000000000.0"),
        ],
        "select accelerator_id from marts.dim_accelerator where bf16_dense_flop_per_s > 1e16": [
            ("nvidia-a100-sxm-80gb",)],
        "select accelerator_id from marts.dim_accelerator where memory_bytes < 1e8": [("google-tpu-v4",)],
        "select accelerator_id, tdp_w from marts.dim_accelerator where tdp_w < 1": [
            ("biren-synthetic-br900", -550.0)],
        "select campus_id, planned_power_mw, operational_power_mw from marts.dim_datacenter_campus "
        "where planned_power_mw not between 0 and 1e5 or operational_power_mw < 0 order by 1": [
            ("epoch-synthetic-campus-one", -80.0, -80.0), ("xai-colossus-memphis", 1e9, 300.0)],
    },
    "downstream": {
        "select model_id, training_flop from marts.fct_training_runs where training_flop > 1e28": [
            ("alexnet", 1e40)],
        "select model_name, hardware_chip_count from marts.fct_training_runs where hardware_chip_count < 1": [
            ("Synthetic LM 7B", -512.0)],
        "select model_id from marts.fct_training_runs where training_flop_method like '6ND%' and "
        "abs(training_flop / (6 * active_parameters * training_tokens) - 1) >= 0.02": [("bert-large",)],
        "select provider, tokens_per_day from marts.fct_token_volumes where tokens_per_day < 1": [
            ("Example AI", -2.5e11)],
        "select result_id, tokens_per_s_per_accelerator from marts.fct_mlperf_throughput "
        "where tokens_per_s_per_accelerator > 1e8": [("5.1-9001", 1.2e11)],
    },
}


RUNS = ("specs", "downstream")


@pytest.mark.parametrize("run", RUNS)
def test_implausible_values_fail_dbt_and_change_nothing(good_build: Build, failed_builds, run: str):
    build = failed_builds(run)
    settings = build.settings
    assert f"{MONTH}/brief.pdf" in build.briefs_before
    # the implausible values parsed: nothing was quarantined beyond the good build's rows
    for source, result in build.results.items():
        assert len(result.parsed.quarantine) == len(good_build.results[source].parsed.quarantine), source
    # dbt failed, and exactly the listed blocking tests failed (each on as many rows as were broken)
    assert build.failure is not None
    outcomes = build.dbt_outcomes
    failed = {dbt_test_name(r["unique_id"]): r["failures"] for r in outcomes if r["status"] == "fail"}
    assert not [r["unique_id"] for r in outcomes if r["status"] == "error"]
    expected: dict[str, set] = {}
    for patch in (p for p in read_patches() if p["run"] == run):
        for test in patch["expected_failing_test"].split():
            expected.setdefault(test, set()).add((patch["file"], patch["key"]))
    assert failed == {test: len(keys) for test, keys in expected.items()}
    # the offending rows, as dbt built them in the discarded scratch copy
    for sql, rows in FORENSIC[run].items():
        assert query(build.forensic, sql) == rows, sql
    # nothing published: warehouse and the last brief unchanged, scratch gone, no new brief
    assert hashlib.sha256(settings.duckdb_path.read_bytes()).hexdigest() == build.published_before
    assert not warehouse.scratch_path(settings.duckdb_path).exists()
    assert file_digests(settings.briefs_dir) == build.briefs_before
    assert query(settings.duckdb_path, "select bf16_dense_flop_per_s from marts.dim_accelerator "
                                       "where accelerator_id = 'nvidia-h100-sxm'") == [(9.894e14,)]
