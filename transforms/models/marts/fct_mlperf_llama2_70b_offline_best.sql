-- The measured side of the brief's hardware section: per accelerator, its best llama2-70b Offline
-- throughput per chip in the latest MLPerf Inference round that has one, as it could be known at
-- each round's publication date (as_of_date: only the rounds published by then; a brief for month
-- M reads the latest vintage on or before M's last day). Single-accelerator systems resolved to
-- dim_accelerator only. At equal throughput the lower accuracy target wins (llama2-70b-99, which
-- every submission reports, before llama2-70b-99.9: a submission that meets both carries the same
-- number under each), so the rows compare like with like. throughput_rank orders the vintage's
-- chips, fastest first.
with results as (
    select
        m.mlperf_result_key,
        m.mlperf_round,
        m.round_published_on,
        m.accelerator_id,
        a.accelerator_name,
        m.model,
        m.scenario,
        m.tokens_per_s_per_accelerator,
        m.submitter
    from {{ ref('fct_mlperf_throughput') }} as m
    join {{ ref('dim_accelerator') }} as a using (accelerator_id)
    where m.model like 'llama2-70b%'
      and m.scenario = 'Offline'
      and m.tokens_per_s_per_accelerator is not null
      and not m.is_mixed_accelerators
      and m.round_published_on is not null
),

vintages as (
    select distinct round_published_on as as_of_date
    from results
),

best as (
    -- per vintage and accelerator: the latest round published by then, its fastest result
    select v.as_of_date, r.*
    from vintages as v
    join results as r on r.round_published_on <= v.as_of_date
    qualify row_number() over (
        partition by v.as_of_date, r.accelerator_id
        order by r.round_published_on desc, r.tokens_per_s_per_accelerator desc, r.model, r.mlperf_result_key
    ) = 1
)

select
    as_of_date,
    mlperf_round                                                            as round,
    accelerator_id,
    accelerator_name,
    model,
    scenario,
    tokens_per_s_per_accelerator                                            as throughput_per_accelerator,
    'tokens/s per accelerator'                                              as units,
    submitter,
    row_number() over (partition by as_of_date
                       order by tokens_per_s_per_accelerator desc, accelerator_id)  as throughput_rank
from best
