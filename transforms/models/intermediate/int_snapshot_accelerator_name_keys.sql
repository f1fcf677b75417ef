-- Name keys of the bundled snapshot's accelerators, the curated side of entity resolution: one
-- row per (accelerator_id, key) from (a) the id itself without its vendor prefix
-- ('nvidia-h100-sxm' -> 'h100 sxm') and (b) the marketing name ('H100 SXM'), both normalised by
-- macro accelerator_name_key.
with names as (
    select
        accelerator_id,
        'id' as key_origin,
        replace(
            case when starts_with(accelerator_id, vendor || '-')
                 then substr(accelerator_id, length(vendor) + 2) else accelerator_id end,
            '-', ' ') as name_raw
    from {{ ref('stg_snapshot_accelerators') }}
    union all
    select accelerator_id, 'name' as key_origin, accelerator_name as name_raw
    from {{ ref('stg_snapshot_accelerators') }}
),
keyed as (
    select accelerator_id, key_origin, name_raw, {{ accelerator_name_key('name_raw') }} as name_key
    from names
)
select distinct
    accelerator_id,
    key_origin,
    name_raw,
    name_key,
    {{ accelerator_family_key('name_key') }}   as family_key,
    {{ accelerator_form_factor('name_key') }}  as form_factor,
    {{ accelerator_memory_token('name_key') }} as memory_token,
    true                                       as from_snapshot
from keyed
where name_key <> ''
