-- Where the bundled snapshot and Epoch disagree beyond tolerance on the same chip: both values,
-- their ratio and the tolerance, kept visible (the snapshot's figure is the one published in
-- dim_accelerator). Expected to be non-empty: some pairs measure different things (clock, SKU,
-- power rating; see data/snapshot/SOURCES.md) - a rate pair beyond 1.5x is also a sparse suspect.
select *
from {{ ref('int_accelerator_spec_comparisons') }}
where not within_tolerance
