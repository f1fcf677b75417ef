-- Sparse-as-dense suspicion for every published accelerator figure (one row per accelerator_id).
-- A figure is suspected sparse when
--   (a) it exceeds another source's figure for the same chip and precision by more than
--       var('sparse_suspect_ratio') (1.5x) - only the snapshot's figures are published for
--       chips both cover, so only a snapshot-side excess counts here; or
--   (b) its ratio to the chip's other precisions breaks the architecture's pattern: FP8/BF16 and
--       FP4/FP8 must lie within the bounds of seed accelerator_precision_patterns, most specific
--       row first (accelerator, then vendor, then default; e.g. NVIDIA FP8 = 1.9-2.2x BF16,
--       default 1.0-2.2x, so FP8 > 2.2x BF16 or BF16 > FP8 is a suspect).
-- dim_accelerator carries suspected_sparse, and a dbt test on it fails the build (and so blocks
-- the brief) while any suspect remains.
with catalogue as (
    select * from {{ ref('int_accelerator_catalog') }}
),
patterns as (
    select
        c.accelerator_id,
        p.min_fp8_to_bf16, p.max_fp8_to_bf16, p.min_fp4_to_fp8, p.max_fp4_to_fp8,
        p.match_type || coalesce(':' || p.match_value, '') as pattern_name
    from catalogue c
    join {{ ref('accelerator_precision_patterns') }} p
      on (p.match_type = 'accelerator' and p.match_value = c.accelerator_id)
      or (p.match_type = 'vendor' and p.match_value = c.vendor)
      or (p.match_type = 'default')
    qualify row_number() over (
        partition by c.accelerator_id
        order by case p.match_type when 'accelerator' then 0 when 'vendor' then 1 else 2 end
    ) = 1
),
cross_source as (
    select
        accelerator_id,
        string_agg(metric || ' ' || cast(snapshot_value as varchar) || ' vs Epoch '
                   || cast(epoch_value as varchar), '; ' order by metric) as cross_source_note
    from {{ ref('int_accelerator_spec_comparisons') }}
    where suspected_sparse_side = 'snapshot'
    group by accelerator_id
),
checks as (
    select
        c.accelerator_id,
        c.fp8_dense_flop_per_s / nullif(c.bf16_dense_flop_per_s, 0) as fp8_to_bf16_ratio,
        c.fp4_dense_flop_per_s / nullif(c.fp8_dense_flop_per_s, 0)  as fp4_to_fp8_ratio,
        p.pattern_name,
        p.min_fp8_to_bf16, p.max_fp8_to_bf16, p.min_fp4_to_fp8, p.max_fp4_to_fp8,
        x.cross_source_note
    from catalogue c
    left join patterns p on p.accelerator_id = c.accelerator_id
    left join cross_source x on x.accelerator_id = c.accelerator_id
),
flagged as (
    select
        *,
        coalesce(fp8_to_bf16_ratio not between min_fp8_to_bf16 and max_fp8_to_bf16, false) as fp8_bf16_out_of_pattern,
        coalesce(fp4_to_fp8_ratio not between min_fp4_to_fp8 and max_fp4_to_fp8, false)    as fp4_fp8_out_of_pattern,
        cross_source_note is not null                                                       as exceeds_other_source
    from checks
)
select
    accelerator_id,
    fp8_to_bf16_ratio,
    fp4_to_fp8_ratio,
    pattern_name,
    fp8_bf16_out_of_pattern,
    fp4_fp8_out_of_pattern,
    exceeds_other_source,
    fp8_bf16_out_of_pattern or fp4_fp8_out_of_pattern or exceeds_other_source as suspected_sparse,
    nullif(concat_ws('; ',
        case when fp8_bf16_out_of_pattern then 'FP8/BF16 = ' || round(fp8_to_bf16_ratio, 3)
             || ' outside ' || min_fp8_to_bf16 || '-' || max_fp8_to_bf16 || ' (' || pattern_name || ')' end,
        case when fp4_fp8_out_of_pattern then 'FP4/FP8 = ' || round(fp4_to_fp8_ratio, 3)
             || ' outside ' || min_fp4_to_fp8 || '-' || max_fp4_to_fp8 || ' (' || pattern_name || ')' end,
        case when exceeds_other_source then 'above 1.5x the other source: ' || cross_source_note end
    ), '') as suspected_sparse_reason
from flagged
