"""Unit constants and conversions: one place for every factor the model uses.

Conversions between the model's units come with their inverses, so the tests check that units
round-trip (MODEL.md, "Checks that must always hold"). Arguments may be scalars or numpy arrays
(broadcast as given).
"""

import numpy as np

SECONDS_PER_HOUR = 3600.0
HOURS_PER_YEAR = 8760.0
DAYS_PER_YEAR = 365.25
WATTS_PER_GIGAWATT = 1e9
WH_PER_TWH = 1e12
KWH_PER_TWH = 1e9
MILLION = 1e6


def per_second_to_per_hour(rate_per_s):
    """A rate per second (FLOP/s, tokens/s) as the amount per hour."""
    return rate_per_s * SECONDS_PER_HOUR


def flop_to_accelerator_hours(flop, peak_flop_per_s, utilisation):
    """Accelerator-hours to execute ``flop`` on chips of ``peak_flop_per_s`` at ``utilisation``."""
    return flop / per_second_to_per_hour(peak_flop_per_s * utilisation)


def accelerator_hours_to_flop(hours, peak_flop_per_s, utilisation):
    """Inverse of :func:`flop_to_accelerator_hours`."""
    return hours * per_second_to_per_hour(peak_flop_per_s * utilisation)


def hours_to_installed(hours, availability):
    """Installed accelerators needed to deliver ``hours`` in a year at ``availability``
    (share of the year a chip is allocated to work)."""
    return hours / (HOURS_PER_YEAR * availability)


def installed_to_hours(installed, availability):
    """Accelerator-hours ``installed`` chips deliver per year at ``availability`` (inverse of
    :func:`hours_to_installed`; with a number of years for ``installed``: the hours one chip
    delivers over them)."""
    return installed * HOURS_PER_YEAR * availability


def h100e_per_chip(peak_flop_per_s, reference_peak_flop_per_s):
    """H100-equivalents of one chip: its dense BF16 peak over the reference (H100) chip's."""
    return peak_flop_per_s / reference_peak_flop_per_s


def watt_hours_to_twh(watt_hours):
    return watt_hours / WH_PER_TWH


def twh_to_watt_hours(twh):
    return twh * WH_PER_TWH


def twh_to_kwh(twh):
    return twh * KWH_PER_TWH


def watts_to_gw(watts):
    return watts / WATTS_PER_GIGAWATT


def gw_to_watts(gw):
    return gw * WATTS_PER_GIGAWATT


def tokens_per_day_to_per_year(tokens_per_day):
    return tokens_per_day * DAYS_PER_YEAR


def tokens_per_year_to_per_day(tokens_per_year):
    return tokens_per_year / DAYS_PER_YEAR


def usd_per_million_tokens(usd, tokens):
    """The cost of a million tokens when ``tokens`` cost ``usd``."""
    return usd / tokens * MILLION


def growth_to_log10_slope(growth_per_year):
    """A growth factor per year (e.g. 4.7x) as the slope of log10(quantity) per year."""
    return np.log10(growth_per_year)


def log10_slope_to_growth(slope):
    return 10.0**slope
