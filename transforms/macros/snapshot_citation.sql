{#- The citation every row of flopcast's compiled snapshot carries, the same way in every staging
    model: its primary source URL and retrieval date and the landing file it was loaded from, after
    the row's free-text notes (``notes_column``: the table's notes column, or none). -#}
{% macro snapshot_citation(notes_column='notes') %}
{%- if notes_column %}
    {{ notes_column }},
{%- endif %}
    source_url,
    retrieved,
    _landing_sha256                     as landing_sha256
{%- endmacro %}
