-- One row per list price (natural key price_id), typed; USD per hour.
select
    lower(trim(price_id))                       as price_id,
    trim(provider)                              as provider,
    trim(accelerator_name)                      as accelerator_name,
    lower(trim(accelerator_id))                 as accelerator_id,
    nullif(trim(instance_type), '')             as instance_type,
    cast(chips_per_instance as double)          as chips_per_instance,
    cast(usd_per_hour_instance as double)       as instance_usd_per_hour,
    cast(usd_per_accelerator_hour as double)    as usd_per_accelerator_hour,
    lower(trim(pricing_type))                   as pricing_type,
    nullif(trim(region), '')                    as region,
    cast(observed_on as date)                   as observed_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_rental_prices') }}
