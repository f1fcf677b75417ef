"""Monthly brief partitions (UTC, from 2024-01) and the as-of rule, in plain Python."""

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
