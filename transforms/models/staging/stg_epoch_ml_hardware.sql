-- One row per Epoch ML Hardware entry (natural key hardware_name, unique in the file), in
-- SI units per chip, dense.
--   * Dense: Epoch stores tensor figures without sparsity (verified: H100 SXM5 989.4e12 FLOP/s
--     = the 1,979 TFLOPS sparse headline / 2; its notes say "listed without sparsity"). A figure
--     found to be sparse anyway is divided by the factor in seed accelerator_spec_corrections
--     (source, hardware_name, precision, divide_by, reason) and flagged `sparse_corrected`.
--   * Per chip: a listing whose name says it is a rack or superchip is divided by its GPUs:
--     'NVL<n>' -> n GPUs, a GB200/GB300 'Superchip' -> 2 GPUs (Epoch's own GB200/GB300 rows are
--     already per GPU and carry neither word).
--   * Internode bandwidth is published in bit/s and converted to bytes/s (/8).
--   * Epoch's combined 'Tensor-FP16/BF16' column is the 16-bit tensor rate; Epoch's 'FP16'
--     column is the non-tensor (vector) rate for most GPUs and is kept apart as fp16_vector.
with typed as (
    select
        hardware_name,
        manufacturer,
        hardware_type,
        release_date,
        release_price_usd,
        tensor_fp16_bf16_flop_per_s                      as tensor_16bit_flop_per_s,
        fp8_flop_per_s,
        fp4_flop_per_s,
        int8_op_per_s,
        fp16_flop_per_s                                  as fp16_vector_flop_per_s,
        fp32_flop_per_s,
        fp64_flop_per_s,
        tf32_flop_per_s,
        memory_bytes,
        memory_bandwidth_bytes_per_s,
        intranode_bandwidth_bytes_per_s,
        internode_bandwidth_bits_per_s / 8               as internode_bandwidth_bytes_per_s,
        tdp_w,
        foundry,
        process_size_nm,
        die_size_mm2,
        transistors_millions,
        datasheet_url,
        notes,
        last_modified,
        _landing_sha256                                  as landing_sha256,
        cast(_fetched_at as date)                        as fetched_on
    from {{ source('raw', 'epoch_ml_hardware') }}
),
listing as (
    select
        *,
        case
            when regexp_matches(lower(hardware_name), 'nvl ?[0-9]+')
                then cast(regexp_extract(lower(hardware_name), 'nvl ?([0-9]+)', 1) as integer)
            when regexp_matches(lower(hardware_name), '\bgb[23]00\b') and lower(hardware_name) like '%superchip%'
                then 2
            else 1
        end as gpus_per_listing
    from typed
),
corrections as (
    select
        hardware_name,
        max(divide_by) filter (where precision = 'tensor_16bit') as tensor_16bit_div,
        max(divide_by) filter (where precision = 'fp8')          as fp8_div,
        max(divide_by) filter (where precision = 'fp4')          as fp4_div,
        max(divide_by) filter (where precision = 'int8')         as int8_div,
        string_agg(precision || ' / ' || divide_by || ': ' || reason, '; ' order by precision) as correction_note
    from {{ ref('accelerator_spec_corrections') }}
    where source = 'epoch_ml_hardware'
    group by hardware_name
)
select
    l.hardware_name,
    l.manufacturer,
    l.hardware_type,
    l.release_date,
    l.gpus_per_listing,
    l.tensor_16bit_flop_per_s / l.gpus_per_listing / coalesce(c.tensor_16bit_div, 1) as tensor_16bit_dense_flop_per_s,
    l.fp8_flop_per_s / l.gpus_per_listing / coalesce(c.fp8_div, 1)                   as fp8_dense_flop_per_s,
    l.fp4_flop_per_s / l.gpus_per_listing / coalesce(c.fp4_div, 1)                   as fp4_dense_flop_per_s,
    l.int8_op_per_s / l.gpus_per_listing / coalesce(c.int8_div, 1)                   as int8_dense_op_per_s,
    l.fp16_vector_flop_per_s / l.gpus_per_listing                                    as fp16_vector_flop_per_s,
    l.fp32_flop_per_s / l.gpus_per_listing                                           as fp32_flop_per_s,
    l.fp64_flop_per_s / l.gpus_per_listing                                           as fp64_flop_per_s,
    l.tf32_flop_per_s / l.gpus_per_listing                                           as tf32_flop_per_s,
    l.memory_bytes / l.gpus_per_listing                                              as memory_bytes,
    l.memory_bandwidth_bytes_per_s / l.gpus_per_listing                              as memory_bandwidth_bytes_per_s,
    l.intranode_bandwidth_bytes_per_s / l.gpus_per_listing                           as intranode_bandwidth_bytes_per_s,
    l.internode_bandwidth_bytes_per_s / l.gpus_per_listing                           as internode_bandwidth_bytes_per_s,
    l.tdp_w / l.gpus_per_listing                                                     as tdp_w,
    l.release_price_usd / l.gpus_per_listing                                         as release_price_usd,
    c.hardware_name is not null                                                      as sparse_corrected,
    c.correction_note,
    l.foundry,
    l.process_size_nm,
    l.die_size_mm2,
    l.transistors_millions,
    l.datasheet_url,
    l.notes,
    l.last_modified,
    l.fetched_on,
    l.landing_sha256
from listing l
left join corrections c on c.hardware_name = l.hardware_name
