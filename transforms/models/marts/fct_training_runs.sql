-- One row per model: the bundled snapshot's training runs plus Epoch notable models the snapshot
-- lacks (precedence and the 6ND estimate: see int_training_runs). accelerator_id is the first chip
-- named in training_hardware, resolved to the catalogue (null when unnamed or unmatched; every chip
-- is in int_training_run_hardware).
select
    t.model_id,
    t.model_name,
    t.organization,
    t.publication_date,
    t.domain,
    t.total_parameters,
    t.active_parameters,
    t.training_tokens,
    t.training_flop,
    t.training_flop_is_estimated,
    t.training_flop_method,
    t.training_hardware,
    h.accelerator_id,
    t.hardware_chip_count,
    t.training_days,
    t.open_weights,
    t.record_source,
    t.source_url
from {{ ref('int_training_runs') }} t
left join {{ ref('int_training_run_hardware') }} h
  on h.model_id = t.model_id and h.hardware_position = 1
