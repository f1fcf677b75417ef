-- One row per Epoch usage report (natural key id + date, the publisher's key), typed.
-- `figure_date` is the date (or period end) the figure describes; `report_date` when it was
-- disclosed, nulled when implausible (before 2000; see macro plausible_report_date) with the
-- publisher's value kept in report_date_as_published. tokens_per_day is Epoch's 'Daily tokens'.
select
    trim(id)                                    as report_id,
    trim(company)                               as company,
    nullif(trim(product), '')                   as product,
    cast(date as date)                          as figure_date,
    {{ plausible_report_date('cast(report_date as date)') }} as report_date,
    cast(report_date as date)                   as report_date_as_published,
    cast(active_users as double)                as active_users,
    lower(nullif(trim(active_users_time_period), '')) as active_users_period,
    cast(tokens_per_day as double)              as tokens_per_day,
    cast(messages_per_day as double)            as messages_per_day,
    nullif(trim(confidence), '')                as confidence,
    nullif(trim(source_type), '')               as source_type,
    nullif(trim(source_1_url), '')              as source_url,
    nullif(trim(source_2_url), '')              as source_2_url,
    nullif(trim(notes), '')                     as notes,
    coalesce(exclude_from_graph_view, false)    as exclude_from_graph_view,
    _landing_sha256                             as landing_sha256
from {{ source('raw', 'epoch_ai_companies_usage_reports') }}
