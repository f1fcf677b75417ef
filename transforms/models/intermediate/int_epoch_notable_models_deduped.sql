-- Epoch notable models, one row per model name key (lower-case letters and digits of the name):
-- Epoch's own key is the exact name, so two spellings of one model ('GPT-4' / 'GPT 4') would both
-- appear; the row with a training-compute figure wins, then the latest publication date, then the
-- name. The frontier file's estimation method is attached where it covers the model.
with ranked as (
    select
        n.*,
        {{ model_name_key("regexp_replace(n.model_name, '\\([^)]*\\)', '', 'g')") }} as model_name_key_stripped,
        row_number() over (
            partition by n.model_name_key
            order by (n.training_compute_flop is null), n.publication_date desc nulls last, n.model_name
        ) as pick
    from {{ ref('stg_epoch_notable_ai_models') }} n
),
frontier as (
    select model_name_key, any_value(training_compute_estimation_method) as training_compute_estimation_method
    from {{ ref('stg_epoch_frontier_ai_models') }}
    group by model_name_key
)
select
    r.* exclude (pick),
    f.training_compute_estimation_method
from ranked r
left join frontier f on f.model_name_key = r.model_name_key
where r.pick = 1
