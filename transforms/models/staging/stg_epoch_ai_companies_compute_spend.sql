-- One row per Epoch compute-spend figure (natural key id), USD as published.
-- Report-date typo: the file has 'Report date' 0202-07-30 for "OpenAI 2025 cloud compute". The
-- intended year cannot be told for sure (2025 is likely but not stated), so report_date is nulled
-- for any date before 2000 (macro plausible_report_date), the publisher's value is kept in
-- report_date_as_published, and report_date_issue says why.
select
    id                                          as spend_id,
    company,
    amount_usd,
    category,
    lower(period_type)                          as period_type,
    date                                        as period_end,
    {{ plausible_report_date('report_date') }}  as report_date,
    report_date                                 as report_date_as_published,
    case
        when report_date is not null and {{ plausible_report_date('report_date') }} is null
            then 'report date ' || cast(report_date as varchar) || ' is before 2000: a typo in the source; nulled'
    end                                         as report_date_issue,
    inference_compute_spend_usd,
    rd_compute_spend_usd,
    total_compute_spend_usd,
    confidence,
    source_type,
    notes,
    coalesce(exclude_from_graph_view, false)    as exclude_from_graph_view,
    _landing_sha256                             as landing_sha256
from {{ source('raw', 'epoch_ai_companies_compute_spend') }}
