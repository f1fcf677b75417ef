"""OpenRouter daily model rankings (token volume per model per day).

URL: https://openrouter.ai/api/v1/datasets/exports/rankings-daily/latest.csv (CC BY 4.0 with
citation). Documented columns: date, model_permaslug, rank, total_tokens, share_of_daily_tokens.
UNVERIFIED: no real sample of this export has been seen (a keyless export is not confirmed), so
the descriptor says ``verified=False`` and the tests use a fixture built from the documented
columns. ``share_of_daily_tokens`` is kept as published (fraction or percent: dbt decides).
"""

from orchestration.sources.fetch import SourceDescriptor

DESCRIPTOR = SourceDescriptor(
    name="openrouter_rankings_daily",
    title="OpenRouter, daily model rankings",
    url="https://openrouter.ai/api/v1/datasets/exports/rankings-daily/latest.csv",
    licence="CC BY 4.0 (cite OpenRouter)",
    attribution="Data: OpenRouter rankings, CC BY 4.0, openrouter.ai/rankings",
    ext="csv",
    mirror_patterns=("openrouter/rankings-daily*.csv", "openrouter/rankings*.csv",
                     "openrouter/*.csv"),
    verified=False,
)
