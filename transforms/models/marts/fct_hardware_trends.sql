-- Hardware price-performance and efficiency by release year and precision, from dim_accelerator
-- (dense, per chip): one row per (release_year, precision) with at least one chip. Precisions:
-- bf16, fp16 (tensor), fp8, fp4 (FLOP/s) and int8 (integer OP/s: the *_flop_* columns then hold
-- operations, see rate_unit). Medians are over the chips with the needed figures (power, launch
-- price, or an on-demand rental price); empty where none.
--   flop_per_s_per_w            = dense rate / TDP
--   flop_per_s_per_launch_usd   = dense rate / launch price
--   flop_per_rental_usd         = dense rate x 3600 / median on-demand USD per accelerator-hour
--                                 (peak FLOP bought per rental dollar)
with rental as (
    select accelerator_id, median(usd_per_accelerator_hour) as usd_per_accelerator_hour
    from {{ ref('fct_rental_prices') }}
    where accelerator_id is not null and pricing_type = 'on_demand'
    group by accelerator_id
),
chips as (
    select d.*, r.usd_per_accelerator_hour
    from {{ ref('dim_accelerator') }} d
    left join rental r on r.accelerator_id = d.accelerator_id
),
long as (
    {% set precisions = [('bf16', 'bf16_dense_flop_per_s', 'FLOP/s'), ('fp16', 'fp16_dense_flop_per_s', 'FLOP/s'),
                         ('fp8', 'fp8_dense_flop_per_s', 'FLOP/s'), ('fp4', 'fp4_dense_flop_per_s', 'FLOP/s'),
                         ('int8', 'int8_dense_op_per_s', 'OP/s')] %}
    {% for name, col, unit in precisions %}
    select
        year(release_date) as release_year,
        '{{ name }}' as precision,
        '{{ unit }}' as rate_unit,
        accelerator_id,
        {{ col }} as rate,
        tdp_w,
        launch_price_usd,
        usd_per_accelerator_hour
    from chips
    where {{ col }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)
select
    release_year,
    precision,
    rate_unit,
    count(*)                                                        as accelerators,
    max(rate)                                                       as max_dense_flop_per_s,
    median(rate)                                                    as median_dense_flop_per_s,
    median(rate / tdp_w)                                            as median_flop_per_s_per_w,
    count(tdp_w)                                                    as accelerators_with_power,
    median(rate / launch_price_usd)                                 as median_flop_per_s_per_launch_usd,
    count(launch_price_usd)                                         as accelerators_with_launch_price,
    median(rate * 3600 / usd_per_accelerator_hour)                  as median_flop_per_rental_usd,
    count(usd_per_accelerator_hour)                                 as accelerators_with_rental_price,
    string_agg(accelerator_id, ',' order by accelerator_id)         as accelerator_ids
from long
group by release_year, precision, rate_unit
