-- MLPerf Inference v5.1 results, one row per (result_id, model, scenario); see macro stg_mlperf_round.
{{ stg_mlperf_round('mlperf_inference_v5_1', 'v5.1') }}
