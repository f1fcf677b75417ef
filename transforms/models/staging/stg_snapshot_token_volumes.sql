-- One row per disclosure (natural key disclosure_id). `tokens` is the volume in ONE `period_unit`
-- as disclosed (e.g. 4.8e14 with 'month'); tokens_per_day converts it:
--   day -> x1; minute -> x1440; month/quarter/year -> divided by the window's length in days when
--   the window is a whole named period (>= 28, 89 or 365 days), else by the average length
--   (30.4375, 91.3125, 365.25 days) - an instantaneous run-rate has period_start = period_end.
-- Peak figures (metric tokens_processed_peak) are not converted: a one-minute peak is not a daily rate.
with typed as (
    select
        lower(disclosure_id)                    as disclosure_id,
        provider,
        period_start,
        period_end,
        tokens,
        lower(period_unit)                      as period_unit,
        scope,
        lower(metric)                           as metric,
        disclosed_on,
        quote,
        {{ snapshot_citation() }}
    from {{ source('raw', 'snapshot_token_volumes') }}
),
with_days as (
    select *, date_diff('day', period_start, period_end) + 1 as period_days from typed
)
select
    *,
    case
        when metric = 'tokens_processed_peak' then null
        when period_unit = 'day' then tokens
        when period_unit = 'minute' then tokens * 1440
        when period_unit = 'month' then tokens / (case when period_days >= 28 then period_days else 30.4375 end)
        when period_unit = 'quarter' then tokens / (case when period_days >= 89 then period_days else 91.3125 end)
        when period_unit = 'year' then tokens / (case when period_days >= 365 then period_days else 365.25 end)
    end as tokens_per_day
from with_days
