-- Every accelerator name a source uses, one row per (source, name), with how many of the source's
-- rows use it. Lists of chips are split into single names: Epoch `Training hardware` and the
-- snapshot's `training_hardware` separate chips with commas ('NVIDIA A100,NVIDIA H100 SXM5 80GB');
-- MLPerf heterogeneous systems too ('AMD Instinct MI300X 192GB HBM3 (x32), AMD Instinct MI325X
-- ...'). Commas inside brackets ('NVIDIA H100 (Colossus, Memphis)') do not split: a string whose
-- unbracketed text has no comma is one name, kept whole.
{{ split_accelerator_names('snapshot_training_runs', ref('stg_snapshot_training_runs'), 'training_hardware') }}
union all
{{ split_accelerator_names('epoch_notable_ai_models', ref('stg_epoch_notable_ai_models'), 'training_hardware') }}
union all
{{ split_accelerator_names('mlperf_inference_v4_1', ref('stg_mlperf_inference_v4_1'), 'accelerator_name_raw') }}
union all
{{ split_accelerator_names('mlperf_inference_v5_1', ref('stg_mlperf_inference_v5_1'), 'accelerator_name_raw') }}
union all
select 'epoch_ml_hardware' as source, hardware_name as name_raw, count(*) as row_count
from {{ ref('stg_epoch_ml_hardware') }}
group by all
