-- One row per public figure of accelerator units shipped (or installed), with the units converted
-- to H100-equivalents: units x the representative chip's dense 16-bit tensor rate / the H100 SXM's
-- (var h100e_reference_accelerator_id). Chips without a 16-bit figure use half their 8-bit rate.
-- series / in_stock / series_reason say whether and how fct_installed_base counts the figure
-- (seed shipment_series: overlapping and partial-scope figures are kept here, out of the stock).
with shipments as (
    select * from {{ ref('stg_snapshot_accelerator_shipments') }}
),

chips as (
    select
        accelerator_id,
        coalesce(bf16_dense_flop_per_s, fp16_dense_flop_per_s,
                 fp8_dense_flop_per_s / 2, int8_dense_op_per_s / 2) as dense_16bit_flop_per_s,
        tdp_w
    from {{ ref('dim_accelerator') }}
),

reference as (
    select dense_16bit_flop_per_s as reference_flop_per_s
    from chips
    where accelerator_id = '{{ var("h100e_reference_accelerator_id") }}'
)

select
    s.shipment_id,
    s.vendor,
    s.family,
    s.accelerator_id,
    s.metric,
    s.period_start,
    s.period_end,
    s.period_unit,
    s.units,
    s.units_low,
    s.units_high,
    c.dense_16bit_flop_per_s / r.reference_flop_per_s          as h100e_per_unit,
    s.units * c.dense_16bit_flop_per_s / r.reference_flop_per_s      as units_h100e,
    s.units_low * c.dense_16bit_flop_per_s / r.reference_flop_per_s  as units_low_h100e,
    s.units_high * c.dense_16bit_flop_per_s / r.reference_flop_per_s as units_high_h100e,
    c.tdp_w                                                     as tdp_w_per_unit,
    s.basis,
    s.publisher,
    s.disclosed_on,
    m.series,
    coalesce(m.in_stock, false)                                 as in_stock,
    m.reason                                                    as series_reason,
    s.notes,
    s.source_url,
    s.retrieved
from shipments s
left join chips c on c.accelerator_id = s.accelerator_id
cross join reference r
left join {{ ref('shipment_series') }} m on m.shipment_id = s.shipment_id
