{#- Fails on every row where `expression` is not true (a null result fails too, unless the
    expression handles nulls). Usable on a model or a column (the column is ignored). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
