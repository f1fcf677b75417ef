-- MLPerf Inference results of every loaded round, one row per (mlperf_round, result_id, model,
-- scenario), with the accelerator resolved to the catalogue:
--   * accelerator_match_status: 'matched' (every chip named resolves), 'unmatched' (some chip
--     does not; the name is listed in int_unmatched_accelerator_names), or 'no_accelerator'
--     (CPU-only systems: MLCommons leaves Accelerator and a# empty);
--   * heterogeneous systems ('AMD Instinct MI300X ... (x32), AMD Instinct MI325X ... (x16)') get
--     accelerator_id null and all their ids in accelerator_ids (is_mixed_accelerators);
--   * total_accelerators = accelerators_per_node x nodes (MLPerf's a# counts GPUs, e.g. 4 per
--     GB200 node).
with results as (
    select * from {{ ref('stg_mlperf_inference_v4_1') }}
    union all by name
    select * from {{ ref('stg_mlperf_inference_v5_1') }}
),
parts as (
    select
        mlperf_round, result_id, model, scenario,
        trim(unnest({{ accelerator_name_list('accelerator_name_raw') }})) as part
    from results
    where accelerator_name_raw is not null
),
resolved_parts as (
    select
        p.mlperf_round, p.result_id, p.model, p.scenario,
        count(*) as n_parts,
        count(r.accelerator_id) as n_resolved,
        list_distinct(list(r.accelerator_id) filter (where r.accelerator_id is not null)) as ids
    from parts p
    left join {{ ref('int_accelerator_name_resolutions') }} r on r.name_raw = p.part
    where p.part <> ''
    group by all
)
select
    r.*,
    r.accelerators_per_node * r.nodes as total_accelerators,
    case
        when r.accelerator_name_raw is null then 'no_accelerator'
        when rp.n_resolved = rp.n_parts and rp.n_parts > 0 then 'matched'
        else 'unmatched'
    end as accelerator_match_status,
    coalesce(len(rp.ids) > 1, false) as is_mixed_accelerators,
    case when rp.n_resolved = rp.n_parts and len(rp.ids) = 1 then rp.ids[1] end as accelerator_id,
    case when len(rp.ids) > 0 then array_to_string(list_sort(rp.ids), ',') end as accelerator_ids
from results r
left join resolved_parts rp
  on rp.mlperf_round = r.mlperf_round and rp.result_id = r.result_id
 and rp.model = r.model and rp.scenario = r.scenario
