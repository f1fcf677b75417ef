-- Every name key that identifies a catalogue accelerator (one row per accelerator_id x key): the
-- snapshot's ids and names, and the names of every Epoch ML Hardware row resolved to a catalogue
-- accelerator (so 'NVIDIA GH200' and 'A100 SXM4 40 GB' are known names in mirror mode).
-- from_snapshot marks the curated snapshot's ids (preferred when a generic name ties).
with snapshot_keys as (
    select accelerator_id, key_origin, name_key, family_key, form_factor, memory_token
    from {{ ref('int_snapshot_accelerator_name_keys') }}
),
epoch_keys as (
    select accelerator_id, 'epoch_hardware_name' as key_origin, name_key, family_key, form_factor, memory_token
    from {{ ref('int_epoch_ml_hardware_resolved') }}
    where in_catalogue and name_key <> ''
)
select distinct
    k.accelerator_id,
    k.key_origin,
    k.name_key,
    k.family_key,
    k.form_factor,
    k.memory_token,
    c.spec_source = 'snapshot' as from_snapshot
from (select * from snapshot_keys union all select * from epoch_keys) k
join {{ ref('int_accelerator_catalog') }} c on c.accelerator_id = k.accelerator_id
