"""Unit constants and conversions: one place for every factor the model uses."""

import math

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

WH_PER_TWH = 1e12
DAYS_PER_YEAR = 365.25


def flop_to_accelerator_hours(flop, peak_flop_per_s, utilisation):
    """Accelerator-hours to execute ``flop`` on chips of ``peak_flop_per_s`` at ``utilisation``."""
    return flop / (peak_flop_per_s * utilisation * SECONDS_PER_HOUR)


def accelerator_hours_to_flop(hours, peak_flop_per_s, utilisation):
    """Inverse of :func:`flop_to_accelerator_hours`."""
    return hours * peak_flop_per_s * utilisation * SECONDS_PER_HOUR


def hours_to_installed(hours, availability):
    """Installed accelerators needed to deliver ``hours`` in a year at ``availability``
    (share of the year a chip is allocated to work)."""
    return hours / (HOURS_PER_YEAR * availability)


def installed_to_hours(installed, availability):
    return installed * HOURS_PER_YEAR * availability


def watt_hours_to_twh(watt_hours):
    return watt_hours / WH_PER_TWH


def twh_to_watt_hours(twh):
    return twh * WH_PER_TWH


def watts_to_gw(watts):
    return watts / WATTS_PER_GIGAWATT


def gw_to_watts(gw):
    return gw * WATTS_PER_GIGAWATT


def tokens_per_day_to_per_year(tokens_per_day):
    return tokens_per_day * DAYS_PER_YEAR


def tokens_per_year_to_per_day(tokens_per_year):
    return tokens_per_year / DAYS_PER_YEAR


def growth_to_log10_slope(growth_per_year):
    """A growth factor per year (e.g. 4.7x) as the slope of log10(quantity) per year."""
    return math.log10(growth_per_year)


def log10_slope_to_growth(slope):
    return 10.0**slope
