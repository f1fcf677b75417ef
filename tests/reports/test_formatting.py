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


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1e-5, "1×10⁻⁵"), (1.234e-5, "1.23×10⁻⁵"), (-2e-4, "-2×10⁻⁴"), (0.00123, "0.00123"), (0, "0"),
     (0.4, "0.4"), (3.46e10, "34.6 billion"), (None, "n/a")],
)
def test_driver_values_below_a_thousandth_print_in_scientific_notation(value, expected):
    from reports.formatting import format_quantity

    assert format_quantity(value) == expected


def test_a_driver_prints_as_its_label_never_its_code_name():
    from reports.formatting import driver_text

    assert driver_text("training_mfu") == "Training MFU"
    assert driver_text("it_capex_usd_per_gw", "unit") == "IT capex per GW (US$)"
    assert driver_text("training_mfu", "unit") == "Training MFU"  # a share needs no unit
    assert driver_text("training_mfu", "sentence") == "training MFU"
    assert driver_text("rd_to_final_ratio", "sentence") == "R&D-to-final-run compute ratio"
    assert driver_text("pue", "sentence") == "PUE"
    with pytest.raises(KeyError):
        driver_text("serving_utilisation")


def test_driver_names_in_model_notes_read_as_labels():
    from reports.formatting import driver_names_as_labels

    note = "One lab against the split; rd_to_final_ratio cites the same source (x pue; settings.pue; other_ai)."
    assert driver_names_as_labels(note) == (
        "One lab against the split; R&D-to-final-run compute ratio cites the same source (x PUE; settings.pue; other_ai).")
