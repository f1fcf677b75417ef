{#- A model's column checks in one query: one dbt node instead of one per check (dbt's
    per-node overhead, not DuckDB, is what a build of a few thousand rows spends its time on).
    Each check keeps the semantics and the failing rows of the separate test it stands for, so
    the failure count is the sum of theirs:
      not_null: [col, ...]                 one row per null (dbt's not_null)
      unique: [col, ...]                   one row per non-null value found more than once (dbt's
                                           unique)
      accepted_values: {col: [v, ...]}     one row per non-null value outside the list (dbt's
                                           accepted_values; compared as quoted strings)
      value_between: {col: [min, max]}     one row per non-null value outside [min, max], both SQL
                                           expressions (value_between)
      not_less_than_column: {col: other}   one row per row where both are set and col < other
                                           (not_less_than_column)
      unique_combinations: [[col, ...]]    one row per combination found more than once, nulls
                                           included (the former unique_combination_of_columns)
    Each row names its check and column(s) (failing_check, column_name), the offending value and
    the rows carrying it (n_records). Plain Jinja, no dbt context: tests/transforms render it
    outside dbt. -#}
{% test column_checks(model, not_null=[], unique=[], accepted_values={}, value_between={},
                     not_less_than_column={}, unique_combinations=[]) %}
{%- set ns = namespace(union_all="") %}
{%- for column in not_null %}
{{ ns.union_all }}select 'not_null' as failing_check, '{{ column }}' as column_name, cast(null as varchar) as value,
    1 as n_records
from {{ model }} where {{ column }} is null
{%- set ns.union_all = "union all\n" %}
{%- endfor %}
{%- for column in unique %}
{{ ns.union_all }}select 'unique', '{{ column }}', cast({{ column }} as varchar), count(*)
from {{ model }} where {{ column }} is not null group by {{ column }} having count(*) > 1
{%- set ns.union_all = "union all\n" %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
{{ ns.union_all }}select 'accepted_values', '{{ column }}', cast({{ column }} as varchar), count(*)
from {{ model }}
where {{ column }} not in ({% for value in values %}'{{ value | string | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %})
group by {{ column }}
{%- set ns.union_all = "union all\n" %}
{%- endfor %}
{%- for column, bounds in value_between.items() %}
{{ ns.union_all }}select 'value_between', '{{ column }}', cast({{ column }} as varchar), 1
from {{ model }}
where {{ column }} is not null and ({{ column }} < {{ bounds[0] }} or {{ column }} > {{ bounds[1] }})
{%- set ns.union_all = "union all\n" %}
{%- endfor %}
{%- for column, other in not_less_than_column.items() %}
{{ ns.union_all }}select 'not_less_than_column', '{{ column }} >= {{ other }}', cast({{ column }} as varchar) || ' < ' || cast({{ other }} as varchar), 1
from {{ model }}
where {{ column }} is not null and {{ other }} is not null and {{ column }} < {{ other }}
{%- set ns.union_all = "union all\n" %}
{%- endfor %}
{%- for columns in unique_combinations %}
{{ ns.union_all }}select 'unique_combination', '{{ columns | join(", ") }}', concat_ws(', ', {{ columns | join(", ") }}), count(*)
from {{ model }} group by {{ columns | join(", ") }} having count(*) > 1
{%- set ns.union_all = "union all\n" %}
{%- endfor %}
{%- if not ns.union_all %}
select 'none' as failing_check, '' as column_name, '' as value, 0 as n_records where false
{%- endif %}
{% endtest %}
