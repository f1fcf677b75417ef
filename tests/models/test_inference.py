"""Inference side: token accounting, the anchor, tokens per query, FLOP per token."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from models import inference
from models.config import TokenAccounting
from tests.models.conftest import AS_OF


def _table(inputs, as_of=AS_OF):
    return inference.token_accounting(inputs.as_of(as_of).token_volumes, TokenAccounting())


def test_accounting_drops_peaks_words_routers_double_counts_and_narrow_scopes(warehouse_inputs):
    table = _table(warehouse_inputs).set_index("disclosure_id")
    excluded = table[table["status"] == "excluded"]
    assert "peak" in excluded.loc["bytedance-doubao-2026-02-16-peak-per-minute", "reason"]
    assert "words" in excluded.loc["openai-chatgpt-2024-02-words-per-day", "reason"]
    assert "router" in excluded.loc["openrouter-2025-11-per-day", "reason"]
    assert "China (National Data Administration)" in excluded.loc["deepseek-2025-02-27-24h", "reason"]
    assert "narrower scope" in excluded.loc["google-gemini-api-2026-05-per-minute", "reason"]
    assert table.loc["google-2026-05-monthly-3.2q", "status"] == "series"


def test_contained_provider_counts_until_its_aggregate_is_disclosed(warehouse_inputs):
    table = _table(warehouse_inputs, date(2025, 6, 30)).set_index("disclosure_id")
    assert table.loc["deepseek-2025-02-27-24h", "status"] == "series"  # China NDA not yet disclosed


def test_anchor_takes_each_providers_latest_row(warehouse_inputs):
    anchor, table = inference.token_anchor(_table(warehouse_inputs), AS_OF, max_staleness_years=1.0)
    assert anchor.has_data
    marked = table[table["status"] == "anchor"]
    assert set(marked["provider"]) == set(anchor.providers)
    assert marked.groupby("provider").size().max() == 1
    google = marked[marked["provider"] == "Google"].iloc[0]
    assert google["disclosure_id"] == "google-2026-05-monthly-3.2q"
    assert (anchor.lags >= 0).all() and anchor.lags.min() == 0
    # carried at growth 1, the disclosed sum is the plain sum of the latest levels
    assert anchor.disclosed_tokens_per_day(np.array([1.0]))[0] == pytest.approx(anchor.levels.sum())


def test_no_usable_disclosure_means_fallback(warehouse_inputs):
    anchor, _ = inference.token_anchor(_table(warehouse_inputs, date(2024, 1, 31)), date(2024, 1, 31))
    assert not anchor.has_data and anchor.anchor_year == 2024


def _drivers(**over):
    d = {
        "reasoning_share_anchor": 0.1, "reasoning_conversion_per_year": 0.2,
        "reasoning_token_multiplier": 8.0, "reasoning_multiplier_growth_per_year": 1.2,
        "agent_share_anchor": 0.02, "agent_share_growth_per_year": 1.5,
        "agent_steps_per_task": 10.0, "agent_steps_growth_per_year": 1.2,
        "served_active_params": 4e10, "served_params_growth_per_year": 1.0,
        "served_params_growth_history_per_year": 0.5, "mean_context_tokens": 4000.0,
        "context_growth_per_year": 1.0, "attention_flop_coefficient": 1e-5,
        "token_growth_history_per_year": 10.0, "disclosed_coverage": 0.5,
        "query_growth_per_year": 2.0, "anchor_tokens_per_day_fallback": 1e12,
    }
    d.update(over)
    return {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in d.items()}


def test_tokens_per_query_mix_in_the_anchor_year():
    d = _drivers()
    mix = inference.query_mix([2025], 2025, d, agent_cap=0.8)
    assert mix["serving_chat"][0, 0] == pytest.approx(0.98 * 0.9)
    assert mix["serving_reasoning"][0, 0] == pytest.approx(0.98 * 0.1 * 8)
    assert mix["serving_agents"][0, 0] == pytest.approx(0.02 * 10 * (0.9 + 0.8))


def test_flop_per_token_is_2N_plus_attention():
    d = _drivers()
    fpt = inference.flop_per_token([2024, 2025], 2025, d, max_params=3e11)
    assert fpt[1, 0] == pytest.approx(2 * 4e10 * (1 + 1e-5 * 4000))
    assert fpt[0, 0] == pytest.approx(2 * 8e10 * (1 + 1e-5 * 4000))  # back-cast at 0.5x/yr
    capped = inference.flop_per_token([2020], 2025, d, max_params=3e11)
    assert capped[0, 0] == pytest.approx(2 * 3e11 * 1.04)


def test_observed_volume_is_never_multiplied_again():
    """In the anchor year the served tokens equal the disclosed volume / coverage, whatever the
    reasoning and agent drivers say; they only move the growth after it."""
    anchor = inference.TokenAnchor(True, 2025.5, ("A",), np.array([1e13]), np.array([0.0]))
    years = np.arange(2024, 2028)
    out = []
    for m in (2.0, 8.0, 30.0):
        d = _drivers(reasoning_token_multiplier=m)
        mix = inference.query_mix(years, 2025, d, 0.8)
        tpq_a = sum(inference.query_mix([2025], 2025, d, 0.8).values())[0]
        out.append(inference.served_tokens(years, anchor, d, mix, tpq_a)[:, 0])
    for tokens in out:
        assert tokens[1] == pytest.approx(365.25 * 1e13 / 0.5)  # anchor year, t0 = mid-year
        assert tokens[0] == pytest.approx(tokens[1] / 10.0)  # history back-cast
    assert out[0][3] < out[1][3] < out[2][3]  # more reasoning tokens: faster growth after


def test_provider_growth_indicator(warehouse_inputs):
    growth = inference.provider_growth(_table(warehouse_inputs)).set_index("provider")
    g = growth.loc["Google"]
    span = g["last_mid_year"] - g["first_mid_year"]
    assert g["growth_per_year"] == pytest.approx((g["last_tokens_per_day"] / g["first_tokens_per_day"]) ** (1 / span))
    assert 5 < g["growth_per_year"] < 100


def test_tokens_per_day_the_model_reads_follow_the_period_unit(warehouse_inputs):
    tv = warehouse_inputs.token_volumes.set_index("disclosure_id")
    assert tv.loc["google-2024-05-monthly-9.7t", "tokens_per_day"] == pytest.approx(9.7e12 / 30)
    assert tv.loc["openai-api-2025-10-per-minute", "tokens_per_day"] == pytest.approx(6e9 * 1440)
    assert tv.loc["china-nda-2025-end-per-day", "tokens_per_day"] == pytest.approx(1e14)
    assert pd.isna(tv.loc["bytedance-doubao-2026-02-16-peak-per-minute", "tokens_per_day"])  # a peak is no daily rate
    assert isinstance(tv.loc["google-2024-05-monthly-9.7t", "period_end"], pd.Timestamp)
