-- Reported and guided figures from companies' filings and earnings releases, one row per figure
-- (USD for the fiscal period). calendar_year / calendar_quarter place a fiscal quarter in the
-- calendar quarter that holds most of it (its midpoint), so companies with different fiscal years
-- line up; annual guidance keeps calendar_quarter empty.
select
    figure_id,
    company,
    metric,
    kind,
    fiscal_period,
    period_start,
    period_end,
    datediff('day', period_start, period_end) + 1                         as period_days,
    year(period_start + (datediff('day', period_start, period_end) // 2)::integer) as calendar_year,
    case when datediff('day', period_start, period_end) < 120
         then quarter(period_start + (datediff('day', period_start, period_end) // 2)::integer)
    end                                                                    as calendar_quarter,
    value_usd,
    value_low_usd,
    value_high_usd,
    disclosed_on,
    definition,
    notes,
    source_url,
    retrieved
from {{ ref('stg_snapshot_company_financials') }}
