"""Settings from FLOPCAST_* variables: defaults, paths, the checked options and their one-line errors."""

import re
from pathlib import Path

import pytest

from orchestration import faults
from orchestration.settings import ENV, PROJECT_ROOT, PUBLISHERS_DIR, SNAPSHOT_DIR, load_settings
from reports.mail_settings import MAIL_ENV


def test_defaults_and_the_warehouse_under_home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.home == PROJECT_ROOT / "var" and settings.duckdb_path == PROJECT_ROOT / "var" / "warehouse.duckdb"
    assert (settings.source_mode, settings.mirror_dir) == ("bundled", None)
    assert (settings.snapshot_dir, settings.publishers_dir) == (SNAPSHOT_DIR, PUBLISHERS_DIR)
    assert (settings.http_timeout_s, settings.http_retries, settings.http_backoff_s) == (30.0, 3, 1.0)
    assert (settings.model_draws, settings.revision_months) == (None, 12)
    moved = load_settings({"FLOPCAST_HOME": "state", "FLOPCAST_MIRROR_DIR": "~/mirror", "FLOPCAST_SOURCE_MODE": " Mirror "})
    assert moved.home == tmp_path.resolve() / "state" and moved.duckdb_path == moved.home / "warehouse.duckdb"
    assert moved.lock_path == moved.home / "run.lock" and moved.briefs_dir == moved.home / "briefs"
    assert moved.mirror_dir == Path("~/mirror").expanduser().resolve() and moved.source_mode == "mirror"
    assert load_settings({"FLOPCAST_HOME": "state", "FLOPCAST_DUCKDB": "w.duckdb"}).duckdb_path == tmp_path.resolve() / "w.duckdb"


def test_an_explicit_mapping_replaces_the_process_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOPCAST_MODEL_DRAWS", "4000")
    monkeypatch.setenv("FLOPCAST_DUCKDB", str(tmp_path / "elsewhere.duckdb"))
    assert load_settings().model_draws == 4000 and load_settings().duckdb_path == tmp_path.resolve() / "elsewhere.duckdb"
    settings = load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_MODEL_DRAWS": ""})  # empty: unset
    assert settings.model_draws is None and settings.duckdb_path == tmp_path.resolve() / "warehouse.duckdb"
    monkeypatch.setenv("FLOPCAST_MODEL_DRAWS", "12")
    with pytest.raises(ValueError, match=r"^FLOPCAST_MODEL_DRAWS='12' must be a whole number of at least 100$"):
        load_settings()


def test_model_draws_default_override_and_bad_values(tmp_path):
    assert load_settings({"FLOPCAST_HOME": str(tmp_path)}).model_draws is None
    assert load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_MODEL_DRAWS": "20000"}).model_draws == 20000
    for bad in ("12.5", "abc", "50", "-3"):
        with pytest.raises(ValueError, match="FLOPCAST_MODEL_DRAWS"):
            load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_MODEL_DRAWS": bad})


@pytest.mark.parametrize("variable, value, message", [
    ("FLOPCAST_MODEL_DRAWS", "50", "FLOPCAST_MODEL_DRAWS='50' must be a whole number of at least 100"),
    ("FLOPCAST_MODEL_DRAWS", "abc", "FLOPCAST_MODEL_DRAWS='abc' must be a whole number of at least 100"),
    ("FLOPCAST_REVISION_MONTHS", "37", "FLOPCAST_REVISION_MONTHS='37' must be a whole number from 1 to 36"),
    ("FLOPCAST_SOURCE_MODE", " Cloud ", "FLOPCAST_SOURCE_MODE='cloud' is not one of bundled, mirror, live"),
    ("FLOPCAST_HTTP_TIMEOUT_S", "soon", "FLOPCAST_HTTP_TIMEOUT_S='soon' is not a number"),
    ("FLOPCAST_HTTP_BACKOFF_S", "-1", "FLOPCAST_HTTP_BACKOFF_S='-1' must not be negative"),
    ("FLOPCAST_HTTP_RETRIES", "2.5", "FLOPCAST_HTTP_RETRIES='2.5' is not a whole number"),
])
def test_a_bad_value_is_one_line_naming_the_variable_and_the_value(variable, value, message):
    with pytest.raises(ValueError) as caught:
        load_settings({variable: value})
    assert str(caught.value) == message and type(caught.value) is ValueError


def test_env_example_lists_every_variable_the_code_reads():
    listed = set(re.findall(r"^(FLOPCAST_\w+)=", (PROJECT_ROOT / ".env.example").read_text(), re.MULTILINE))
    assert {*ENV.values(), *MAIL_ENV.values(), faults.ENV} <= listed
    read = set()
    for folder in ("orchestration", "reports", "models", "common", "bench", "transforms", "tests", "deploy"):
        for path in (PROJECT_ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".yml", ".yaml", ".sql", ".sh") and "target" not in path.parts:
                read |= set(re.findall(r"\bFLOPCAST_[A-Z_]*[A-Z]\b", path.read_text(errors="replace")))
    assert read <= listed, sorted(read - listed)
