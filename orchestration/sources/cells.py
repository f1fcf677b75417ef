"""One-cell parsers for ``tabular`` (number, date, bool) and the limits a file's cells are read under.

Numbers have one spelling, with no locale guessing: plain decimal or scientific notation,
optionally signed, surrounding whitespace allowed. Thousands separators, decimal commas, units,
'_' digit separators, inf/nan, overflow, a non-zero literal that underflows to 0 and a literal
longer than ``ParseLimits.max_number_chars`` are refused with the reason (the caller quarantines
the row, naming file, row and column).
"""

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on what one file may ask of the parser (``Settings``: ``FLOPCAST_MAX_JSON_DEPTH``,
    ``FLOPCAST_MAX_NUMBER_CHARS``). The defaults are the settings' defaults."""

    max_json_depth: int = 32
    max_number_chars: int = 100


_LIMITS: ContextVar[ParseLimits] = ContextVar("flopcast_parse_limits", default=ParseLimits())


@contextmanager
def limits(value: ParseLimits) -> Iterator[ParseLimits]:
    """Parse with ``value`` inside the block (ingest sets the run's settings here)."""
    token = _LIMITS.set(value)
    try:
        yield value
    finally:
        _LIMITS.reset(token)


def current_limits() -> ParseLimits:
    return _LIMITS.get()


# The one spelling of a number cell: plain decimal or scientific notation, optionally signed
# (the caller strips surrounding whitespace). No thousands separators, decimal commas or units:
# nothing is guessed.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
NONZERO_MANTISSA = r"^[^eE]*[1-9]"
BOOL_TRUE = {"true", "t", "yes", "y", "1"}
BOOL_FALSE = {"false", "f", "no", "n", "0"}


def parse_number(text: str) -> float:
    """'1.33E+11', ' 42 ', '-.5' -> float. Raises ValueError (saying why) on anything else:
    thousands separators or decimal commas ('1,234.5', '3,35'), units ('3.35 TB/s'), a literal
    longer than ``ParseLimits.max_number_chars``, one that overflows (or is inf/nan) and a
    non-zero one that underflows to 0."""
    stripped = text.strip()
    longest = current_limits().max_number_chars
    if len(stripped) > longest:
        raise ValueError(f"{stripped[:20]!r}... is {len(stripped):,} characters long; a number is "
                         f"at most {longest} (FLOPCAST_MAX_NUMBER_CHARS)")
    if not PLAIN_NUMBER.fullmatch(stripped):
        raise ValueError(f"{stripped!r} is not a plain number{_why_not_plain(stripped)}")
    value = float(stripped)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number (too large for a double)")
    if value == 0 and re.match(NONZERO_MANTISSA, stripped):
        raise ValueError(f"{stripped!r} is too small for a double: it would be read as 0")
    return value


_WHY_NOT_PLAIN = ((",", " (a comma: thousands separators, decimal commas and lists of values are not read;"
                        " write e.g. 1234.5 or 1.2345e3)"), ("_", " (digit separators '_' are not read)"))


def _why_not_plain(text: str) -> str:
    hint = next((why for mark, why in _WHY_NOT_PLAIN if mark in text), "")
    return hint or (" (a unit or other text after the number?)" if re.match(r"[+-]?\.?\d", text) else "")


def parse_date(text: str) -> date:
    """ISO 'YYYY-MM-DD' (optionally with a time part) or spreadsheet 'M/D/YYYY'."""
    stripped = text.strip()
    if "/" in stripped:
        return datetime.strptime(stripped.split(" ")[0], "%m/%d/%Y").date()
    return date.fromisoformat(stripped[:10])


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in BOOL_TRUE:
        return True
    if lowered in BOOL_FALSE:
        return False
    raise ValueError(f"{text!r} is not true/false")


