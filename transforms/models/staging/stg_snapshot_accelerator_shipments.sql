-- One row per public figure of accelerator units shipped in a period, or installed at its end
-- (natural key shipment_id). units is a count of chips (a GB200 superchip counts 2 GPUs);
-- for a figure stated in H100-equivalents the row's accelerator_id is nvidia-h100-sxm.
select
    lower(shipment_id)                          as shipment_id,
    lower(vendor)                               as vendor,
    family,
    lower(accelerator_id)                       as accelerator_id,
    lower(metric)                               as metric,
    period_start,
    period_end,
    lower(period_unit)                          as period_unit,
    units,
    units_low,
    units_high,
    lower(basis)                                as basis,
    publisher,
    disclosed_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_accelerator_shipments') }}
