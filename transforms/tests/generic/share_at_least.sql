{#- Fails (one row with the counts) when fewer than `min_share` of the rows selected by
    `denominator` satisfy `condition`. No rows selected (e.g. a live source not loaded in bundled
    mode) passes: there is nothing to measure. -#}
{% test share_at_least(model, condition, min_share, denominator='true') %}
with counted as (
    select
        count(*) as total_rows,
        count(*) filter (where {{ condition }}) as passing_rows
    from {{ model }}
    where {{ denominator }}
)
select total_rows, passing_rows, passing_rows / total_rows as share, {{ min_share }} as min_share
from counted
where total_rows > 0 and passing_rows < {{ min_share }} * total_rows
{% endtest %}
