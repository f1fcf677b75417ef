"""Unit constants and conversions: one place for every factor the model uses."""

TERA = 1e12
PETA = 1e15
GIGA = 1e9
HOURS_PER_YEAR = 8760.0
SECONDS_PER_HOUR = 3600.0
WATTS_PER_GIGAWATT = 1e9


def flop_per_s_to_tflops(value: float) -> float:
    return value / TERA


def tflops_to_flop_per_s(value: float) -> float:
    return value * TERA
