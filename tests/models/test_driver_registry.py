"""The driver registry's reader labels: every driver has one, and the methodology names drivers by
what they are, never by their code names."""

import re

import pytest

from models.driver_registry import DRIVERS, driver_label
from models.run import METHODOLOGY


def test_every_driver_has_a_reader_label():
    labels = {name: spec.label for name, spec in DRIVERS.items()}
    assert all(label.strip() == label and label for label in labels.values()), labels
    assert not [label for label in labels.values() if "_" in label]
    assert all(label[0].isupper() for label in labels.values()), "a label starts with a capital"
    assert len(set(labels.values())) == len(labels), "two drivers with one label"
    assert driver_label("training_mfu") == "Training MFU" and driver_label("pue") == "PUE"


def test_an_unknown_driver_has_no_label():
    with pytest.raises(KeyError, match="did you mean 'prefill_utilisation'"):
        driver_label("serving_utilisation")


def test_methodology_names_no_driver_or_table_by_its_code_name():
    named = [name for name in DRIVERS if re.search(rf"(?<![\w.]){name}(?!\w)", METHODOLOGY)]
    assert not named
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", METHODOLOGY)  # nor a bucket (served_fraction, other_ai)
