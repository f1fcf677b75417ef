-- One row per campus (natural key campus_id). Power in MW as the source states it
-- (facility or IT load: sources rarely say which).
select
    lower(campus_id)                            as campus_id,
    name                                        as campus_name,
    operator,
    primary_tenant,
    location,
    upper(country)                              as country,
    latitude,
    longitude,
    power_mw_planned                            as planned_power_mw,
    power_mw_operational                        as operational_power_mw,
    lower(status)                               as status,
    announced_on,
    first_operational_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_datacenter_campuses') }}
