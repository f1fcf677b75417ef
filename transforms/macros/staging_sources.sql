{#- Staging select for Epoch's AI Models tables (notable, frontier, large-scale share one schema;
    frontier adds columns). One row per `model` (the publisher's key, unique in each file). -#}
{% macro stg_epoch_models(table_name, frontier=false) %}
select
    trim(model)                                         as model_name,
    {{ model_name_key('model') }}                       as model_name_key,
    nullif(trim(organization), '')                      as organization,
    cast(publication_date as date)                      as publication_date,
    nullif(trim(domain), '')                            as domain,
    nullif(trim(task), '')                              as task,
    cast(parameters as double)                          as parameters,
    cast(training_compute_flop as double)               as training_compute_flop,
    cast(training_dataset_size as double)               as training_dataset_size,
    cast(epochs as double)                              as epochs,
    cast(training_time_hours as double)                 as training_time_hours,
    cast(training_time_hours as double) / 24            as training_days,
    nullif(trim(training_hardware), '')                 as training_hardware,
    cast(hardware_quantity as double)                   as hardware_quantity,
    cast(hardware_utilization_mfu as double)            as hardware_utilization_mfu,
    cast(training_compute_cost_2023_usd as double)      as training_compute_cost_2023_usd,
    cast(training_power_draw_w as double)               as training_power_draw_w,
    cast(finetune_compute_flop as double)               as finetune_compute_flop,
    nullif(trim(numerical_format), '')                  as numerical_format,
    nullif(trim(confidence), '')                        as confidence,
    nullif(trim(model_accessibility), '')               as model_accessibility,
    case
        when model_accessibility is null then null
        else lower(model_accessibility) like 'open weights%'
    end                                                 as open_weights,
    frontier_model,
    nullif(trim(country), '')                           as country,
    nullif(trim(organization_categorization), '')       as organization_categorization,
    nullif(trim(notability_criteria), '')               as notability_criteria,
    nullif(trim(base_model), '')                        as base_model,
    nullif(trim(link), '')                              as link,
    nullif(trim(reference), '')                         as reference,
    nullif(trim(training_compute_notes), '')            as training_compute_notes,
{%- if frontier %}
    cast(inference_compute_flop as double)              as inference_compute_flop,
    cast(post_training_compute_flop as double)          as post_training_compute_flop,
    cast(distillation_or_synthetic_data_compute_flop as double) as synthetic_data_compute_flop,
    cast(training_compute_lower_bound_flop as double)   as training_compute_lower_bound_flop,
    cast(training_compute_upper_bound_flop as double)   as training_compute_upper_bound_flop,
    cast(training_chip_hours as double)                 as training_chip_hours,
    nullif(trim(training_compute_estimation_method), '') as training_compute_estimation_method,
    nullif(trim(hardware_maker), '')                    as hardware_maker,
    cast(hardware_release_date as date)                 as hardware_release_date,
    cast(knowledge_cutoff as date)                      as knowledge_cutoff,
{%- endif %}
    _landing_sha256                                     as landing_sha256
from {{ source('raw', table_name) }}
{% endmacro %}

{#- Staging select for one MLPerf Inference round: one row per (result_id, model, scenario), the
    publisher's key (unique in each summary file). Units stay per row (performance_units). -#}
{% macro stg_mlperf_round(table_name, mlperf_round) %}
select
    '{{ mlperf_round }}'                                as mlperf_round,
    trim(result_id)                                     as result_id,
    trim(model)                                         as model,
    trim(scenario)                                      as scenario,
    nullif(trim(submitter), '')                         as submitter,
    lower(nullif(trim(availability), ''))               as availability,
    lower(nullif(trim(category), ''))                   as category,
    nullif(trim(suite), '')                             as suite,
    nullif(trim(system), '')                            as system_name,
    nullif(trim(accelerator), '')                       as accelerator_name_raw,
    cast(accelerators_per_node as double)               as accelerators_per_node,
    cast(nodes as double)                               as nodes,
    nullif(trim(processor), '')                         as processor,
    cast(performance_result as double)                  as performance_result,
    trim(performance_units)                             as performance_units,
    coalesce(has_power, false)                          as has_power,
    cast(power_result as double)                        as power_result,
    nullif(trim(power_units), '')                       as power_units,
    nullif(trim(weight_data_types), '')                 as weight_data_types,
    nullif(trim(software), '')                          as software,
    nullif(trim(details_url), '')                       as details_url,
    _landing_sha256                                     as landing_sha256
from {{ source('raw', table_name) }}
{% endmacro %}

{#- A disclosure date, or null when it cannot be one: before 2000, long before any AI-company
    disclosure (Epoch's compute-spend file has 'Report date' 0202-07-30, a typo whose intended year
    cannot be told for sure, so it is nulled rather than guessed). -#}
{% macro plausible_report_date(column) -%}
case when {{ column }} >= date '2000-01-01' then {{ column }} end
{%- endmacro %}
