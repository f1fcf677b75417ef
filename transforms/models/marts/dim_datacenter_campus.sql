-- AI data-centre campuses, one row per campus and source: the bundled snapshot's campuses
-- (record_source 'snapshot') plus Epoch AI's frontier data centres where loaded ('epoch_data_centers',
-- campus_id 'epoch-<slug of handle>'). The two are not merged: the same site can appear once per
-- source (e.g. xAI Colossus 1), since their boundaries and power definitions differ. site_id names
-- the site (seed datacenter_campus_matches pairs the two records of one site under the snapshot's
-- id) and site_preference orders its records: 1 for Epoch AI's (its power is dated), 2 for the
-- snapshot's; a reader counting sites takes the most preferred record the as-of date can see.
-- Power in MW as each source states it: the snapshot's planned/operational figures; for Epoch,
-- operational = current power, planned = the largest power in its build-out timeline (which
-- includes Epoch's projected future dates), status 'operational' when current power > 0 else
-- 'under_construction', first_operational_on = the first timeline date with power > 0;
-- announced_on and country are not in Epoch's file (empty). Epoch's confidence tags on owner and
-- users read as words: 'Oracle #confident' -> 'Oracle', 'OpenAI #likely' -> 'OpenAI (likely)'.
with matches as (
    select snapshot_campus_id, epoch_campus_id from {{ ref('datacenter_campus_matches') }}
),

epoch_timeline as (
    select data_center, max(power_mw) as max_timeline_power_mw,
           min(timeline_date) filter (where power_mw > 0) as first_powered_date
    from {{ ref('stg_epoch_data_center_timelines') }}
    group by data_center
),

records as (
select
    campus_id,
    campus_name,
    operator,
    primary_tenant,
    location,
    country,
    latitude,
    longitude,
    planned_power_mw,
    operational_power_mw,
    status,
    announced_on,
    first_operational_on,
    'snapshot' as record_source,
    source_url
from {{ ref('stg_snapshot_datacenter_campuses') }}
union all
select
    'epoch-' || {{ slugify('d.handle') }} as campus_id,
    coalesce(d.title, d.handle) as campus_name,
    {{ epoch_confidence_text('d.owner') }} as operator,
    {{ epoch_confidence_text('d.users') }} as primary_tenant,
    d.address as location,
    cast(null as varchar) as country,
    d.latitude,
    d.longitude,
    greatest(t.max_timeline_power_mw, d.current_power_mw) as planned_power_mw,
    d.current_power_mw as operational_power_mw,
    case when d.current_power_mw > 0 then 'operational' else 'under_construction' end as status,
    cast(null as date) as announced_on,
    t.first_powered_date as first_operational_on,
    'epoch_data_centers' as record_source,
    'https://epoch.ai/data/data-centers' as source_url
from {{ ref('stg_epoch_data_centers') }} d
left join epoch_timeline t on t.data_center = d.handle
)

select
    r.*,
    coalesce(m.snapshot_campus_id, r.campus_id) as site_id,
    case when r.record_source = 'epoch_data_centers' then 1 else 2 end as site_preference
from records r
left join matches m
    on m.epoch_campus_id = r.campus_id
