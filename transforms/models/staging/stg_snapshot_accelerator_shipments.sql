-- One row per public figure of accelerator units shipped in a period, or installed at its end
-- (natural key shipment_id), typed. units is a count of chips (a GB200 superchip counts 2 GPUs);
-- for a figure stated in H100-equivalents the row's accelerator_id is nvidia-h100-sxm.
select
    lower(trim(shipment_id))                    as shipment_id,
    lower(trim(vendor))                         as vendor,
    trim(family)                                as family,
    lower(trim(accelerator_id))                 as accelerator_id,
    lower(trim(metric))                         as metric,
    cast(period_start as date)                  as period_start,
    cast(period_end as date)                    as period_end,
    lower(trim(period_unit))                    as period_unit,
    cast(units as double)                       as units,
    cast(units_low as double)                   as units_low,
    cast(units_high as double)                  as units_high,
    lower(trim(basis))                          as basis,
    trim(publisher)                             as publisher,
    cast(disclosed_on as date)                  as disclosed_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_accelerator_shipments') }}
