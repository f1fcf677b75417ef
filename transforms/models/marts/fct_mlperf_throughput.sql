-- MLPerf Inference results per chip: one row per (mlperf_round, result_id, model, scenario) of a
-- system with accelerators (CPU-only results are left out: they have no accelerator; they stay in
-- int_mlperf_results). Throughput is divided by total_accelerators (accelerators_per_node x
-- nodes) into the column of its unit; latency results (ms) are per query, not per chip, and stay
-- undivided in latency_ms. power_w is the system power MLCommons measured (Offline/Server, in
-- watts; energy-per-query results in millijoules are left out), empty without a power result.
select
    mlperf_round || '/' || result_id || '/' || model || '/' || scenario     as mlperf_result_key,
    mlperf_round,
    rounds.published_on                                                     as round_published_on,
    result_id,
    accelerator_id,
    accelerator_ids,
    is_mixed_accelerators,
    accelerator_match_status,
    accelerator_name_raw,
    system_name,
    submitter,
    availability,
    category,
    model,
    scenario,
    accelerators_per_node,
    nodes,
    total_accelerators,
    performance_result,
    performance_units,
    case when performance_units = 'Tokens/s' then performance_result / nullif(total_accelerators, 0) end
        as tokens_per_s_per_accelerator,
    case when performance_units = 'Samples/s' then performance_result / nullif(total_accelerators, 0) end
        as samples_per_s_per_accelerator,
    case when performance_units = 'Queries/s' then performance_result / nullif(total_accelerators, 0) end
        as queries_per_s_per_accelerator,
    case when performance_units = 'Latency (ms)' then performance_result end as latency_ms,
    case when has_power and power_units = 'Watts' then power_result end as power_w,
    weight_data_types,
    details_url
from {{ ref('int_mlperf_results') }}
left join {{ ref('mlperf_rounds') }} as rounds using (mlperf_round)
where accelerator_match_status <> 'no_accelerator'
