"""`flopcast` run as a program freezes the garbage collector when its command returns, so the
interpreter's exit does not walk Dagster's object graph (over a second after a run); a caller of
``main([...])`` (the tests, the bench) keeps its collector."""

import gc

import pytest

from orchestration import cli


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_program_freezes_the_collector_when_its_command_returns(unfrozen, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["flopcast", "ingest", "--source", "no_such_source"])
    assert cli.main() == 1  # a failure is still a clean return, before any Dagster run
    assert "unknown source(s) no_such_source" in capsys.readouterr().err
    assert gc.get_freeze_count() > 0


def test_a_caller_of_main_keeps_its_collector(unfrozen, capsys):
    assert cli.main(["ingest", "--source", "no_such_source"]) == 1
    assert gc.get_freeze_count() == 0
