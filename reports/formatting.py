"""The one number formatter: templates, emails, metrics and tests all format through here."""

import math

_SI = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]

# Units that read best with an SI prefix ("989 TFLOP/s", "3.35 TB/s", "80 GB").
SI_UNITS = {"FLOP/s": "FLOP/s", "FLOP": "FLOP", "B": "B", "B/s": "B/s", "W": "W", "Wh": "Wh", "OP/s": "OP/s"}


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value, sig: int = 3) -> str:
    """Round to ``sig`` significant figures, with thousands separators; 'n/a' when missing."""
    if _is_missing(value):
        return "n/a"
    value = float(value)
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(sig - 1 - magnitude, 0)
    rounded = round(value, decimals)
    if decimals == 0:
        return f"{int(round(rounded, sig - 1 - magnitude)):,}"
    return f"{rounded:,.{decimals}f}".rstrip("0").rstrip(".")


def format_si(value, unit: str, sig: int = 3) -> str:
    """'9.894e14, FLOP/s' -> '989 TFLOP/s'. Units outside ``SI_UNITS`` are printed plainly."""
    if _is_missing(value):
        return "n/a"
    if unit in SI_UNITS:
        for factor, prefix in _SI:
            if abs(float(value)) >= factor:
                return f"{format_number(float(value) / factor, sig)} {prefix}{unit}"
    return f"{format_number(value, sig)} {unit}".rstrip()


def format_percent(share, sig: int = 2) -> str:
    """0.4123 -> '41%'."""
    if _is_missing(share):
        return "n/a"
    return f"{format_number(100 * float(share), sig)}%"
