"""Training side: 6ND, history, the fitted frontier trend, the level, the buckets."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import training
from tests.models.conftest import AS_OF


def test_snapshot_chinchilla_row_is_consistent_with_6ND(warehouse_inputs):
    runs = warehouse_inputs.training_runs.set_index("model_id")
    row = runs.loc["chinchilla-70b"]
    estimate = 6.0 * row["active_parameters"] * row["training_tokens"]  # 6 N D (Kaplan et al. 2020)
    assert estimate == pytest.approx(row["training_flop"], rel=0.05)


@pytest.mark.parametrize("as_of", [date(2024, 6, 30), date(2025, 6, 30), AS_OF])
def test_fitted_frontier_growth_is_3_to_7x_per_year_on_the_snapshot(warehouse_inputs, as_of):
    runs = warehouse_inputs.as_of(as_of).training_runs
    fit = training.fit_frontier_trend(runs, top_n=10, start_year=2010, end_year=as_of.year - 1)
    assert fit.last_year <= as_of.year - 1
    assert fit.ok and fit.n >= 20
    assert 3.0 <= fit.growth_per_year <= 7.0
    assert fit.ci90[0] < fit.ci80[0] < fit.growth_per_year < fit.ci80[1] < fit.ci90[1]
    assert fit.r2 > 0.5


def test_trend_fit_refuses_too_few_points(warehouse_inputs):
    runs = warehouse_inputs.training_runs.head(3)
    fit = training.fit_frontier_trend(runs, min_points=8)
    assert not fit.ok and "frontier runs" in fit.message


def test_frontier_is_top_n_per_year_and_history_adds_up(warehouse_inputs):
    runs = warehouse_inputs.training_runs
    top = training.frontier_runs(runs, top_n=3)
    assert top.groupby("year").size().max() <= 3
    hist = training.training_history(runs, top_n=3)
    y2024 = hist.set_index("year").loc[2024]
    with_flop = runs[(runs["training_flop"] > 0) & (runs["publication_date"].dt.year == 2024)]
    assert y2024["notable_total_flop"] == pytest.approx(with_flop["training_flop"].sum())
    assert y2024["frontier_top_n_flop"] == pytest.approx(with_flop["training_flop"].nlargest(3).sum())
    assert y2024["frontier_max_flop"] == pytest.approx(with_flop["training_flop"].max())


def test_level_is_the_detrended_geometric_mean_of_the_largest_runs():
    hist = pd.DataFrame({"year": [2021, 2022, 2023, 2024], "frontier_max_flop": [9e30, 1e24, 4e24, 1.6e25]})
    level, used = training.frontier_level(hist, 2024, growth_per_year=4.0, level_years=3)
    assert used == [2022, 2023, 2024] and level == pytest.approx(1.6e25)
    level, _ = training.frontier_level(hist, 2024, growth_per_year=2.0, level_years=2)
    assert level == pytest.approx(np.sqrt(8e24 * 1.6e25))
    with pytest.raises(ValueError, match="no training run"):
        training.frontier_level(hist, 2020, growth_per_year=2.0)


def test_training_buckets_follow_their_definitions():
    years = np.arange(2023, 2027)
    g = np.array([4.0, 5.0])
    frontier = training.frontier_path(years, 2024, 1e26, 3.0, g)
    assert frontier[:, 0] == pytest.approx([1e26 / 3, 1e26, 4e26, 16e26])
    cov = training.run_equivalents_path(years, 2024, np.array([2.0, 2.0]), np.array([0.5, 1.0]))
    assert cov[:, 0] == pytest.approx([2.0, 2.0, 1.0, 0.5])
    share = training.post_training_share(years, np.array([0.3, 0.3]), np.array([0.1, 0.5]), cap=0.8)
    assert share[:, 0] == pytest.approx([0.2, 0.3, 0.4, 0.5])
    assert share[:, 1].max() == pytest.approx(0.8) and share.min() >= 0
    b = training.training_buckets(frontier, cov, share, np.array([3.0, 3.0]), np.array([0.2, 0.2]))
    final = b["pretraining"] + b["posttraining"]
    assert b["posttraining"] == pytest.approx(final * share)
    assert b["experiments"] == pytest.approx(3.0 * final)
    assert b["synthetic_data"] == pytest.approx(0.2 * final)


def test_as_of_rule_drops_later_runs(warehouse_inputs):
    cut = warehouse_inputs.as_of(date(2023, 12, 31)).training_runs
    assert cut["publication_date"].max() <= pd.Timestamp("2023-12-31")
    assert len(cut) < len(warehouse_inputs.training_runs)


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.integers(2015, 2018), st.sampled_from([1e20, 2e20, 5e21, 5e21, 7e22])),
                min_size=0, max_size=40),
       st.integers(1, 4))
def test_frontier_runs_are_each_years_top_n_by_flop_then_id(rows, top_n):
    """The pre-filter on each year's rank never changes the pick, ties at the cut included."""
    runs = pd.DataFrame({"model_id": [f"m{i:02d}" for i in range(len(rows))],
                         "publication_date": pd.to_datetime([f"{y}-06-01" for y, _ in rows]),
                         "training_flop": [f for _, f in rows]})
    expected = (training.runs_with_flop(runs)
                .sort_values(["year", "training_flop", "model_id"], ascending=[True, False, True])
                .groupby("year", group_keys=False).head(top_n).reset_index(drop=True))
    pd.testing.assert_frame_equal(training.frontier_runs(runs, top_n=top_n), expected)
