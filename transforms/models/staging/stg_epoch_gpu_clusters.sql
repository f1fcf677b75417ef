-- One row per Epoch GPU-cluster record. The file has no key: anonymised systems share a name
-- ("Anonymized Chinese System") and some rows are identical in every column. Identical rows are
-- KEPT (they may be distinct anonymised systems; Epoch's own `possible_duplicate` flag is passed
-- through for downstream de-duplication). cluster_id = slug(name) + first 10 hex digits of the MD5
-- of the row's content + an ordinal among identical rows, so it is unique and stable for the same
-- file whatever the row order.
with typed as (
    select
        trim(name)                                  as cluster_name,
        nullif(trim(status), '')                    as status,
        nullif(trim(certainty), '')                 as certainty,
        cast(h100_equivalents as double)            as h100_equivalents,
        nullif(trim(chip_type_primary), '')         as chip_type_primary,
        cast(chip_quantity_primary as double)       as chip_quantity_primary,
        nullif(trim(chip_type_secondary), '')       as chip_type_secondary,
        cast(chip_quantity_secondary as double)     as chip_quantity_secondary,
        cast(total_ai_chips as double)              as total_ai_chips,
        nullif(trim(country), '')                   as country,
        nullif(trim(location), '')                  as location,
        nullif(trim(owner), '')                     as owner,
        nullif(trim(users), '')                     as users,
        nullif(trim(sector), '')                    as sector,
        cast(first_operational_date as date)        as first_operational_date,
        nullif(trim(decommissioned_date), '')       as decommissioned_date_text,
        cast(power_capacity_mw as double)           as power_capacity_mw,
        cast(hardware_cost_usd as double)           as hardware_cost_usd,
        cast(max_op_per_s as double)                as max_op_per_s,
        cast(precision_16bit_op_per_s as double)    as precision_16bit_op_per_s,
        cast(precision_8bit_op_per_s as double)     as precision_8bit_op_per_s,
        possible_duplicate,
        nullif(trim(possible_duplicate_of), '')     as possible_duplicate_of,
        nullif(trim(superseded_by), '')             as superseded_by,
        include_in_standard_analysis,
        exclude,
        nullif(trim(source_1_url), '')              as source_url,
        _landing_sha256                             as landing_sha256
    from {{ source('raw', 'epoch_gpu_clusters') }}
)
select
    {{ slugify('cluster_name') }} || '-' || left(content_md5, 10) || '-'
        || row_number() over (partition by content_md5 order by content_md5) as cluster_id,
    * exclude (content_md5)
from (select t.*, md5(cast(t as varchar)) as content_md5 from typed t)
