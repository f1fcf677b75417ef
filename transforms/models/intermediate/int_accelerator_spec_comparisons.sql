-- The snapshot and Epoch side by side for every chip both cover (Epoch's primary row for the id),
-- one row per (accelerator_id, metric) where both give a value. Tolerances per metric come from
-- seed accelerator_spec_tolerances (5% for rates, bandwidth and power; 8% for memory, GB vs GiB).
-- A rate above 1.5x the other source's figure for the same chip and precision is a sparse suspect
-- (var sparse_suspect_ratio): the side holding the larger figure is named in suspected_sparse_side.
with pairs as (
    select
        s.accelerator_id,
        e.hardware_name as epoch_hardware_name,
        s.bf16_dense_flop_per_s as s_bf16,  e.tensor_16bit_dense_flop_per_s as e_bf16,
        s.fp16_dense_flop_per_s as s_fp16,  e.tensor_16bit_dense_flop_per_s as e_fp16,
        s.fp8_dense_flop_per_s  as s_fp8,   e.fp8_dense_flop_per_s  as e_fp8,
        s.fp4_dense_flop_per_s  as s_fp4,   e.fp4_dense_flop_per_s  as e_fp4,
        s.int8_dense_op_per_s   as s_int8,  e.int8_dense_op_per_s   as e_int8,
        s.memory_bytes          as s_mem,   e.memory_bytes          as e_mem,
        s.memory_bandwidth_bytes_per_s as s_bw, e.memory_bandwidth_bytes_per_s as e_bw,
        s.tdp_w                 as s_tdp,   e.tdp_w                 as e_tdp
    from {{ ref('stg_snapshot_accelerators') }} s
    join {{ ref('int_epoch_ml_hardware_resolved') }} e
      on e.accelerator_id = s.accelerator_id and e.is_primary
),
long as (
    {% set metrics = [
        ('bf16_dense_flop_per_s', 'bf16', true), ('fp16_dense_flop_per_s', 'fp16', true),
        ('fp8_dense_flop_per_s', 'fp8', true), ('fp4_dense_flop_per_s', 'fp4', true),
        ('int8_dense_op_per_s', 'int8', true), ('memory_bytes', 'mem', false),
        ('memory_bandwidth_bytes_per_s', 'bw', false), ('tdp_w', 'tdp', false)] %}
    {% for metric, col, is_rate in metrics %}
    select accelerator_id, epoch_hardware_name, '{{ metric }}' as metric, {{ is_rate }} as is_rate,
           s_{{ col }} as snapshot_value, e_{{ col }} as epoch_value
    from pairs where s_{{ col }} is not null and e_{{ col }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)
select
    l.accelerator_id,
    l.epoch_hardware_name,
    l.metric,
    l.snapshot_value,
    l.epoch_value,
    l.snapshot_value / nullif(l.epoch_value, 0)                       as snapshot_to_epoch_ratio,
    t.relative_tolerance,
    abs(l.snapshot_value / nullif(l.epoch_value, 0) - 1) <= t.relative_tolerance as within_tolerance,
    case
        when l.is_rate and l.snapshot_value > {{ var('sparse_suspect_ratio') }} * l.epoch_value then 'snapshot'
        when l.is_rate and l.epoch_value > {{ var('sparse_suspect_ratio') }} * l.snapshot_value then 'epoch'
    end                                                              as suspected_sparse_side
from long l
left join {{ ref('accelerator_spec_tolerances') }} t on t.metric = l.metric
