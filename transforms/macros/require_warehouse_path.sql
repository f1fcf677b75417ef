{#- Refuse to run against an unnamed (in-memory) database: the path must come from
    FLOPCAST_DUCKDB or the `duckdb_path` var, as an absolute path. -#}
{% macro require_warehouse_path() %}
  {% if execute and target.type == 'duckdb' and (target.path in ('', ':memory:') or not modules.re.match('^/|^md:', target.path)) %}
    {{ exceptions.raise_compiler_error("No warehouse path: set FLOPCAST_DUCKDB to an absolute path (the flopcast commands do this), got '" ~ target.path ~ "'") }}
  {% endif %}
  select 1
{% endmacro %}
