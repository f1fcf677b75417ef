import math

import pytest

from reports.formatting import format_number, format_percent, format_si


@pytest.mark.parametrize(
    ("value", "expected"),
    [(295.34, "295"), (47.857, "47.9"), (48.0, "48"), (0.012345, "0.0123"), (1234567, "1,230,000"),
     (0, "0"), (None, "n/a"), (math.nan, "n/a"), (-3.14159, "-3.14")],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_si_units():
    assert format_si(9.894e14, "FLOP/s") == "989 TFLOP/s"
    assert format_si(3.35e12, "B/s") == "3.35 TB/s"
    assert format_si(8e10, "B") == "80 GB"
    assert format_si(700, "W") == "700 W"
    assert format_si(47.857, "tokens/s") == "47.9 tokens/s"


def test_format_percent():
    assert format_percent(0.4123) == "41%"
    assert format_percent(None) == "n/a"


def test_metric_labels_read_as_the_brief_prints_them():
    from reports.metrics import SHARE_LABELS, format_metric

    assert format_metric({"value": 104, "unit": "count"}) == "104"
    assert SHARE_LABELS["flop"] == "FLOP"
