-- One row per (date, model) of OpenRouter's daily rankings (the publisher's key).
-- share_of_daily_tokens is published as a fraction or a percent (unverified export): when any
-- share in the file exceeds 1 the whole column is read as percent and divided by 100.
with typed as (
    select
        date                                    as ranking_date,
        model_permaslug,
        rank,
        total_tokens,
        share_of_daily_tokens                   as share_as_published,
        _landing_sha256                         as landing_sha256
    from {{ source('raw', 'openrouter_rankings_daily') }}
)
select
    ranking_date,
    model_permaslug,
    rank,
    total_tokens,
    case when max(share_as_published) over () > 1 then share_as_published / 100
         else share_as_published end            as share_of_daily_tokens,
    landing_sha256
from typed
