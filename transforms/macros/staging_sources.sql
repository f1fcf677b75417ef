{#- Staging select for Epoch's AI Models tables (notable, frontier, large-scale share one schema;
    frontier adds columns). One row per `model` (the publisher's key, unique in each file). -#}
{% macro stg_epoch_models(table_name, frontier=false) %}
select
    model                                               as model_name,
    {{ model_name_key('model') }}                       as model_name_key,
    organization,
    publication_date,
    domain,
    task,
    parameters,
    training_compute_flop,
    training_dataset_size,
    epochs,
    training_time_hours,
    training_time_hours / 24                            as training_days,
    training_hardware,
    hardware_quantity,
    hardware_utilization_mfu,
    training_compute_cost_2023_usd,
    training_power_draw_w,
    finetune_compute_flop,
    numerical_format,
    confidence,
    model_accessibility,
    case
        when model_accessibility is null then null
        else lower(model_accessibility) like 'open weights%'
    end                                                 as open_weights,
    frontier_model,
    country,
    organization_categorization,
    notability_criteria,
    base_model,
    link,
    reference,
    training_compute_notes,
{%- if frontier %}
    inference_compute_flop,
    post_training_compute_flop,
    distillation_or_synthetic_data_compute_flop         as synthetic_data_compute_flop,
    training_compute_lower_bound_flop,
    training_compute_upper_bound_flop,
    training_chip_hours,
    training_compute_estimation_method,
    hardware_maker,
    hardware_release_date,
    knowledge_cutoff,
{%- endif %}
    _landing_sha256                                     as landing_sha256
from {{ source('raw', table_name) }}
{% endmacro %}

{#- Staging select for one MLPerf Inference round: one row per (result_id, model, scenario), the
    publisher's key (unique in each summary file). Units stay per row (performance_units). -#}
{% macro stg_mlperf_round(table_name, mlperf_round) %}
select
    '{{ mlperf_round }}'                                as mlperf_round,
    result_id,
    model,
    scenario,
    submitter,
    lower(availability)                                 as availability,
    lower(category)                                     as category,
    suite,
    system                                              as system_name,
    accelerator                                         as accelerator_name_raw,
    accelerators_per_node,
    nodes,
    processor,
    performance_result,
    performance_units,
    coalesce(has_power, false)                          as has_power,
    power_result,
    power_units,
    weight_data_types,
    software,
    details_url,
    _landing_sha256                                     as landing_sha256
from {{ source('raw', table_name) }}
{% endmacro %}

{#- A disclosure date, or null when it cannot be one: before 2000, long before any AI-company
    disclosure (Epoch's compute-spend file has 'Report date' 0202-07-30, a typo whose intended year
    cannot be told for sure, so it is nulled rather than guessed). -#}
{% macro plausible_report_date(column) -%}
case when {{ column }} >= date '2000-01-01' then {{ column }} end
{%- endmacro %}
