-- Training runs x the chips they name, one row per (model_id, hardware_position): a
-- `training_hardware` listing several chips ('NVIDIA A100,NVIDIA H100 SXM5 80GB') gives one row
-- per chip in the order listed (commas inside brackets do not split), each resolved through
-- int_accelerator_name_resolutions. fct_training_runs takes position 1 as the run's accelerator.
with split as (
    select
        model_id,
        record_source,
        {{ accelerator_name_list('training_hardware') }} as parts
    from {{ ref('int_training_runs') }}
    where training_hardware is not null
),
exploded as (
    select
        model_id,
        record_source,
        unnest(parts) as part,
        unnest(generate_series(1, len(parts))) as hardware_position
    from split
)
select
    e.model_id,
    e.record_source,
    e.hardware_position,
    trim(e.part) as hardware_name_raw,
    r.accelerator_id,
    r.match_method,
    r.unmatched_reason
from exploded e
left join {{ ref('int_accelerator_name_resolutions') }} r on r.name_raw = trim(e.part)
where trim(e.part) <> ''
