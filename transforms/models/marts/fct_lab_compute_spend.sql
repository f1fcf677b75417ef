-- AI labs' compute spend by purpose, one row per public figure (USD for the period), with its
-- basis (reported, leaked, analyst, Epoch AI estimate) and whether it is an actual or a projection.
-- inference_share_of_lab_total: the row's value over the same lab-period-publisher's total where
-- one is published beside it (training and R&D overlap: R&D includes final training runs).
with spend as (
    select * from {{ ref('stg_snapshot_lab_compute_spend') }}
),

totals as (
    select lab, period_start, period_end, publisher, kind, max(value_usd) as total_usd
    from spend
    where category = 'total'
    group by all
)

select
    s.spend_id,
    s.lab,
    s.period_start,
    s.period_end,
    year(s.period_end)                          as year,
    s.category,
    s.value_usd,
    s.value_low_usd,
    s.value_high_usd,
    s.basis,
    s.kind,
    s.publisher,
    s.disclosed_on,
    case when s.category = 'inference' then s.value_usd / t.total_usd end as inference_share_of_lab_total,
    s.notes,
    s.source_url,
    s.retrieved
from spend s
left join totals t
    on t.lab = s.lab and t.period_start = s.period_start and t.period_end = s.period_end
   and t.publisher = s.publisher and t.kind = s.kind
