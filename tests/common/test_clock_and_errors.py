import re
from types import SimpleNamespace

from common.clock import utc_now_iso
from common.errors import root_cause


def test_utc_now_iso_is_whole_seconds_with_a_z():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_now_iso())


def test_root_cause_walks_to_the_innermost_error():
    inner = SimpleNamespace(message="disk full", cause=None)
    outer = SimpleNamespace(message="retries exceeded", cause=SimpleNamespace(message="op failed", cause=inner))
    assert root_cause(outer) is inner
    assert root_cause(inner) is inner
    assert root_cause(None) is None
