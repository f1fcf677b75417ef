-- One row per published training-vs-inference split (natural key split_id), typed; kind says
-- whether it is a measurement, an estimate or a forecast. Shares are fractions 0-1; values are in value_unit (USD where given).
select
    lower(trim(split_id))                       as split_id,
    cast(period_start as date)                  as period_start,
    cast(period_end as date)                    as period_end,
    trim(scope)                                 as scope,
    trim(publisher)                             as publisher,
    lower(trim(unit))                           as unit,
    lower(trim(kind))                           as kind,
    nullif(trim(measure), '')                   as measure,
    cast(inference_share as double)             as inference_share,
    cast(training_share as double)              as training_share,
    cast(inference_value as double)             as inference_value,
    cast(training_value as double)              as training_value,
    nullif(trim(value_unit), '')                as value_unit,
    {{ snapshot_citation('definition_notes') }}
from {{ source('raw', 'snapshot_published_splits') }}
