-- One row per (data_center, date) of Epoch's data-centre build-out timelines (the publisher's key),
-- typed. Power in MW; costs converted from billions of 2025 USD to USD; areas in square feet.
select
    trim(data_center)                           as data_center,
    cast(date as date)                          as timeline_date,
    nullif(trim(construction_status), '')       as construction_status,
    cast(power_mw as double)                    as power_mw,
    cast(h100_equivalents as double)            as h100_equivalents,
    cast(buildings_operational as double)       as buildings_operational,
    cast(total_capital_cost_2025_usd_billions as double) * 1e9 as total_capital_cost_2025_usd,
    cast(compute_cost_2025_usd_billions as double) * 1e9       as compute_cost_2025_usd,
    cast(construction_cost_2025_usd_billions as double) * 1e9  as construction_cost_2025_usd,
    cast(building_area_sq_ft as double)         as building_area_sq_ft,
    cast(site_area_sq_ft as double)             as site_area_sq_ft,
    cast(water_use_mgd as double)               as water_use_mgd,
    cast(performance_8bit_op_per_s as double)   as performance_8bit_op_per_s,
    _landing_sha256                             as landing_sha256
from {{ source('raw', 'epoch_data_center_timelines') }}
