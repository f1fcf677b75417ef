-- The installed base of AI accelerators per calendar quarter (is_year_end marks Q4) and vendor,
-- in H100-equivalents and chips, as it could be known at each month end (as_of_date: only the
-- figures disclosed by then; is_latest marks the vintage with every figure). Built from the
-- shipment figures that fct_accelerator_shipments marks in_stock:
--   1. each figure is spread evenly over the days of its period, into calendar quarters;
--   2. per series (a vendor family) and quarter, the estimates of the publishers that cover it give
--      the central value (median) and the range (lowest low, highest high);
--   3. a quarter's shipments are installed deployment_lag_quarters later, and survive with a
--      linear retirement between service_life_years -/+ retirement_spread_years / 2 of age
--      (seed installed_base_parameters: named and sourced);
--   4. the stock at a quarter's end sums the surviving cohorts; low and high sum the series' lows
--      and highs (their errors are treated as fully correlated, so the range is wide).
-- shipped_h100e_cumulative is the same shipments summed with no lag and no retirement: the
-- quantity Epoch AI's chip-sales explorer reports ("cumulative computing capacity").
-- Quarters run from the first figure to deployment_lag_quarters after the last quarter that every
-- major series of the vintage covers in full (a tenth of its H100-equivalents or more, and not
-- superseded: covered within a year of the best-covered one) - later stocks would miss that
-- series' shipments and read as a fall - and never past the vintage's date.
with params as (
    select
        max(case when parameter = 'deployment_lag_quarters' then value end)  as lag_quarters,
        max(case when parameter = 'service_life_years' then value end)       as life_years,
        max(case when parameter = 'retirement_spread_years' then value end)  as spread_years
    from {{ ref('installed_base_parameters') }}
),

all_figures as (
    select *
    from {{ ref('fct_accelerator_shipments') }}
    where in_stock and metric = 'shipped' and units_h100e is not null
),

vintages as (
    -- every month end from the first disclosure's month to the last one's
    select
        cast(m.range + interval 1 month - interval 1 day as date)      as as_of_date,
        m.range + interval 1 month >= (select date_trunc('month', max(disclosed_on)) + interval 1 month
                                       from all_figures)               as is_latest
    from range((select date_trunc('month', min(disclosed_on)) from all_figures),
               (select date_trunc('month', max(disclosed_on)) + interval 1 month from all_figures),
               interval 1 month) m
),

figures as (
    select v.as_of_date, f.*
    from vintages v
    join all_figures f on f.disclosed_on <= v.as_of_date
),

series_coverage as (
    -- per vintage and series: its share of the vintage's H100-equivalents and the last calendar
    -- quarter it covers to its last day
    select
        as_of_date,
        series,
        sum(units_h100e) / sum(sum(units_h100e)) over (partition by as_of_date)   as share_of_vintage,
        -- a figure's period past the vintage's date is a forecast: coverage stops at that date
        cast(date_trunc('quarter', least(max(period_end), as_of_date) + interval 1 day)
             - interval 3 month as date)                               as last_full_quarter
    from figures
    group by as_of_date, series
),

major_series as (
    -- a tenth of the vintage's H100-equivalents or more, and still covered within a year of the
    -- best-covered major series (one that stopped earlier is a superseded generation)
    select *
    from series_coverage
    where share_of_vintage >= 0.1
    qualify last_full_quarter >= max(last_full_quarter) over (partition by as_of_date) - interval 12 month
),

bounds as (
    select
        f.as_of_date,
        date_trunc('quarter', min(f.period_start))                     as first_quarter,
        -- the last quarter every major series covers in full
        any_value(c.last_quarter)                                      as last_quarter
    from figures f
    join (select as_of_date, min(last_full_quarter) as last_quarter
          from major_series group by as_of_date) c using (as_of_date)
    group by f.as_of_date
),

quarters as (
    -- one shared quarter index, from the first figure of any vintage
    select
        cast(q.range as date)                                          as quarter_start,
        cast(q.range + interval 3 month - interval 1 day as date)      as quarter_end,
        row_number() over (order by q.range)                           as quarter_index
    from params p,
        range((select min(first_quarter) from bounds),
              (select max(last_quarter) from bounds)
                  + to_months(cast(p.lag_quarters as integer) * 3) + interval 1 day,
              interval 3 month) q
),

vintage_quarters as (
    select b.as_of_date, q.*
    from bounds b, params p, quarters q
    where q.quarter_start >= b.first_quarter
      and q.quarter_start <= b.last_quarter + to_months(cast(p.lag_quarters as integer) * 3)
      and q.quarter_end <= b.as_of_date  -- a later stock would be a forecast
),

allocated as (
    select
        f.as_of_date,
        f.series,
        f.vendor,
        q.quarter_index,
        (datediff('day', greatest(f.period_start, q.quarter_start),
                         least(f.period_end, q.quarter_end)) + 1)
            / (datediff('day', f.period_start, f.period_end) + 1)      as share_of_figure,
        f.units, f.units_h100e,
        coalesce(f.units_low_h100e, f.units_h100e)                    as low_h100e,
        coalesce(f.units_high_h100e, f.units_h100e)                   as high_h100e
    from figures f
    join quarters q on q.quarter_start <= f.period_end and q.quarter_end >= f.period_start
),

series_quarter as (
    select
        as_of_date,
        series,
        any_value(vendor)                                              as vendor,
        quarter_index,
        median(units * share_of_figure)                                as units,
        median(units_h100e * share_of_figure)                          as h100e,
        min(low_h100e * share_of_figure)                               as low_h100e,
        max(high_h100e * share_of_figure)                              as high_h100e
    from allocated
    group by as_of_date, series, quarter_index
),

cohorts as (
    -- every (stock quarter, shipment quarter) pair of a vintage, with the cohort's survival at the
    -- stock quarter's end (age measured from the middle of its install quarter)
    select
        q.as_of_date,
        q.quarter_index,
        s.vendor,
        s.units, s.h100e, s.low_h100e, s.high_h100e,
        q.quarter_index - s.quarter_index >= p.lag_quarters           as installed,
        least(1, greatest(0,
            (p.life_years + p.spread_years / 2
             - (q.quarter_index - s.quarter_index - p.lag_quarters + 0.5) / 4) / p.spread_years))
                                                                       as survival
    from vintage_quarters q
    join series_quarter s on s.as_of_date = q.as_of_date and s.quarter_index <= q.quarter_index
    cross join params p
),

by_vendor as (
    select
        as_of_date,
        quarter_index,
        vendor,
        sum(case when installed then h100e * survival else 0 end)     as installed_h100e,
        sum(case when installed then low_h100e * survival else 0 end) as installed_h100e_low,
        sum(case when installed then high_h100e * survival else 0 end) as installed_h100e_high,
        sum(case when installed then units * survival else 0 end)     as installed_units,
        sum(h100e)                                                     as shipped_h100e_cumulative
    from cohorts
    group by as_of_date, quarter_index, vendor
),

with_total as (
    select * from by_vendor
    union all
    select as_of_date, quarter_index, 'all' as vendor, sum(installed_h100e), sum(installed_h100e_low),
           sum(installed_h100e_high), sum(installed_units), sum(shipped_h100e_cumulative)
    from by_vendor
    group by as_of_date, quarter_index
)

select
    t.as_of_date,
    v.is_latest,
    q.quarter_end                                                      as period_end,
    year(q.quarter_end)                                                as year,
    quarter(q.quarter_end)                                             as quarter,
    quarter(q.quarter_end) = 4                                         as is_year_end,
    t.vendor,
    case when t.vendor = 'all' then 'all tracked vendors' else coalesce(b.brand, t.vendor) end as vendor_name,
    t.installed_h100e,
    t.installed_h100e_low,
    t.installed_h100e_high,
    t.installed_units,
    t.shipped_h100e_cumulative
from with_total t
join quarters q using (quarter_index)
join vintages v using (as_of_date)
left join {{ ref('accelerator_vendor_brands') }} b on b.vendor = t.vendor
order by as_of_date, period_end, vendor
