-- Each distinct accelerator name used by the training-run and MLPerf sources, resolved to one
-- canonical accelerator_id of the catalogue (or to none, with the reason), by macro
-- resolve_accelerator_names: alias seed first, then name-key matching against
-- int_accelerator_name_index. One row per name_raw. (Epoch ML Hardware's own names are resolved
-- in int_epoch_ml_hardware_resolved.)
with names as (
    select distinct
        name_raw,
        {{ accelerator_name_key('name_raw') }} as name_key
    from {{ ref('int_accelerator_name_mentions') }}
    where source <> 'epoch_ml_hardware'
),
keyed as (
    select
        name_raw,
        name_key,
        {{ accelerator_family_key('name_key') }}   as family_key,
        {{ accelerator_form_factor('name_key') }}  as form_factor,
        {{ accelerator_memory_token('name_key') }} as memory_token
    from names
),
aliases as (
    select
        a.*,
        a.accelerator_id in (select accelerator_id from {{ ref('int_accelerator_catalog') }}) as target_exists
    from {{ ref('int_accelerator_aliases') }} a
),
resolved as (
    {{ resolve_accelerator_names('keyed', ref('int_accelerator_name_index'), 'aliases') }}
)
select
    k.name_raw,
    k.name_key,
    k.family_key,
    k.form_factor,
    k.memory_token,
    r.accelerator_id,
    r.match_method,
    r.unmatched_reason,
    r.candidate_ids
from keyed k
join resolved r on r.name_raw = k.name_raw
