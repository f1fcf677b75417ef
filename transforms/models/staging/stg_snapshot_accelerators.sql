-- One row per accelerator from the bundled snapshot, with units in the column names.
-- The snapshot already stores dense per-chip figures; `sparse_headline` records that the vendor's
-- headline figure was 2:4 sparse (and so twice the dense number stored here).
select
    lower(accelerator_id)                               as accelerator_id,
    lower(vendor)                                       as vendor,
    name                                                as accelerator_name,
    lower(accelerator_type)                             as accelerator_type,
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
    coalesce(sparse_headline, false)                    as sparse_headline,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_accelerators') }}
