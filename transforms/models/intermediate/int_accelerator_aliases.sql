-- The alias seed (seeds/accelerator_aliases.csv) with the form it is matched in: a 'raw' alias is
-- compared with the source's name lower-cased and trimmed; a 'key' alias with the normalised name
-- key (macro accelerator_name_key), so one row covers every spelling that normalises alike.
select
    alias,
    lower(trim(match_on))                        as match_on,
    case lower(trim(match_on))
        when 'raw' then lower(trim(alias))
        else {{ accelerator_name_key('alias') }}
    end                                          as alias_norm,
    lower(trim(accelerator_id))                  as accelerator_id,
    reason
from {{ ref('accelerator_aliases') }}
