"""The bundled snapshot's accelerators checked against Epoch AI's ML Hardware dataset, chip by chip,
wherever both cover the same chip (the pairs, exclusions and method: ``epoch_comparison``).

Tolerances: 5% relative for peak tensor rate, memory bandwidth and TDP (vendors round, e.g. 3.35 vs
3.352 TB/s); 8% for memory capacity, because vendors and Epoch mix GB and GiB (2^30/10^9 - 1 = 7.4%,
e.g. TPU v5p "95 GiB" stored by Epoch as 95e9 bytes).
"""

from __future__ import annotations

import pytest

from tests.sources.epoch_comparison import (
    ACCELERATOR_EXCLUSIONS,
    ACCELERATOR_MAP,
    LARGE_SCALE_MODEL_MAP,
    MODEL_EXCLUSIONS,
    NOTABLE_MODEL_MAP,
    Comparison,
    number_or_none,
    report,
)

ACCELERATOR_METRICS = (  # (metric, our column(s), Epoch column, relative tolerance)
    ("tensor16", ("bf16_dense_flop_per_s", "fp16_dense_flop_per_s"),
     "tensor_fp16_bf16_flop_per_s", 0.05),
    ("memory_bytes", ("memory_bytes",), "memory_bytes", 0.08),
    ("memory_bandwidth_bytes_per_s", ("memory_bandwidth_bytes_per_s",),
     "memory_bandwidth_bytes_per_s", 0.05),
    ("tdp_w", ("tdp_w",), "tdp_w", 0.05),
)

MIN_MATCHED_CHIPS = 35          # 38 mapped; Epoch's Dec-2025 file has all of them
MIN_COMPARED_CHIP_VALUES = 100  # about 115 value pairs present on both sides
MAX_CHIP_MISMATCHES = 2         # unexplained ones; 0 when this file was written


# --- tests: mappings are well-formed ------------------------------------------------------------

def test_mappings_name_real_snapshot_rows(snapshot_accelerators, snapshot_training_runs):
    assert set(ACCELERATOR_MAP) <= set(snapshot_accelerators.index)
    assert len(set(ACCELERATOR_MAP.values())) == len(ACCELERATOR_MAP), "two chips map to one row"
    models = {**NOTABLE_MODEL_MAP, **LARGE_SCALE_MODEL_MAP}
    assert len(models) == len(NOTABLE_MODEL_MAP) + len(LARGE_SCALE_MODEL_MAP)
    assert set(models) <= set(snapshot_training_runs.index)
    assert {k for k, _ in ACCELERATOR_EXCLUSIONS} <= set(ACCELERATOR_MAP)
    assert set(MODEL_EXCLUSIONS) <= set(models)


# --- tests: accelerators -------------------------------------------------------------------------

def test_epoch_tensor_column_is_dense(snapshot_accelerators, epoch_ml_hardware):
    """The comparison relies on Epoch storing dense rates: H100 SXM = 1,979 sparse / 2."""
    epoch_h100 = epoch_ml_hardware.loc[ACCELERATOR_MAP["nvidia-h100-sxm"]]
    assert float(epoch_h100["tensor_fp16_bf16_flop_per_s"]) == pytest.approx(1979e12 / 2, rel=0.001)
    assert snapshot_accelerators.loc["nvidia-h100-sxm", "bf16_dense_flop_per_s"] == pytest.approx(
        float(epoch_h100["tensor_fp16_bf16_flop_per_s"]), rel=0.001)


def _chip_comparisons(accelerators, epoch_hardware) -> tuple[list[Comparison], list[str]]:
    comparisons: list[Comparison] = []
    missing: list[str] = []
    for accelerator_id, epoch_name in ACCELERATOR_MAP.items():
        if epoch_name not in epoch_hardware.index:
            missing.append(f"{accelerator_id} -> {epoch_name!r}")
            continue
        ours_row, epoch_row = accelerators.loc[accelerator_id], epoch_hardware.loc[epoch_name]
        for metric, our_columns, epoch_column, tolerance in ACCELERATOR_METRICS:
            ours = next((v for v in (number_or_none(ours_row[c]) for c in our_columns) if v is not None),
                        None)
            epoch = number_or_none(epoch_row[epoch_column])
            if ours is None or epoch is None:
                continue  # one side does not publish it: nothing to compare
            comparisons.append(Comparison(
                key=accelerator_id, epoch_name=epoch_name, metric=metric, ours=ours, epoch=epoch,
                ok=abs(ours / epoch - 1) <= tolerance,
                excluded=ACCELERATOR_EXCLUSIONS.get((accelerator_id, metric), "")))
    return comparisons, missing


def test_accelerators_match_epoch(snapshot_accelerators, epoch_ml_hardware):
    comparisons, missing = _chip_comparisons(snapshot_accelerators, epoch_ml_hardware)
    mismatches = report("accelerators.csv vs Epoch ML Hardware", comparisons)
    if missing:
        print("mapped but missing from this Epoch file:", ", ".join(missing))
    matched = len(ACCELERATOR_MAP) - len(missing)
    assert matched >= MIN_MATCHED_CHIPS, f"only {matched} mapped chips found in Epoch: {missing}"
    assert len(comparisons) >= MIN_COMPARED_CHIP_VALUES, len(comparisons)
    assert len(mismatches) <= MAX_CHIP_MISMATCHES, (
        f"{len(mismatches)} chip mismatches (allowed {MAX_CHIP_MISMATCHES}); check each against "
        "the vendor's datasheet, then fix accelerators.csv or add a reasoned exclusion:\n"
        + "\n".join(mismatches))


def test_every_chip_exclusion_is_still_needed(snapshot_accelerators, epoch_ml_hardware):
    """An exclusion that no longer differs (Epoch or we changed) should be removed."""
    comparisons, _ = _chip_comparisons(snapshot_accelerators, epoch_ml_hardware)
    stale = [c.line() for c in comparisons if c.excluded and c.ok]
    compared = {(c.key, c.metric) for c in comparisons}
    absent = [k for k in ACCELERATOR_EXCLUSIONS if k not in compared]
    assert not stale and not absent, f"stale exclusions: {stale} {absent}"
