-- Training runs from the bundled snapshot and Epoch's Notable AI Models, one row per model.
-- Precedence: the snapshot wins (curated, with active parameters and pre-training tokens); an Epoch
-- notable model is added only when it is not already in the snapshot. "Already in" = the same
-- model-name key (letters and digits, lower-case) as spelled, or else with the bracketed part of ONE
-- of the two names removed ('Galactica (120B)' ~ 'Galactica', 'GPT-3 (175B)' ~ 'GPT-3 175B
-- (davinci)'; but not 'Megatron-LM (8.3B)' ~ 'Megatron-LM (1.2B)', where both brackets say
-- something). The bracket-free match counts only one-to-one, for names not matched as spelled.
-- Training FLOP:
--   * snapshot rows keep their figure and its basis (estimated or reported); where the figure is
--     missing but active_parameters and training_tokens are known, it is estimated as
--     6 x active_parameters x training_tokens (Kaplan et al. 2020) and flagged - except
--     encoder-decoder models (notes say so), where each token passes through only part of the
--     parameters and the snapshot deliberately leaves 6ND out;
--   * Epoch rows keep Epoch's figure, flagged estimated unless the frontier file says the developer
--     reported it ('Reported' among its estimation methods). No 6ND fill-in for Epoch rows: Epoch
--     gives total (not active) parameters and its dataset size is often not pre-training tokens.
with snapshot as (
    select
        *,
        {{ model_name_key("regexp_replace(model_name, '\\([^)]*\\)', '', 'g')") }} as model_name_key_stripped
    from {{ ref('stg_snapshot_training_runs') }}
),
epoch as (
    select * from {{ ref('int_epoch_notable_models_deduped') }}
),
exact_match as (
    select e.model_name_key as epoch_key
    from epoch e
    join snapshot s on s.model_name_key = e.model_name_key
),
-- Two equi-joins, not one join on "a = b or c = d": DuckDB runs an OR condition as a nested loop
-- over every pair (9.6 s at 100x the rows, 14k snapshot x 94k Epoch runs).
loose_candidates as (
    select s.model_id, s.model_name_key as snapshot_key, e.model_name_key as epoch_key
    from snapshot s
    join epoch e on s.model_name_key = e.model_name_key_stripped
    union all
    select s.model_id, s.model_name_key as snapshot_key, e.model_name_key as epoch_key
    from snapshot s
    join epoch e on s.model_name_key_stripped = e.model_name_key
),
loose_pairs as (
    select distinct model_id, epoch_key
    from loose_candidates
    where epoch_key not in (select epoch_key from exact_match)
      and snapshot_key not in (select model_name_key from epoch)
),
loose_match as (
    select epoch_key
    from loose_pairs
    qualify count(*) over (partition by model_id) = 1 and count(*) over (partition by epoch_key) = 1
),
snapshot_rows as (
    select
        model_id,
        model_name,
        model_name_key,
        organization,
        publication_date,
        domain,
        total_parameters,
        active_parameters,
        training_tokens,
        case
            when training_flop is not null then training_flop
            when active_parameters is not null and training_tokens is not null
                 and coalesce(lower(notes), '') not like '%encoder-decoder%'
                then 6 * active_parameters * training_tokens
        end as training_flop,
        case
            when training_flop is not null then coalesce(training_flop_basis = 'estimated', true)
            when active_parameters is not null and training_tokens is not null
                 and coalesce(lower(notes), '') not like '%encoder-decoder%' then true
        end as training_flop_is_estimated,
        case
            when training_flop is not null then training_flop_method
            when active_parameters is not null and training_tokens is not null
                 and coalesce(lower(notes), '') not like '%encoder-decoder%'
                then '6ND (computed here: 6 x active_parameters x training_tokens; no FLOP in the source)'
        end as training_flop_method,
        training_hardware,
        hardware_chip_count,
        training_days,
        open_weights,
        'snapshot' as record_source,
        source_url
    from snapshot
),
epoch_rows as (
    select
        case
            when {{ slugify('model_name') }} in (select model_id from snapshot) then {{ slugify('model_name') }} || '-epoch'
            else {{ slugify('model_name') }}
        end as model_id,
        model_name,
        model_name_key,
        organization,
        publication_date,
        lower(domain) as domain,
        parameters as total_parameters,
        cast(null as double) as active_parameters,
        cast(null as double) as training_tokens,
        training_compute_flop as training_flop,
        case when training_compute_flop is not null
             then not coalesce(training_compute_estimation_method like '%Reported%', false) end as training_flop_is_estimated,
        case when training_compute_flop is not null then
            'Epoch AI, Notable AI Models: '
            || coalesce('estimation method ' || training_compute_estimation_method, 'Epoch estimate')
            || coalesce(' (confidence: ' || confidence || ')', '')
        end as training_flop_method,
        training_hardware,
        hardware_quantity as hardware_chip_count,
        training_days,
        open_weights,
        'epoch_notable' as record_source,
        coalesce(link, 'https://epoch.ai/data/ai-models') as source_url
    from epoch
    where model_name_key not in (select epoch_key from exact_match)
      and model_name_key not in (select epoch_key from loose_match)
)
select * from snapshot_rows
union all
select * from epoch_rows
