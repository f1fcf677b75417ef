-- Observed market series per calendar quarter, for the brief's market-signals page: one row per
-- series, quarter and vintage (each date the quarter's value changed: a component's first report
-- or a restatement), never interpolated. A quarter is `is_complete` only when every component of
-- the series reported it (hyperscaler capex needs all four companies); `disclosed_on` is the
-- vintage's date, so a brief keeps the latest vintage its as-of date could know, and
-- `is_restated` / `first_reported_value` footnote a quarter some component restated.
-- All values are in USD as published (no currency conversion is needed: every component reports
-- in USD) or USD per accelerator-hour. Shipments are not here: their quarterly split spreads
-- annual figures and the newest quarter may be partial (the installed base is on the backtest page).
with figures as (
    -- the reported quarterly figures the series sum, one row per disclosure (a restated quarter has
    -- several rows: the first report and each restatement)
    select case metric when 'capital_expenditure' then 'hyperscaler_capex' else 'nvidia_data_center_revenue' end
               as series,
           company, calendar_year, calendar_quarter, period_end, fiscal_period, value_usd, disclosed_on
    from {{ ref('fct_company_financials') }}
    where kind = 'reported' and calendar_quarter is not null
      and ((metric = 'capital_expenditure' and company in ('Alphabet', 'Amazon', 'Meta', 'Microsoft'))
           or (metric = 'data_center_revenue' and company = 'NVIDIA'))
),
vintages as (
    -- each date a series' quarter changed: a first report or a restatement
    select distinct series, calendar_year, calendar_quarter, disclosed_on as vintage_on from figures
),
known as (
    -- per vintage, each component's latest figure disclosed by then
    select v.series, v.calendar_year, v.calendar_quarter, v.vintage_on, f.company, f.period_end,
           f.fiscal_period, f.value_usd,
           count(*) over (partition by v.series, v.calendar_year, v.calendar_quarter, v.vintage_on, f.company)
               as company_disclosures,
           first_value(f.value_usd) over (
               partition by v.series, v.calendar_year, v.calendar_quarter, v.vintage_on, f.company
               order by f.disclosed_on) as first_reported_usd
    from vintages v
    join figures f on f.series = v.series and f.calendar_year = v.calendar_year
                  and f.calendar_quarter = v.calendar_quarter and f.disclosed_on <= v.vintage_on
    qualify row_number() over (partition by v.series, v.calendar_year, v.calendar_quarter, v.vintage_on, f.company
                               order by f.disclosed_on desc) = 1
),
company_series as (
    select series, calendar_year, calendar_quarter, max(period_end) as period_end, sum(value_usd) as value,
           count(distinct company) as components, vintage_on as disclosed_on,
           case series when 'hyperscaler_capex' then string_agg(distinct company, ', ' order by company)
                       else any_value(fiscal_period) end as detail,
           bool_or(company_disclosures > 1 and value_usd <> first_reported_usd) as is_restated,
           sum(first_reported_usd) as first_reported_value
    from known
    group by series, calendar_year, calendar_quarter, vintage_on
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
    select series,
           case series when 'hyperscaler_capex' then 'Hyperscaler capex (Alphabet, Amazon, Meta, Microsoft)'
                       else 'NVIDIA data-centre revenue' end as label,
           'USD' as unit, calendar_year, calendar_quarter, period_end, value, components,
           case series when 'hyperscaler_capex' then components = 4 else true end as is_complete,
           disclosed_on, detail, is_restated, first_reported_value
    from company_series
    union all
    select 'h100_rental_price', 'H100 on-demand rental price, median listing', 'USD/h', calendar_year,
           calendar_quarter, period_end, value, components, true, disclosed_on, detail, false, null
    from rental
)
select series, label, unit, calendar_year, calendar_quarter, cast(period_end as date) as period_end,
       value, components, is_complete, cast(disclosed_on as date) as disclosed_on, detail,
       is_restated, first_reported_value
from unioned
