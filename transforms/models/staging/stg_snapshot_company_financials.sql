-- One row per reported or guided financial figure from a company's filings and earnings releases
-- (natural key figure_id); values in USD for the fiscal period between period_start and
-- period_end. Guidance rows carry the range in value_low_usd / value_high_usd.
select
    lower(figure_id)                            as figure_id,
    company,
    lower(metric)                               as metric,
    lower(kind)                                 as kind,
    fiscal_period,
    period_start,
    period_end,
    value_usd,
    value_low_usd,
    value_high_usd,
    disclosed_on,
    definition,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_company_financials') }}
