-- Cloud list prices per accelerator-hour, one row per price (snapshot). accelerator_id is the
-- snapshot's slug when dim_accelerator has that chip, else null (a priced chip without a spec
-- row: the warn test on accelerator_id says so). The slug as published is kept in
-- accelerator_id_as_published.
select
    p.price_id,
    p.provider,
    d.accelerator_id,
    p.accelerator_id as accelerator_id_as_published,
    p.accelerator_name,
    p.usd_per_accelerator_hour,
    p.pricing_type,
    p.observed_on,
    p.region,
    p.instance_type,
    p.chips_per_instance,
    p.instance_usd_per_hour,
    'snapshot' as record_source,
    p.source_url
from {{ ref('stg_snapshot_rental_prices') }} p
left join {{ ref('dim_accelerator') }} d on d.accelerator_id = p.accelerator_id
