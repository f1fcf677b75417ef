"""User scenario files written for tests, and the check that a bad one is refused by name."""

import pytest
import yaml

from models.config import ScenarioError, load_scenario


def write_scenario(tmp_path, data, name="user.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def assert_refused(path, needles):
    """Loading ``path`` fails with a message holding every one of ``needles`` (file, key, reason)."""
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
