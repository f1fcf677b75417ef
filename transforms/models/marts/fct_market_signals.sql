-- Observed market series per calendar quarter, for the brief's market-signals page: one row per
-- series and quarter, never interpolated. A quarter is `is_complete` only when every component of
-- the series reported it (hyperscaler capex needs all four companies); `disclosed_on` is the date
-- the last component became public, so the brief keeps only what its as-of date could know.
-- All values are in USD as published (no currency conversion is needed: every component reports
-- in USD) or USD per accelerator-hour. Shipments are not here: their quarterly split spreads
-- annual figures and the newest quarter may be partial (the installed base is on the backtest page).
with capex as (
    select calendar_year, calendar_quarter, max(period_end) as period_end,
           sum(value_usd) as value, count(distinct company) as components,
           max(disclosed_on) as disclosed_on,
           string_agg(distinct company, ', ' order by company) as detail
    from {{ ref('fct_company_financials') }}
    where metric = 'capital_expenditure' and kind = 'reported'
      and company in ('Alphabet', 'Amazon', 'Meta', 'Microsoft')
    group by 1, 2
),
nvidia as (
    select calendar_year, calendar_quarter, max(period_end) as period_end, sum(value_usd) as value,
           count(*) as components, max(disclosed_on) as disclosed_on,
           any_value(fiscal_period) as detail
    from {{ ref('fct_company_financials') }}
    where company = 'NVIDIA' and metric = 'data_center_revenue' and kind = 'reported'
    group by 1, 2
),
rental as (
    select year(observed_on) as calendar_year, quarter(observed_on) as calendar_quarter,
           max(observed_on) as period_end, median(usd_per_accelerator_hour) as value,
           count(*) as components, max(observed_on) as disclosed_on,
           count(*) || ' on-demand listings' as detail
    from {{ ref('fct_rental_prices') }}
    where accelerator_id = '{{ var("h100e_reference_accelerator_id") }}'
      and pricing_type = 'on_demand' and observed_on is not null and usd_per_accelerator_hour > 0
    group by 1, 2
),
unioned as (
    select 'hyperscaler_capex' as series, 'Hyperscaler capex (Alphabet, Amazon, Meta, Microsoft)' as label,
           'USD' as unit, *, components = 4 as is_complete from capex
    union all
    select 'nvidia_data_center_revenue', 'NVIDIA data-centre revenue', 'USD', *, true from nvidia
    union all
    select 'h100_rental_price', 'H100 on-demand rental price, median listing', 'USD/h', *, true from rental
)
select series, label, unit, calendar_year, calendar_quarter, cast(period_end as date) as period_end,
       value, components, is_complete, cast(disclosed_on as date) as disclosed_on, detail
from unioned
