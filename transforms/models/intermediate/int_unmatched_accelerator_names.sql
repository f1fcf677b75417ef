-- Accelerator names that did not resolve to a catalogue accelerator, per source, with the number of
-- source rows that use them and why - never dropped silently. Includes Epoch ML Hardware rows left
-- out of the catalogue (no release date, or no tensor-class figure: older graphics cards).
-- To fix a name: add a row to seeds/accelerator_aliases.csv (with the reason), or add the chip to
-- the snapshot.
select
    m.source,
    m.name_raw,
    r.name_key,
    m.row_count,
    r.unmatched_reason as reason,
    r.candidate_ids
from {{ ref('int_accelerator_name_mentions') }} m
join {{ ref('int_accelerator_name_resolutions') }} r on r.name_raw = m.name_raw
where m.source <> 'epoch_ml_hardware'
  and r.accelerator_id is null
union all
select
    'epoch_ml_hardware' as source,
    e.hardware_name as name_raw,
    e.name_key,
    1 as row_count,
    case
        when e.release_date is null then 'outside the catalogue: Epoch gives no release date'
        else 'outside the catalogue: no tensor-class figure (16-bit tensor, FP8, FP4 or INT8)'
    end as reason,
    e.accelerator_id as candidate_ids
from {{ ref('int_epoch_ml_hardware_resolved') }} e
where not e.in_catalogue
