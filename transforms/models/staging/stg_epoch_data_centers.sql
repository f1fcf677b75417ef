-- One row per Epoch frontier data centre (natural key handle). Coordinates are converted
-- from degrees-minutes-seconds text (32°35'25"N) to signed decimal degrees; Epoch's
-- '#confident' / '#likely' / '#speculative' tags are kept in the text fields. Power in MW; capital
-- cost in billions of 2025 USD, converted to USD.
{% set dms_re = "([0-9.]+)°\\s*([0-9.]+)''\\s*([0-9.]+)\"?\\s*([NSEW])" %}
with typed as (
    select
        handle,
        title,
        project,
        address,
        latitude                                    as latitude_dms,
        longitude                                   as longitude_dms,
        owner,
        users,
        current_h100_equivalents,
        current_power_mw,
        current_total_capital_cost_2025_usd_billions * 1e9 as current_capital_cost_2025_usd,
        _landing_sha256                             as landing_sha256
    from {{ source('raw', 'epoch_data_centers') }}
)
select
    *,
    case when regexp_matches(latitude_dms, '{{ dms_re }}') then
        (cast(regexp_extract(latitude_dms, '{{ dms_re }}', 1) as double)
         + cast(regexp_extract(latitude_dms, '{{ dms_re }}', 2) as double) / 60
         + cast(regexp_extract(latitude_dms, '{{ dms_re }}', 3) as double) / 3600)
        * (case when regexp_extract(latitude_dms, '{{ dms_re }}', 4) = 'S' then -1 else 1 end)
    end as latitude,
    case when regexp_matches(longitude_dms, '{{ dms_re }}') then
        (cast(regexp_extract(longitude_dms, '{{ dms_re }}', 1) as double)
         + cast(regexp_extract(longitude_dms, '{{ dms_re }}', 2) as double) / 60
         + cast(regexp_extract(longitude_dms, '{{ dms_re }}', 3) as double) / 3600)
        * (case when regexp_extract(longitude_dms, '{{ dms_re }}', 4) = 'W' then -1 else 1 end)
    end as longitude
from typed
