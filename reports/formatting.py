"""The one number formatter: templates, emails, metrics and tests all format through here; and
how a driver reads (its registry label, :func:`models.driver_registry.driver_label`, never its code
name)."""

import math
import re

import pandas as pd

from models.driver_registry import DRIVERS, driver_label

_SI = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]

# Units that read best with an SI prefix ("989 TFLOP/s", "3.35 TB/s", "80 GB").
SI_UNITS = {"FLOP/s": "FLOP/s", "FLOP": "FLOP", "B": "B", "B/s": "B/s", "W": "W", "Wh": "Wh", "OP/s": "OP/s"}


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as dicts for templates and metrics.json, a missing value as None (NaN is
    truthy in a template and prints "nan"; JSON has no NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


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


_WORDS = [(1e15, "quadrillion"), (1e12, "trillion"), (1e9, "billion"), (1e6, "million")]
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_count(value, unit: str = "", sig: int = 3) -> str:
    """Large counts in words investors read: 1.9e13 -> '19 trillion'."""
    if _is_missing(value):
        return "n/a"
    for factor, word in _WORDS:
        if abs(float(value)) >= factor:
            return f"{format_number(float(value) / factor, sig)} {word} {unit}".rstrip()
    return f"{format_number(value, sig)} {unit}".rstrip()


def format_usd(value, sig: int = 3) -> str:
    """'$12.3 billion', '$4.81'."""
    if _is_missing(value):
        return "n/a"
    sign = "-" if float(value) < 0 else ""
    return sign + "$" + format_count(abs(float(value)), sig=sig)


def format_sci(value, sig: int = 2) -> str:
    """Scientific notation for physical magnitudes: 3.8e25 -> '3.8×10²⁵'."""
    if _is_missing(value):
        return "n/a"
    value = float(value)
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    if round(mantissa, sig - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{format_number(mantissa, sig)}×10{str(exponent).translate(_SUPERSCRIPT)}"


def format_quantity(value) -> str:
    """Driver values: plain from 0.001 to a million, in words above (3.46e10 -> '34.6 billion'),
    in scientific notation below (1e-5 -> '1×10⁻⁵', not '0.00001')."""
    if _is_missing(value):
        return "n/a"
    size = abs(float(value))
    if size >= 1e6:
        return format_count(value)
    if 0 < size < 1e-3:
        return format_sci(value, sig=3)
    return format_number(value)


# A driver's unit as it reads beside its label in a table without a unit column; the units a label
# or its number already says (shares, ratios, growth per year, counts it names) are left out.
LABEL_UNITS = {"USD": "US$", "USD/h": "US$", "USD/GW": "US$", "USD/kWh": "US$ per kWh", "tokens": "tokens",
               "years": "years", "1/context token": "per context token"}


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lower case unless the first word is an acronym
    ('Training MFU' -> 'training MFU'; 'PUE', 'R&D-to-final-run compute ratio' unchanged)."""
    first = re.split(r"[\s-]", label, maxsplit=1)[0]
    if sum(c.isupper() for c in first) > 1 or any(c.isdigit() or c in "$&" for c in first):
        return label
    return label[:1].lower() + label[1:]


def driver_text(name: str, form: str = "label") -> str:
    """A driver as the brief prints it, from its registry label (never its code name): ``label`` in
    a table with a unit column ('IT capex per GW'); ``unit`` with its unit where the table has
    none ('IT capex per GW (US$)'); ``sentence`` inside a sentence ('training MFU')."""
    label = driver_label(name)
    if form == "label":
        return label
    if form == "unit":
        unit = LABEL_UNITS.get(DRIVERS[name].unit)
        return f"{label} ({unit})" if unit else label
    if form == "sentence":
        return in_sentence(label)
    raise ValueError(f"unknown form {form!r} (label, unit or sentence)")


_DRIVER_NAME = re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, DRIVERS), key=len, reverse=True))
                          + r")(?!\w)")


def driver_names_as_labels(text) -> str:
    """Free text from the model (a note) with every driver code name in it replaced by its label:
    '... rd_to_final_ratio cites ...' -> '... R&D-to-final-run compute ratio cites ...'."""
    return _DRIVER_NAME.sub(lambda m: in_sentence(driver_label(m.group(1))), str(text))
