"""Timestamps as the project records them: UTC, whole seconds, ISO 8601 with a ``Z``."""

from datetime import UTC, datetime


def utc_now_iso() -> str:
    """Now, e.g. ``2025-07-01T06:00:00Z``."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
