{#- Epoch AI's data-centre fields tag each name with its confidence: 'Oracle #confident',
    'OpenAI #likely, Microsoft #speculative'. For readers: a confident name stands alone, the others
    carry their qualifier in words ('OpenAI (likely)'). -#}
{% macro epoch_confidence_text(column) -%}
regexp_replace(regexp_replace(regexp_replace({{ column }},
    '\s*#confident\b', '', 'g'),
    '\s*#likely\b', ' (likely)', 'g'),
    '\s*#speculative\b', ' (speculative)', 'g')
{%- endmacro %}
