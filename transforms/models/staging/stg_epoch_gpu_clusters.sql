-- One row per Epoch GPU-cluster record. The file has no key: anonymised systems share a name
-- ("Anonymized Chinese System") and some rows are identical in every column. Identical rows are
-- KEPT (they may be distinct anonymised systems; Epoch's own `possible_duplicate` flag is passed
-- through for downstream de-duplication). cluster_id = slug(name) + first 10 hex digits of the MD5
-- of the row's content + an ordinal among identical rows, so it is unique and stable for the same
-- file whatever the row order.
with typed as (
    select
        name                                        as cluster_name,
        status,
        certainty,
        h100_equivalents,
        chip_type_primary,
        chip_quantity_primary,
        chip_type_secondary,
        chip_quantity_secondary,
        total_ai_chips,
        country,
        location,
        owner,
        users,
        sector,
        first_operational_date,
        decommissioned_date                         as decommissioned_date_text,
        power_capacity_mw,
        hardware_cost_usd,
        max_op_per_s,
        precision_16bit_op_per_s,
        precision_8bit_op_per_s,
        possible_duplicate,
        possible_duplicate_of,
        superseded_by,
        include_in_standard_analysis,
        exclude,
        source_1_url                                as source_url,
        _landing_sha256                             as landing_sha256
    from {{ source('raw', 'epoch_gpu_clusters') }}
)
select
    {{ slugify('cluster_name') }} || '-' || left(content_md5, 10) || '-'
        || row_number() over (partition by content_md5 order by content_md5) as cluster_id,
    * exclude (content_md5)
from (select t.*, md5(cast(t as varchar)) as content_md5 from typed t)
