"""Safe text for readers: what the project writes for people (the brief's HTML and PDF, its email,
``metrics.json`` and the CSV files behind the charts) carries no text that acts on the reader's tools.

Two rules, each written once here:

- **Bidirectional controls are stripped** (:func:`strip_bidi`, :func:`without_bidi`): the embeddings,
  overrides and isolates U+202A-U+202E and U+2066-U+2069, and the marks U+200E, U+200F and U+061C.
  A name from the data holding U+202E (right-to-left override) would otherwise show its text
  reversed in the PDF, the email and a spreadsheet. Stripped, not made visible: the text then shows
  in its stored (logical) order, which is what the data says; right-to-left scripts still display
  right to left (the Unicode bidi algorithm needs no marks for that).
- **Spreadsheet formulas are neutralised in CSV exports** (:func:`spreadsheet_safe`, :func:`to_safe_csv`,
  following OWASP's CSV-injection guidance): a *text* cell starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return gets a leading single quote, so a spreadsheet shows it as text instead
  of evaluating it. Numbers are data, not formulas: numeric columns (a float -0.5) are written as
  they are, and so is a text cell that is exactly one plain decimal number (``"-3"``, ``"+1.5e6"``):
  a spreadsheet reads it as that number and can evaluate nothing in it. Anything more (``"-3+A1"``,
  ``"-"``, ``"-3%"``) is quoted. Bidi controls are stripped first, so a control cannot hide the
  leading ``=``. A carriage return inside a text cell is written as a line feed: pandas' CSV
  writer leaves a lone CR unquoted, and a spreadsheet would start a new row (and a new, unquoted
  first cell) there.
"""

import math
import re

import pandas as pd

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_STRIP = str.maketrans(dict.fromkeys(map(ord, BIDI_CONTROLS)))

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters (the same type: ``Markup`` stays ``Markup``)."""
    if BIDI_CONTROLS.isdisjoint(text):
        return text
    cleaned = str.translate(text, _STRIP)
    return cleaned if type(text) is str else type(text)(cleaned)


def finalize_text(value):
    """A Jinja environment's ``finalize``: every value a template outputs, without bidi controls;
    a missing value (None, NaN) prints as nothing, never as "None" or "nan" (other values as they
    are; autoescaping happens after)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return strip_bidi(value) if isinstance(value, str) else value


def _frame_without_bidi(frame: pd.DataFrame) -> pd.DataFrame:
    changed = {}
    for column in frame.columns:
        series = frame[column]
        if _is_text(series):
            if any(isinstance(v, str) and not BIDI_CONTROLS.isdisjoint(v) for v in series.array):
                changed[column] = series.map(lambda v: strip_bidi(v) if isinstance(v, str) else v,
                                             na_action="ignore")
    if not changed:
        return frame  # nothing to strip: no copy
    frame = frame.copy()
    for column, series in changed.items():
        frame[column] = series
    return frame


def without_bidi(value):
    """``value`` with bidi controls stripped from every string in it: text, and the text cells of
    DataFrames, dicts (keys and values), lists and tuples, recursively. Other values are returned
    as they are; an input with nothing to strip comes back unchanged (frames are not copied)."""
    if isinstance(value, str):
        return strip_bidi(value)
    if isinstance(value, pd.DataFrame):
        return _frame_without_bidi(value)
    if isinstance(value, dict):
        return {without_bidi(k): without_bidi(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_bidi(v) for v in value]
    if isinstance(value, tuple):
        return tuple(without_bidi(v) for v in value)
    return value


def _is_text(values) -> bool:
    """Object, string or categorical values: the ones that may hold text."""
    return (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype))


def neutralise_cell(value):
    """One CSV cell made safe for a spreadsheet: bidi controls stripped from text, and text a
    spreadsheet would evaluate as a formula prefixed with a single quote; a carriage return inside
    it is written as a line feed (the CSV writer quotes a cell holding a line feed, but leaves a
    lone carriage return bare, which a spreadsheet reads as the end of a row). Non-text values
    (numbers, dates, missing values) are returned as they are."""
    if not isinstance(value, str):
        return value
    value = strip_bidi(value)
    if value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell neutralised (:func:`neutralise_cell`) and every column name
    too; numeric, boolean and date columns untouched."""
    out = frame.copy()
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if _is_text(series):
            out.isetitem(position, series.astype(object).map(neutralise_cell, na_action="ignore"))
    out.columns = [neutralise_cell(c) for c in frame.columns]
    if _is_text(out.index):
        out.index = out.index.map(neutralise_cell)
    return out


def to_safe_csv(frame: pd.DataFrame, **kwargs) -> bytes:
    """``frame`` as UTF-8 CSV bytes (``DataFrame.to_csv`` with ``index=False`` unless told),
    safe to open in a spreadsheet: the one way the project writes a CSV for readers."""
    kwargs.setdefault("index", False)
    return spreadsheet_safe(frame).to_csv(**kwargs).encode()
