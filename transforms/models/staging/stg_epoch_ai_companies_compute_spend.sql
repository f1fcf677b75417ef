-- One row per Epoch compute-spend figure (natural key id), typed, USD as published.
-- Report-date typo: the file has 'Report date' 0202-07-30 for "OpenAI 2025 cloud compute". The
-- intended year cannot be told for sure (2025 is likely but not stated), so report_date is nulled
-- for any date before 2000 (macro plausible_report_date), the publisher's value is kept in
-- report_date_as_published, and report_date_issue says why.
select
    trim(id)                                    as spend_id,
    trim(company)                               as company,
    cast(amount_usd as double)                  as amount_usd,
    nullif(trim(category), '')                  as category,
    lower(nullif(trim(period_type), ''))        as period_type,
    cast(date as date)                          as period_end,
    {{ plausible_report_date('cast(report_date as date)') }} as report_date,
    cast(report_date as date)                   as report_date_as_published,
    case
        when report_date is not null and {{ plausible_report_date('cast(report_date as date)') }} is null
            then 'report date ' || cast(report_date as varchar) || ' is before 2000: a typo in the source; nulled'
    end                                         as report_date_issue,
    cast(inference_compute_spend_usd as double) as inference_compute_spend_usd,
    cast(rd_compute_spend_usd as double)        as rd_compute_spend_usd,
    cast(total_compute_spend_usd as double)     as total_compute_spend_usd,
    nullif(trim(confidence), '')                as confidence,
    nullif(trim(source_type), '')               as source_type,
    nullif(trim(notes), '')                     as notes,
    coalesce(exclude_from_graph_view, false)    as exclude_from_graph_view,
    _landing_sha256                             as landing_sha256
from {{ source('raw', 'epoch_ai_companies_compute_spend') }}
