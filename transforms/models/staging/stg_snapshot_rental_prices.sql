-- One row per list price (natural key price_id); USD per hour.
select
    lower(price_id)                             as price_id,
    provider,
    accelerator_name,
    lower(accelerator_id)                       as accelerator_id,
    instance_type,
    chips_per_instance,
    usd_per_hour_instance                       as instance_usd_per_hour,
    usd_per_accelerator_hour,
    lower(pricing_type)                         as pricing_type,
    region,
    observed_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_rental_prices') }}
