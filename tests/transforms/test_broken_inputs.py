"""Inputs broken on purpose must fail dbt's tests (library level: dbt in-process on a copy of the
bundled warehouse, only the affected selection rebuilt). A failing error-severity test is what
blocks publishing and the brief (Dagster surfaces it as a failed asset check)."""

import pytest

from tests.transforms.conftest import failed_nodes


@pytest.fixture
def bundled_copy(bundled_warehouse, dbt_library):
    assert bundled_warehouse.build.ok, bundled_warehouse.build.stdout[-4000:]
    dbt_library.restore(bundled_warehouse.path)
    return dbt_library


def test_intact_copy_passes(bundled_copy):
    result = bundled_copy.invoke(["build", "--select", "+dim_accelerator", "--exclude", "test_type:unit"])
    assert result.success, failed_nodes(result)


def test_sparse_figure_stored_as_dense_fails(bundled_copy):
    # H100 SXM's headline FP8 (3,958 TFLOPS, 2:4 sparse) stored as if dense: FP8/BF16 = 4
    with bundled_copy.writable() as con:
        con.execute("update raw.snapshot_accelerators set fp8_dense_flop_per_s = 3.958e15 "
                    "where accelerator_id = 'nvidia-h100-sxm'")
    result = bundled_copy.invoke(["build", "--select", "+dim_accelerator", "--exclude", "test_type:unit"])
    assert not result.success
    failed = failed_nodes(result)
    assert any("expression_is_true_dim_accelerator" in node for node in failed), failed
    with bundled_copy.writable() as con:
        reason = con.execute("select suspected_sparse_reason from marts.dim_accelerator "
                             "where accelerator_id = 'nvidia-h100-sxm'").fetchone()[0]
    assert "FP8/BF16 = 4" in reason


def test_sparse_bf16_beside_dense_fp8_fails(bundled_copy):
    # BF16 headline (1,979, sparse) stored as dense next to a dense FP8: ratio 1, NVIDIA runs FP8 at 2x
    with bundled_copy.writable() as con:
        con.execute("update raw.snapshot_accelerators set bf16_dense_flop_per_s = 1.979e15 "
                    "where accelerator_id = 'nvidia-h200-sxm'")
    result = bundled_copy.invoke(["build", "--select", "+dim_accelerator", "--exclude", "test_type:unit"])
    assert not result.success
    assert any("expression_is_true_dim_accelerator" in node for node in failed_nodes(result))


def test_duplicate_key_fails(bundled_copy):
    with bundled_copy.writable() as con:
        con.execute("insert into raw.snapshot_accelerators select * from raw.snapshot_accelerators "
                    "where accelerator_id = 'nvidia-b200'")
    result = bundled_copy.invoke(["build", "--select", "+dim_accelerator", "--exclude", "test_type:unit"])
    assert not result.success
    failed = failed_nodes(result)
    assert any("unique" in node and "accelerator_id" in node for node in failed), failed


def test_mlperf_match_share_below_90_percent_fails(bundled_copy):
    # a tiny MLPerf round where most rows name a chip nobody knows
    with bundled_copy.writable() as con:
        con.execute("""
            insert into raw.mlperf_inference_v5_1 (result_id, model, scenario, accelerator,
                accelerators_per_node, nodes, performance_result, performance_units)
            values ('5.1-9001', 'llama2-70b-99', 'Offline', 'NVIDIA H100-SXM-80GB', 8, 1, 24000, 'Tokens/s'),
                   ('5.1-9002', 'llama2-70b-99', 'Offline', 'Mystery NPU 9000', 4, 1, 100, 'Tokens/s'),
                   ('5.1-9003', 'llama2-70b-99', 'Offline', 'Mystery NPU 9000', 4, 1, 100, 'Tokens/s')
        """)
    result = bundled_copy.invoke(["build", "--select", "+fct_mlperf_throughput", "int_unmatched_accelerator_names",
                                  "--exclude", "test_type:unit"])
    assert not result.success
    failed = failed_nodes(result)
    assert any("share_at_least_fct_mlperf_throughput" in node for node in failed), failed
    with bundled_copy.writable() as con:
        unmatched = con.execute("select name_raw, row_count from intermediate.int_unmatched_accelerator_names "
                                "where source = 'mlperf_inference_v5_1'").fetchall()
        per_chip = con.execute("select tokens_per_s_per_accelerator from marts.fct_mlperf_throughput "
                               "where result_id = '5.1-9001'").fetchone()[0]
    assert unmatched == [("Mystery NPU 9000", 2)]
    assert per_chip == pytest.approx(3000)


def test_a_restated_quarter_is_a_new_vintage_never_a_double_count(bundled_copy):
    """Microsoft restates its 2025 Q1 capex a year later: the quarter gets a second vintage (the
    restated sum, flagged, with the first-reported sum beside it); the first vintage is unchanged,
    so a brief dated before the restatement still sees what was reported then."""
    with bundled_copy.writable() as con:
        before = con.execute("select value, disclosed_on from marts.fct_market_signals where series = "
                             "'hyperscaler_capex' and calendar_year = 2025 and calendar_quarter = 1").fetchall()
        con.execute("""
            insert into raw.snapshot_company_financials
            select * replace ('msft-capex-restated' as figure_id, value_usd + 1e9 as value_usd,
                              date '2026-04-30' as disclosed_on)
            from raw.snapshot_company_financials
            where company = 'Microsoft' and metric = 'capital_expenditure' and kind = 'reported'
              and period_start = date '2025-01-01'""")
    result = bundled_copy.invoke(["build", "--select", "+fct_market_signals", "--exclude", "test_type:unit"])
    assert result.success, failed_nodes(result)
    with bundled_copy.writable() as con:
        rows = con.execute("select value, disclosed_on, is_restated, first_reported_value from marts.fct_market_signals "
                           "where series = 'hyperscaler_capex' and calendar_year = 2025 and calendar_quarter = 1 "
                           "order by disclosed_on").fetchall()
    # one vintage per date a component reported the quarter, and one more for the restatement
    assert len(rows) == len(before) + 1
    assert [tuple(r[:2]) for r in rows[:-1]] == sorted(before, key=lambda r: r[1])
    assert not any(r[2] for r in rows[:-1])
    value0 = max(before, key=lambda r: r[1])[0]  # the complete quarter as first reported
    value1, on1, restated1, first1 = rows[-1]
    assert str(on1) == "2026-04-30" and restated1
    assert value1 == pytest.approx(value0 + 1e9) and first1 == pytest.approx(value0)
