-- One row per accelerator: the dense per-chip specs the model and the brief read.
-- Rows: the bundled snapshot's chips (spec_source 'snapshot', curated: they win where Epoch also
-- has the chip) plus chips only Epoch AI lists (spec_source 'epoch'); see int_accelerator_catalog.
-- suspected_sparse flags a figure that looks like a sparse headline stored as dense
-- (int_accelerator_sparse_checks); the mart's test fails the build while any remains.
select
    c.accelerator_id,
    c.vendor,
    -- the brand first, whichever source named the chip ('H100 SXM' -> 'NVIDIA H100 SXM'; Epoch's
    -- 'AMD Instinct MI300A' kept): one naming style in every table and chart
    case
        when b.brand is null then c.accelerator_name
        when starts_with(lower(c.accelerator_name), lower(b.brand))
          or starts_with(lower(c.accelerator_name), lower(coalesce(b.also_branded_by, b.brand)))
            then c.accelerator_name
        else b.brand || ' ' || c.accelerator_name
    end as accelerator_name,
    c.accelerator_type,
    c.release_date,
    c.bf16_dense_flop_per_s,
    c.fp16_dense_flop_per_s,
    c.fp8_dense_flop_per_s,
    c.fp4_dense_flop_per_s,
    c.int8_dense_op_per_s,
    c.memory_bytes,
    c.memory_bandwidth_bytes_per_s,
    c.interconnect,
    c.interconnect_bandwidth_bytes_per_s,
    c.tdp_w,
    c.launch_price_usd,
    c.sparse_headline,
    c.notes,
    c.source_url,
    c.retrieved,
    c.spec_source,
    coalesce(s.suspected_sparse, false) as suspected_sparse,
    s.suspected_sparse_reason,
    c.epoch_hardware_name
from {{ ref('int_accelerator_catalog') }} c
left join {{ ref('int_accelerator_sparse_checks') }} s on s.accelerator_id = c.accelerator_id
left join {{ ref('accelerator_vendor_brands') }} b on b.vendor = c.vendor
