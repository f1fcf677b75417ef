-- Published training-vs-inference splits (snapshot), one row per split; shares are fractions 0-1.
-- Definitions differ between publishers (energy vs revenue vs spend): read definition_notes.
select
    split_id,
    period_start,
    period_end,
    scope,
    publisher,
    unit,
    kind,
    measure,
    inference_share,
    training_share,
    inference_value,
    training_value,
    value_unit,
    definition_notes,
    'snapshot' as record_source,
    source_url
from {{ ref('stg_snapshot_published_splits') }}
