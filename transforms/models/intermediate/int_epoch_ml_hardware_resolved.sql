-- Every Epoch ML Hardware row tied to one canonical accelerator_id (one row per hardware_name).
--   1. alias seed (raw name, then name key);
--   2. the snapshot's chips by name key (macro resolve_accelerator_names: same family, compatible
--      form factor and memory, best score; e.g. 'NVIDIA H100 SXM5 80GB' -> nvidia-h100-sxm);
--   3. otherwise a new canonical slug `<vendor>-<name key>` (vendor from seed accelerator_vendors,
--      e.g. 'NVIDIA A100 SXM4 40 GB' -> nvidia-a100-sxm-40gb), suffixed '-epoch' in the unlikely
--      case it equals a snapshot id it did not match.
-- Several Epoch rows can share an id (e.g. 'NVIDIA GH100' and 'NVIDIA H100 SXM5 80GB'); exactly one
-- is `is_primary`: a new slug's own row, or the row whose name key equals the snapshot id's key
-- ('NVIDIA Tesla V100 SXM2' for nvidia-v100-sxm2), then one equal to the snapshot name's key, then
-- other name-key matches, then aliases; ties go to the most complete row, then the latest
-- last_modified, then the name. Only the primary row's figures are used downstream.
-- in_catalogue: the id is a snapshot chip, or its primary row has a release date and at least one
-- tensor-class figure (16-bit tensor, FP8, FP4 or INT8) - older graphics cards with only vector
-- FP32/FP16 figures stay out of dim_accelerator (and are listed in int_unmatched_accelerator_names).
with hw as (
    select
        h.*,
        {{ accelerator_name_key('h.hardware_name') }} as name_key,
        coalesce(v.vendor, nullif({{ slugify('h.manufacturer') }}, ''), 'unknown') as vendor
    from {{ ref('stg_epoch_ml_hardware') }} h
    left join {{ ref('accelerator_vendors') }} v on lower(v.manufacturer) = lower(h.manufacturer)
),
keyed as (
    select
        *,
        {{ accelerator_family_key('name_key') }}   as family_key,
        {{ accelerator_form_factor('name_key') }}  as form_factor,
        {{ accelerator_memory_token('name_key') }} as memory_token,
        vendor || '-' || coalesce(nullif(replace(name_key, ' ', '-'), ''), {{ slugify('hardware_name') }}) as new_slug,
        hardware_name as name_raw
    from hw
),
snapshot_ids as (
    select distinct accelerator_id from {{ ref('int_snapshot_accelerator_name_keys') }}
),
aliases as (
    select
        a.*,
        a.accelerator_id in (select accelerator_id from snapshot_ids)
            or a.accelerator_id in (select new_slug from keyed) as target_exists
    from {{ ref('int_accelerator_aliases') }} a
),
resolved as (
    {{ resolve_accelerator_names('keyed', ref('int_snapshot_accelerator_name_keys'), 'aliases') }}
),
assigned as (
    select
        k.*,
        r.unmatched_reason as snapshot_match_note,
        r.candidate_ids,
        coalesce(
            r.accelerator_id,
            case when k.new_slug in (select accelerator_id from snapshot_ids) then k.new_slug || '-epoch'
                 else k.new_slug end
        ) as accelerator_id,
        coalesce(r.match_method, 'new_slug') as resolution_method
    from keyed k
    join resolved r on r.name_raw = k.name_raw
),
ranked as (
    select
        a.*,
        case
            when a.resolution_method = 'new_slug' then 0
            when exists (select 1 from {{ ref('int_snapshot_accelerator_name_keys') }} s
                         where s.accelerator_id = a.accelerator_id and s.name_key = a.name_key
                           and s.key_origin = 'id') then 0
            when exists (select 1 from {{ ref('int_snapshot_accelerator_name_keys') }} s
                         where s.accelerator_id = a.accelerator_id and s.name_key = a.name_key) then 1
            when a.resolution_method = 'name_key' then 2
            else 3
        end as match_rank,
        (case when a.tensor_16bit_dense_flop_per_s is null then 0 else 1 end
         + case when a.fp8_dense_flop_per_s is null then 0 else 1 end
         + case when a.fp4_dense_flop_per_s is null then 0 else 1 end
         + case when a.int8_dense_op_per_s is null then 0 else 1 end
         + case when a.memory_bytes is null then 0 else 1 end
         + case when a.memory_bandwidth_bytes_per_s is null then 0 else 1 end
         + case when a.tdp_w is null then 0 else 1 end
         + case when a.release_date is null then 0 else 1 end) as completeness
    from assigned a
),
primaried as (
    select
        *,
        row_number() over (
            partition by accelerator_id
            order by
                match_rank,
                completeness desc,
                last_modified desc nulls last,
                hardware_name
        ) = 1 as is_primary
    from ranked
),
catalogue_ids as (
    select accelerator_id from snapshot_ids
    union
    select accelerator_id
    from primaried
    where is_primary
      and release_date is not null
      and coalesce(tensor_16bit_dense_flop_per_s, fp8_dense_flop_per_s, fp4_dense_flop_per_s,
                   int8_dense_op_per_s) is not null
)
select
    p.* exclude (name_raw, match_rank, completeness),
    p.accelerator_id in (select accelerator_id from snapshot_ids) as is_snapshot_accelerator,
    p.accelerator_id in (select accelerator_id from catalogue_ids) as in_catalogue
from primaried p
