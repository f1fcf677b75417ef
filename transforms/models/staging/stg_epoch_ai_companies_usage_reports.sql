-- One row per Epoch usage report (natural key id + date, the publisher's key).
-- `figure_date` is the date (or period end) the figure describes; `report_date` when it was
-- disclosed, nulled when implausible (before 2000; see macro plausible_report_date) with the
-- publisher's value kept in report_date_as_published. tokens_per_day is Epoch's 'Daily tokens'.
select
    id                                          as report_id,
    company,
    product,
    date                                        as figure_date,
    {{ plausible_report_date('report_date') }}  as report_date,
    report_date                                 as report_date_as_published,
    active_users,
    lower(active_users_time_period)             as active_users_period,
    tokens_per_day,
    messages_per_day,
    confidence,
    source_type,
    source_1_url                                as source_url,
    source_2_url,
    notes,
    coalesce(exclude_from_graph_view, false)    as exclude_from_graph_view,
    _landing_sha256                             as landing_sha256
from {{ source('raw', 'epoch_ai_companies_usage_reports') }}
