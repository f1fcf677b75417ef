-- One row per model from the bundled snapshot (natural key model_id, unique in the file).
-- Units are already in the names: parameters and tokens are counts, training_flop is FLOP.
select
    lower(model_id)                             as model_id,
    model_name,
    {{ model_name_key('model_name') }}          as model_name_key,
    organization,
    publication_date,
    lower(domain)                               as domain,
    total_parameters,
    active_parameters,
    training_tokens,
    training_flop,
    lower(training_flop_basis)                  as training_flop_basis,
    training_flop_method,
    training_hardware,
    hardware_chip_count,
    training_days,
    open_weights,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_training_runs') }}
