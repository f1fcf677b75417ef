"""The Monte Carlo benchmark runs (the full 100,000-draw timing is `python -m bench.model_bench`)."""

from bench import model_bench


def test_bench_main_runs_and_prints_a_median(capsys):
    assert model_bench.main(["--draws", "2000", "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "2,000 draws x 7 years" in out and "median:" in out and "calibration" in out
