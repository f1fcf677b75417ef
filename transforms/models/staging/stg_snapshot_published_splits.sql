-- One row per published training-vs-inference split (natural key split_id); kind says
-- whether it is a measurement, an estimate or a forecast. Shares are fractions 0-1; values are in value_unit (USD where given).
select
    lower(split_id)                             as split_id,
    period_start,
    period_end,
    scope,
    publisher,
    lower(unit)                                 as unit,
    lower(kind)                                 as kind,
    measure,
    inference_share,
    training_share,
    inference_value,
    training_value,
    value_unit,
    {{ snapshot_citation('definition_notes') }}
from {{ source('raw', 'snapshot_published_splits') }}
