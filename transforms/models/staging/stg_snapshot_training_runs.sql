-- One row per model from the bundled snapshot (natural key model_id, unique in the file), typed.
-- Units are already in the names: parameters and tokens are counts, training_flop is FLOP.
select
    lower(trim(model_id))                       as model_id,
    trim(model_name)                            as model_name,
    {{ model_name_key('model_name') }}          as model_name_key,
    trim(organization)                          as organization,
    cast(publication_date as date)              as publication_date,
    lower(nullif(trim(domain), ''))             as domain,
    cast(total_parameters as double)            as total_parameters,
    cast(active_parameters as double)           as active_parameters,
    cast(training_tokens as double)             as training_tokens,
    cast(training_flop as double)               as training_flop,
    lower(nullif(trim(training_flop_basis), '')) as training_flop_basis,
    nullif(trim(training_flop_method), '')      as training_flop_method,
    nullif(trim(training_hardware), '')         as training_hardware,
    cast(hardware_chip_count as double)         as hardware_chip_count,
    cast(training_days as double)               as training_days,
    open_weights,
    {{ snapshot_citation() }}
from {{ source('raw', 'snapshot_training_runs') }}
