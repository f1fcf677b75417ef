"""Schedules: the monthly brief (on the 1st, for the previous month) and a weekly ingest refresh.

Both are RUNNING by default, so the daemon started by `make ui` (dagster dev) picks them up.
"""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    build_schedule_from_partitioned_job,
    define_asset_job,
)


SOURCES = AssetSelection.groups("sources")
DELIVERY = AssetSelection.groups("delivery")

# `flopcast brief`: everything up to the PDF, no email.
brief_job = define_asset_job(
    "brief_job",
    selection=AssetSelection.all() - DELIVERY,
    description="Ingest, build the warehouse, run the model and render the brief for one month.",
)

# The scheduled run: the same, then the email.
monthly_brief_job = define_asset_job(
    "monthly_brief_job",
    selection=AssetSelection.all(),
    description="The monthly run: brief_job plus email delivery of the brief.",
)

ingest_job = define_asset_job(
    "ingest_job",
    selection=SOURCES,
    description="Refresh every source into the landing area and raw tables (mode from FLOPCAST_SOURCE_MODE).",
)

# Runs on the 1st at 06:00 UTC for the month that just ended (the partition's end).
monthly_brief_schedule = build_schedule_from_partitioned_job(
    monthly_brief_job,
    name="monthly_brief_schedule",
    hour_of_day=6,
    minute_of_hour=0,
    default_status=DefaultScheduleStatus.RUNNING,
    description="On the 1st of each month, 06:00 UTC: the previous month's brief, then email.",
)

weekly_ingest_schedule = ScheduleDefinition(
    name="weekly_ingest_schedule",
    job=ingest_job,
    cron_schedule="0 5 * * 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Mondays 05:00 UTC: refresh all sources (live sources fall back to the last good file).",
)

schedules = [monthly_brief_schedule, weekly_ingest_schedule]
jobs = [brief_job, monthly_brief_job, ingest_job]
