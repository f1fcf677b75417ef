{#-
  Accelerator name normalisation, shared by every source that names a chip (the bundled snapshot,
  Epoch ML Hardware, Epoch `Training hardware`, MLPerf `Accelerator`).

  accelerator_name_key(expr): the *name key*, lower-case words separated by single spaces:
    1. lower-case; drop parenthesised/bracketed parts ("(R)", "(TM)", "(x32)", "(per Blackwell GPU)",
       "[MAXSUN]") - they hold counts, trademarks and asides, not the chip;
    2. punctuation -> space ("H100-SXM5-80GB" -> "h100 sxm5 80gb");
    3. memory sizes -> one token "<n>gb" ("80 GB", "64G", "95 GiB" -> "80gb", "64gb", "95gb");
    4. spelling fixes: "pcle" -> "pcie" (Epoch typo), SXM4/5/6 -> "sxm" (one socket generation per
       chip family; SXM2/SXM3 stay distinct because V100 shipped in both);
    5. vendor and marketing words dropped (nvidia, amd, google, intel, habana, amazon, aws, tesla,
       radeon, instinct, geforce, cloud, gpu, superchip, grace, hopper, trillium, ironwood, hgx,
       dgx, ...), and configuration noise (HBM type, AMD partition mode "nps1 spx", "750w",
       "virtualized", NVIDIA "cts" cooling).
  From the key: memory_token ("80gb" or null), form_factor ("pcie", "sxm", "sxm2", "sxm3", "oam" or
  null) and family_key (the key without memory and form-factor tokens, spaces removed, so
  "gaudi 2" and "gaudi2" agree).
-#}

{% macro accelerator_name_key(expr) -%}
trim(regexp_replace(
  regexp_replace(
    regexp_replace(
      regexp_replace(
        regexp_replace(
          regexp_replace(
            regexp_replace(
              regexp_replace(lower(coalesce({{ expr }}, '')), '\([^)]*\)|\[[^\]]*\]', ' ', 'g'),
              '[^a-z0-9]+', ' ', 'g'),
            '\b([0-9]+) ?(gb|gib|g)\b', '\1gb', 'g'),
          '\bpcle\b', 'pcie', 'g'),
        '\bsxm[456]\b', 'sxm', 'g'),
      '\b(nvidia|amd|google|intel|habana|amazon|aws|huawei|microsoft|meta|alibaba|cambricon|biren|baidu|kunlunxin|metax|cerebras|graphcore|sambanova|tenstorrent|untetherai|maxsun|pezy|sunway|tesla|radeon|instinct|geforce|cloud|gpu|superchip|grace|hopper|trillium|ironwood|hgx|dgx)\b', ' ', 'g'),
    '\b(hbm[0-9]*e?|nps[0-9]+|spx|[0-9]+w|virtualized|cts)\b', ' ', 'g'),
  '\s+', ' ', 'g'))
{%- endmacro %}

{% macro accelerator_memory_token(key) -%}
nullif(regexp_extract({{ key }}, '\b([0-9]+gb)\b', 1), '')
{%- endmacro %}

{% macro accelerator_form_factor(key) -%}
nullif(regexp_extract({{ key }}, '\b(pcie|sxm[0-9]?|oam)\b', 1), '')
{%- endmacro %}

{% macro accelerator_family_key(key) -%}
replace(regexp_replace({{ key }}, '\b([0-9]+gb|pcie|sxm[0-9]?|oam)\b', '', 'g'), ' ', '')
{%- endmacro %}

{#- Lower-case slug: runs of anything but a-z/0-9 become one hyphen, trimmed. -#}
{% macro slugify(expr) -%}
trim(regexp_replace(lower(coalesce({{ expr }}, '')), '[^a-z0-9]+', '-', 'g'), '-')
{%- endmacro %}

{#- Model-name key used to de-duplicate training runs across sources: lower-case, letters and digits
    only ("Llama 3.1 (405B)" and "Llama 3.1-405B" -> "llama31405b"). -#}
{% macro model_name_key(expr) -%}
regexp_replace(lower(coalesce({{ expr }}, '')), '[^a-z0-9]+', '', 'g')
{%- endmacro %}

{#-
  resolve_accelerator_names(names, index, aliases): SQL (a full select) that resolves every row of
  `names` (columns name_raw, name_key, family_key, form_factor, memory_token) to one canonical
  accelerator_id, or to none with a reason.

  1. Alias seed first (authoritative): `aliases` (alias_norm, match_on 'raw'|'key', accelerator_id,
     target_exists). A raw-name alias beats a key alias. An alias whose target is not in the catalogue
     resolves to nothing (reason 'alias target ... not in the catalogue'): never a silent fallback.
  2. Otherwise candidates from `index` (accelerator_id, family_key, form_factor, memory_token,
     from_snapshot): same family key, and form factor and memory compatible: the name gives none,
     or the id's keys name none for that family, or one of the id's keys names the same (so
     'V100 PCIe' does not match nvidia-v100-sxm2, whose keys say SXM2, but plain 'V100' does). Each candidate scores +1 for an equal form factor and +1 for an equal memory size;
     the best-scoring ids win; a tie is broken in favour of the one snapshot id if exactly one is
     from the curated snapshot; anything still tied is ambiguous (listed, not guessed).
  Output columns: name_raw, accelerator_id, match_method ('alias_raw', 'alias_key', 'name_key' or
  null), unmatched_reason (null when resolved), candidate_ids.
-#}
{% macro resolve_accelerator_names(names, index, aliases) %}
with names_ as (
    select distinct name_raw, name_key, family_key, form_factor, memory_token from {{ names }}
),
alias_hits as (
    select
        n.name_raw,
        a.accelerator_id,
        a.target_exists,
        'alias_' || a.match_on as match_method,
        row_number() over (
            partition by n.name_raw
            order by case a.match_on when 'raw' then 0 else 1 end, a.accelerator_id
        ) as pick
    from names_ n
    join {{ aliases }} a
      on (a.match_on = 'raw' and a.alias_norm = lower(trim(n.name_raw)))
      or (a.match_on = 'key' and a.alias_norm = n.name_key)
),
index_ as (
    -- one row per (accelerator_id, family_key): every form factor and memory size its keys name
    select
        accelerator_id,
        family_key,
        coalesce(list_distinct(list(form_factor) filter (where form_factor is not null)), [])   as form_factors,
        coalesce(list_distinct(list(memory_token) filter (where memory_token is not null)), []) as memory_tokens,
        bool_or(from_snapshot)                                                     as from_snapshot
    from {{ index }}
    where family_key <> ''
    group by accelerator_id, family_key
),
candidates as (
    select
        n.name_raw,
        i.accelerator_id,
        max(
            (case when n.form_factor is not null and list_contains(i.form_factors, n.form_factor) then 1 else 0 end)
          + (case when n.memory_token is not null and list_contains(i.memory_tokens, n.memory_token) then 1 else 0 end)
        ) as score,
        bool_or(i.from_snapshot) as from_snapshot
    from names_ n
    join index_ i
      on n.family_key = i.family_key
     and (n.form_factor is null or len(i.form_factors) = 0 or list_contains(i.form_factors, n.form_factor))
     and (n.memory_token is null or len(i.memory_tokens) = 0 or list_contains(i.memory_tokens, n.memory_token))
    group by n.name_raw, i.accelerator_id
),
best as (
    select *
    from candidates
    qualify score = max(score) over (partition by name_raw)
),
best_summary as (
    select
        name_raw,
        count(*) as n_best,
        count(*) filter (where from_snapshot) as n_best_snapshot,
        string_agg(accelerator_id, ', ' order by accelerator_id) as candidate_ids,
        min(accelerator_id) filter (where from_snapshot) as snapshot_pick,
        min(accelerator_id) as only_pick
    from best
    group by name_raw
)
select
    n.name_raw,
    case
        when ah.accelerator_id is not null then (case when ah.target_exists then ah.accelerator_id end)
        when b.n_best = 1 then b.only_pick
        when b.n_best_snapshot = 1 then b.snapshot_pick
    end as accelerator_id,
    case
        when ah.accelerator_id is not null then (case when ah.target_exists then ah.match_method end)
        when b.n_best = 1 or b.n_best_snapshot = 1 then 'name_key'
    end as match_method,
    case
        when ah.accelerator_id is not null and not ah.target_exists
            then 'alias target ' || ah.accelerator_id || ' is not in the accelerator catalogue'
        when ah.accelerator_id is not null then null
        when n.family_key = '' then 'no chip named (nothing left after normalisation)'
        when b.name_raw is null then 'no catalogue accelerator has this name'
        when b.n_best = 1 or b.n_best_snapshot = 1 then null
        else 'ambiguous: ' || b.candidate_ids
    end as unmatched_reason,
    b.candidate_ids
from names_ n
left join alias_hits ah on ah.name_raw = n.name_raw and ah.pick = 1
left join best_summary b on b.name_raw = n.name_raw
{% endmacro %}

{#- The chips a name field lists, as a list of strings: split on commas ('NVIDIA A100,NVIDIA H100
    SXM5 80GB'; MLPerf 'AMD Instinct MI300X ... (x32), AMD Instinct MI325X ... (x16)'), except that a
    string whose unbracketed text has no comma is one name, kept whole with its brackets
    ('NVIDIA H100 (Colossus, Memphis)'). Brackets are dropped from split parts. -#}
{% macro accelerator_name_list(column) -%}
case
    when regexp_replace({{ column }}, '\([^)]*\)', '', 'g') like '%,%'
        then string_split(regexp_replace({{ column }}, '\([^)]*\)', '', 'g'), ',')
    else [{{ column }}]
end
{%- endmacro %}

{#- One row per (source, single accelerator name) with the number of rows using it: `column` may
    list several chips separated by commas; commas inside brackets do not split (a string whose
    unbracketed text has no comma is kept whole). -#}
{% macro split_accelerator_names(source_label, relation, column) %}
    {#- each distinct list is split once (many rows share one: 1.35 s at 100x rows when split per row) #}
    select
        '{{ source_label }}' as source,
        trim(part) as name_raw,
        cast(sum(rows_with_list) as bigint) as row_count
    from (
        select
            {{ accelerator_name_list(column) }} as parts,
            count(*) as rows_with_list
        from {{ relation }}
        where {{ column }} is not null
        group by {{ column }}
    ), unnest(parts) as u(part)
    where trim(part) <> ''
    group by all
{% endmacro %}
