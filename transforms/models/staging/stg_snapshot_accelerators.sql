-- One row per accelerator from the bundled snapshot, typed, with units in the column names.
-- The snapshot already stores dense per-chip figures; `sparse_headline` records that the vendor's
-- headline figure was 2:4 sparse (and so twice the dense number stored here).
select
    lower(trim(accelerator_id))                         as accelerator_id,
    lower(trim(vendor))                                 as vendor,
    trim(name)                                          as accelerator_name,
    lower(trim(accelerator_type))                       as accelerator_type,
    cast(release_date as date)                          as release_date,
    cast(bf16_dense_flop_per_s as double)               as bf16_dense_flop_per_s,
    cast(fp16_dense_flop_per_s as double)               as fp16_dense_flop_per_s,
    cast(fp8_dense_flop_per_s as double)                as fp8_dense_flop_per_s,
    cast(fp4_dense_flop_per_s as double)                as fp4_dense_flop_per_s,
    cast(int8_dense_op_per_s as double)                 as int8_dense_op_per_s,
    cast(memory_bytes as double)                        as memory_bytes,
    cast(memory_bandwidth_bytes_per_s as double)        as memory_bandwidth_bytes_per_s,
    nullif(trim(interconnect), '')                      as interconnect,
    cast(interconnect_bandwidth_bytes_per_s as double)  as interconnect_bandwidth_bytes_per_s,
    cast(tdp_w as double)                               as tdp_w,
    cast(launch_price_usd as double)                    as launch_price_usd,
    coalesce(sparse_headline, false)                    as sparse_headline,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_accelerators') }}
