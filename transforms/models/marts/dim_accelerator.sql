-- One row per accelerator: the dense per-chip specs the model and the brief read.
select
    accelerator_id,
    vendor,
    accelerator_name,
    accelerator_type,
    release_date,
    bf16_dense_flop_per_s,
    fp16_dense_flop_per_s,
    fp8_dense_flop_per_s,
    fp4_dense_flop_per_s,
    int8_dense_op_per_s,
    memory_bytes,
    memory_bandwidth_bytes_per_s,
    interconnect,
    interconnect_bandwidth_bytes_per_s,
    tdp_w,
    launch_price_usd,
    sparse_headline,
    notes,
    source_url,
    retrieved,
    'snapshot' as spec_source
from {{ ref('stg_snapshot_accelerators') }}
