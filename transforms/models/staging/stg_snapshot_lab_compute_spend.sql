-- One row per public figure of an AI lab's compute spend by purpose (natural key spend_id);
-- USD for the period, with the range where the source gives one.
select
    lower(spend_id)                             as spend_id,
    lab,
    period_start,
    period_end,
    lower(category)                             as category,
    value_usd,
    value_low_usd,
    value_high_usd,
    lower(basis)                                as basis,
    lower(kind)                                 as kind,
    publisher,
    disclosed_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_lab_compute_spend') }}
