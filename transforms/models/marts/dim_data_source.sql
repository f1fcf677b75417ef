-- One row per loaded source: the content hash of its landing file, where it came from and when,
-- the date its publisher served it (retrieved_on: the manifest's date of a vendored copy, the fetch
-- date of a live download, the latest row's retrieval date of a snapshot table; null for a mirror
-- file, whose retrieval the mirror does not record), its vintage (the publisher's release of a
-- vendored copy, or the compilation date of a snapshot table), the attribution line its licence asks for, and how many rows it gave. The brief's sources page, metrics.json and the input snapshot
-- hash are read from here. Sources with no rows (not loaded) are left out.
{% set raw_sources = [
    'snapshot_accelerators', 'snapshot_training_runs', 'snapshot_token_volumes',
    'snapshot_rental_prices', 'snapshot_published_splits', 'snapshot_datacenter_campuses',
    'snapshot_accelerator_shipments', 'snapshot_company_financials', 'snapshot_lab_compute_spend',
    'epoch_ml_hardware', 'epoch_notable_ai_models', 'epoch_frontier_ai_models',
    'epoch_large_scale_ai_models', 'epoch_ai_companies_usage_reports',
    'epoch_ai_companies_compute_spend', 'epoch_gpu_clusters', 'epoch_data_centers',
    'epoch_data_center_timelines', 'mlperf_inference_v4_1', 'mlperf_inference_v5_1',
    'openrouter_rankings_daily',
] %}
{% for name in raw_sources %}
select
    '{{ name }}'               as source_name,
    any_value(_landing_sha256) as landing_sha256,
    any_value(_landing_url)    as landing_url,
    any_value(_licence)        as licence,
    any_value(_source_mode)    as source_mode,
    any_value(_fetched_at)     as fetched_at,
    coalesce(bool_or(_stale), false) as is_stale,
    nullif(any_value(_title), '') as title,
{%- if name.startswith('snapshot_') %}
    max(retrieved)             as retrieved_on,
    'flopcast compilation, retrieved ' || strftime(max(retrieved), '%Y-%m-%d') as vintage,
{%- else %}
    try_cast(nullif(any_value(_retrieved), '') as date) as retrieved_on,
    coalesce(nullif(any_value(_vintage), ''),
             'as fetched on ' || left(any_value(_fetched_at), 10)) as vintage,
{%- endif %}
    nullif(any_value(_note), '') as note,
    nullif(any_value(_attribution), '') as attribution,
    count(*)                   as row_count
from {{ source('raw', name) }}
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{% endfor %}
