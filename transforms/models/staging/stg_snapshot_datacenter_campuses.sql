-- One row per campus (natural key campus_id), typed. Power in MW as the source states it
-- (facility or IT load: sources rarely say which).
select
    lower(trim(campus_id))                      as campus_id,
    trim(name)                                  as campus_name,
    trim(operator)                              as operator,
    nullif(trim(primary_tenant), '')            as primary_tenant,
    nullif(trim(location), '')                  as location,
    upper(trim(country))                        as country,
    cast(latitude as double)                    as latitude,
    cast(longitude as double)                   as longitude,
    cast(power_mw_planned as double)            as planned_power_mw,
    cast(power_mw_operational as double)        as operational_power_mw,
    lower(trim(status))                         as status,
    cast(announced_on as date)                  as announced_on,
    cast(first_operational_on as date)          as first_operational_on,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_datacenter_campuses') }}
