-- One row per reported or guided financial figure from a company's filings and earnings releases
-- (natural key figure_id), typed; values in USD for the fiscal period between period_start and
-- period_end. Guidance rows carry the range in value_low_usd / value_high_usd.
select
    lower(trim(figure_id))                      as figure_id,
    trim(company)                               as company,
    lower(trim(metric))                         as metric,
    lower(trim(kind))                           as kind,
    trim(fiscal_period)                         as fiscal_period,
    cast(period_start as date)                  as period_start,
    cast(period_end as date)                    as period_end,
    cast(value_usd as double)                   as value_usd,
    cast(value_low_usd as double)               as value_low_usd,
    cast(value_high_usd as double)              as value_high_usd,
    cast(disclosed_on as date)                  as disclosed_on,
    trim(definition)                            as definition,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_company_financials') }}
