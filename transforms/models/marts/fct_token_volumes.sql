-- Disclosed token volumes, one row per disclosure: the bundled snapshot's disclosures plus Epoch AI
-- usage reports that give daily tokens. Precedence: the snapshot wins; an Epoch report is left out
-- when it restates a snapshot disclosure - same provider (first word, lower-case), tokens per day
-- within a factor 1.5, and the Epoch figure dated within 31 days of the snapshot's window or its
-- report date within 31 days of the snapshot's disclosure date (e.g. Google "480T monthly
-- tokens" appears in both). Epoch rows are daily rates on `figure_date` (period_start =
-- period_end = that date, period_unit 'day'); Epoch converts words to tokens where needed.
with snapshot as (
    select
        disclosure_id,
        provider,
        period_start,
        period_end,
        period_days,
        period_unit,
        tokens,
        tokens_per_day,
        metric,
        scope,
        disclosed_on,
        'snapshot' as record_source,
        source_url
    from {{ ref('stg_snapshot_token_volumes') }}
),
epoch as (
    select
        'epoch-' || {{ slugify('report_id') }} || '-' || strftime(figure_date, '%Y%m%d') as disclosure_id,
        company as provider,
        figure_date as period_start,
        figure_date as period_end,
        1 as period_days,
        'day' as period_unit,
        tokens_per_day as tokens,
        tokens_per_day,
        'tokens_processed' as metric,
        product as scope,
        coalesce(report_date, figure_date) as disclosed_on,
        'epoch_usage_reports' as record_source,
        source_url
    from {{ ref('stg_epoch_ai_companies_usage_reports') }}
    where tokens_per_day is not null
),
restated as (
    select distinct e.disclosure_id
    from epoch e
    join snapshot s
      on lower(split_part(s.provider, ' ', 1)) = lower(split_part(e.provider, ' ', 1))
     and s.tokens_per_day is not null
     and greatest(e.tokens_per_day, s.tokens_per_day) <= 1.5 * least(e.tokens_per_day, s.tokens_per_day)
     and (e.period_end between s.period_start - interval 31 day and s.period_end + interval 31 day
          or e.disclosed_on between s.disclosed_on - interval 31 day and s.disclosed_on + interval 31 day)
)
select * from snapshot
union all
select * from epoch where disclosure_id not in (select disclosure_id from restated)
