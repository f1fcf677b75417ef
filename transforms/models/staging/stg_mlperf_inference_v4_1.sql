-- MLPerf Inference v4.1 results, one row per (result_id, model, scenario); see macro stg_mlperf_round.
{{ stg_mlperf_round('mlperf_inference_v4_1', 'v4.1') }}
