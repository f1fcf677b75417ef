"""The Monte Carlo benchmark runs on a built warehouse (the full 100,000-draw timing is
`python -m bench.model_bench --home DIR`)."""

import pytest

from bench import model_bench


def test_bench_main_runs_and_prints_a_median(bundled_warehouse, capsys):
    home = bundled_warehouse.path.parent  # the FLOPCAST_HOME the session's dbt build filled
    assert model_bench.main(["--home", str(home), "--draws", "2000", "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "2,000 draws x 7 years" in out and "median:" in out and "calibration" in out


def test_bench_without_a_warehouse_says_one_is_needed(tmp_path):
    with pytest.raises(FileNotFoundError, match="no warehouse at .*bench.plain"):
        model_bench.load_inputs(tmp_path)
