"""Layout helpers of the brief's context: the MLPerf table in two columns."""

import pandas as pd

from reports.context import mlperf_layout


def _rows(n: int, model=lambda i: "llama2-70b-99") -> pd.DataFrame:
    return pd.DataFrame({"round": "v5.1", "accelerator_name": [f"chip {i}" for i in range(n)],
                         "model": [model(i) for i in range(n)], "scenario": "Offline",
                         "throughput_per_accelerator": [1000.0 - i for i in range(n)],
                         "units": "tokens/s per accelerator"})


def test_fastest_first_down_the_left_then_the_right():
    layout = mlperf_layout(_rows(5))
    names = [(a["accelerator_name"], b and b["accelerator_name"]) for a, b in layout["mlperf_pairs"]]
    assert names == [("chip 0", "chip 3"), ("chip 1", "chip 4"), ("chip 2", None)]
    assert layout["mlperf_shared"] == {"model": "llama2-70b-99", "scenario": "Offline",
                                       "units": "tokens/s per accelerator"}


def test_a_value_that_differs_between_rows_stays_on_its_row():
    layout = mlperf_layout(_rows(4, model=lambda i: "llama2-70b-99.9" if i == 2 else "llama2-70b-99"))
    assert "model" not in layout["mlperf_shared"]
    assert mlperf_layout(_rows(0)) == {"mlperf": [], "mlperf_pairs": [], "mlperf_shared": {}}


def test_scenarios_that_train_more_on_less_inference_are_named():
    from reports.context import training_above_main

    p50 = {"base": {2026: (5.8e28, 2.0e28), 2030: (1.6e29, 2.4e29)},
           "bear": {2026: (6.2e28, 1.5e28), 2030: (1.5e29, 1.9e29)},  # more training, less inference
           "bull": {2026: (5.8e28, 2.5e28), 2030: (1.8e29, 3.0e29)}}  # more of both: nothing to explain
    assert training_above_main(p50, "base") == ["bear"]
    p50["bear"][2026] = (float("nan"), 1.5e28)
    assert training_above_main(p50, "base") == []
