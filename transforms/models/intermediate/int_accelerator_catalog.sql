-- One row per canonical accelerator: the specs dim_accelerator publishes, before the sparse checks.
-- Source precedence, per chip (whole row, never mixed field by field):
--   * snapshot wins: every chip in the bundled snapshot takes its curated, dense-by-construction
--     row as is (an empty snapshot cell stays empty: it means "not verified", and filling it from
--     another source would mix provenance within a row);
--   * Epoch fills chips the snapshot lacks, from the primary Epoch row of each new canonical id
--     (int_epoch_ml_hardware_resolved.in_catalogue), mapped as: BF16 and FP16 = Epoch's 16-bit
--     tensor rate, except NVIDIA chips released before the A100 (2020-05-14), which have no BF16
--     tensor cores (BF16 left empty); launch price = Epoch's release price; interconnect bandwidth =
--     Epoch's intranode bandwidth.
-- Where both cover a chip, the Epoch figures are compared in int_accelerator_spec_comparisons.
with epoch_primary as (
    select * from {{ ref('int_epoch_ml_hardware_resolved') }} where is_primary
),
snapshot as (
    select
        s.accelerator_id,
        s.vendor,
        s.accelerator_name,
        s.accelerator_type,
        s.release_date,
        s.bf16_dense_flop_per_s,
        s.fp16_dense_flop_per_s,
        s.fp8_dense_flop_per_s,
        s.fp4_dense_flop_per_s,
        s.int8_dense_op_per_s,
        s.memory_bytes,
        s.memory_bandwidth_bytes_per_s,
        s.interconnect,
        s.interconnect_bandwidth_bytes_per_s,
        s.tdp_w,
        s.launch_price_usd,
        s.sparse_headline,
        s.notes,
        s.source_url,
        s.retrieved,
        'snapshot' as spec_source,
        e.hardware_name as epoch_hardware_name,
        s.landing_sha256
    from {{ ref('stg_snapshot_accelerators') }} s
    left join epoch_primary e on e.accelerator_id = s.accelerator_id
),
epoch as (
    select
        e.accelerator_id,
        e.vendor,
        e.hardware_name as accelerator_name,
        case
            when e.vendor = 'google' then 'tpu'
            when lower(e.hardware_type) = 'lpu' then 'lpu'
            when lower(e.hardware_type) like '%gpu%' and e.vendor not in ('aws') then 'gpu'
            else 'asic'
        end as accelerator_type,
        e.release_date,
        case when e.vendor = 'nvidia' and e.release_date < date '2020-05-14' then null
             else e.tensor_16bit_dense_flop_per_s end as bf16_dense_flop_per_s,
        e.tensor_16bit_dense_flop_per_s as fp16_dense_flop_per_s,
        e.fp8_dense_flop_per_s,
        e.fp4_dense_flop_per_s,
        e.int8_dense_op_per_s,
        e.memory_bytes,
        e.memory_bandwidth_bytes_per_s,
        cast(null as varchar) as interconnect,
        e.intranode_bandwidth_bytes_per_s as interconnect_bandwidth_bytes_per_s,
        e.tdp_w,
        e.release_price_usd as launch_price_usd,
        cast(null as boolean) as sparse_headline,
        'Epoch AI ML Hardware row "' || e.hardware_name || '" (dense, per chip; its 16-bit tensor rate is used for BF16 and FP16).'
            || case when e.sparse_corrected then ' Corrected for sparsity: ' || e.correction_note || '.' else '' end
            || coalesce(' Epoch notes: ' || regexp_replace(e.notes, '\s+', ' ', 'g'), '') as notes,
        coalesce(e.datasheet_url, 'https://epoch.ai/data/machine-learning-hardware') as source_url,
        e.fetched_on as retrieved,
        'epoch' as spec_source,
        e.hardware_name as epoch_hardware_name,
        e.landing_sha256
    from epoch_primary e
    where e.in_catalogue and not e.is_snapshot_accelerator
)
select * from snapshot
union all
select * from epoch
