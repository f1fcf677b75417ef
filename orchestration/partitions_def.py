"""The Dagster partitions of the monthly brief (the plain rules live in `partitions.py`)."""

from dagster import MonthlyPartitionsDefinition

from orchestration.partitions import FIRST_PARTITION

# Keys are "YYYY-MM"; the last partition is the latest complete month (end_offset=0).
monthly_partitions = MonthlyPartitionsDefinition(
    start_date=FIRST_PARTITION, fmt="%Y-%m", timezone="UTC", end_offset=0
)
