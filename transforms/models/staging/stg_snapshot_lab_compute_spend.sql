-- One row per public figure of an AI lab's compute spend by purpose (natural key spend_id), typed;
-- USD for the period, with the range where the source gives one.
select
    lower(trim(spend_id))                       as spend_id,
    trim(lab)                                   as lab,
    cast(period_start as date)                  as period_start,
    cast(period_end as date)                    as period_end,
    lower(trim(category))                       as category,
    cast(value_usd as double)                   as value_usd,
    cast(value_low_usd as double)               as value_low_usd,
    cast(value_high_usd as double)              as value_high_usd,
    lower(trim(basis))                          as basis,
    lower(trim(kind))                           as kind,
    trim(publisher)                             as publisher,
    cast(disclosed_on as date)                  as disclosed_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_lab_compute_spend') }}
