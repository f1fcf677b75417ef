-- One row per loaded source: the landing file (content hash), where it came from and when.
-- The brief's source list and the input snapshot hash are read from here.
{% set raw_sources = ['snapshot_accelerators'] %}
{% for name in raw_sources %}
select
    '{{ name }}'              as source_name,
    any_value(_landing_sha256) as landing_sha256,
    any_value(_landing_url)    as landing_url,
    any_value(_licence)        as licence,
    any_value(_source_mode)    as source_mode,
    any_value(_fetched_at)     as fetched_at,
    bool_or(_stale)            as is_stale,
    count(*)                   as row_count
from {{ source('raw', name) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
