"""Monthly brief partitions (UTC, from 2024-01) and the as-of rule, in plain Python.

The partitions that exist run from ``FIRST_PARTITION`` to the latest complete month (the Dagster
definition in ``partitions_def.py`` has ``end_offset=0``): ``available_partition`` checks a
requested month against that range and its error names the range.
"""

import calendar
import re
from datetime import UTC, date, datetime

FIRST_PARTITION = "2024-01"
_PARTITION_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_partition(partition: str) -> tuple[int, int]:
    match = _PARTITION_RE.match(partition or "")
    if not match:
        raise ValueError(f"partition {partition!r} is not a month in the form YYYY-MM")
    if partition < FIRST_PARTITION:
        raise ValueError(f"partition {partition} is before the first partition {FIRST_PARTITION}")
    return int(match.group(1)), int(match.group(2))


def month_end(partition: str) -> date:
    """The as-of date of a partition: its last day. Rows dated after it are not used."""
    year, month = parse_partition(partition)
    return date(year, month, calendar.monthrange(year, month)[1])


def latest_complete_month(today: date | None = None) -> str:
    """The month before ``today`` (UTC): the default partition of ``flopcast brief``."""
    today = today or datetime.now(UTC).date()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def previous_partition(partition: str) -> str | None:
    year, month = parse_partition(partition)
    year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    candidate = f"{year:04d}-{month:02d}"
    return candidate if candidate >= FIRST_PARTITION else None


def available_range(today: date | None = None) -> tuple[str, str]:
    """The first and the last partition that exist on ``today`` (UTC)."""
    return FIRST_PARTITION, latest_complete_month(today)


def available_partition(partition: str, today: date | None = None) -> str:
    """``partition`` if it is a brief month that exists on ``today``; otherwise a ValueError that
    says why (malformed, before the first month, the current month not complete yet, a future
    month) and which months exist."""
    first, last = available_range(today)
    months = f"the months are {first} to {last}, the latest complete one"
    if not _PARTITION_RE.match(partition or ""):
        raise ValueError(f"{partition!r} is not a month in the form YYYY-MM; {months}")
    if partition < first:
        raise ValueError(f"{partition} is before the first month {first}; {months}")
    if partition > last:
        today = today or datetime.now(UTC).date()
        current = f"{today.year:04d}-{today.month:02d}"
        why = ("is the current month, not complete yet" if partition == current
               else "is in the future")
        raise ValueError(f"{partition} {why}; {months}")
    return partition
