-- One row per (data_center, date) of Epoch's data-centre build-out timelines (the publisher's key).
-- Power in MW; costs converted from billions of 2025 USD to USD; areas in square feet.
select
    data_center,
    date                                        as timeline_date,
    construction_status,
    power_mw,
    h100_equivalents,
    buildings_operational,
    total_capital_cost_2025_usd_billions * 1e9  as total_capital_cost_2025_usd,
    compute_cost_2025_usd_billions * 1e9        as compute_cost_2025_usd,
    construction_cost_2025_usd_billions * 1e9   as construction_cost_2025_usd,
    building_area_sq_ft,
    site_area_sq_ft,
    water_use_mgd,
    performance_8bit_op_per_s,
    _landing_sha256                             as landing_sha256
from {{ source('raw', 'epoch_data_center_timelines') }}
