"""The project's Dagster instance configs (the local one `flopcast` copies into DAGSTER_HOME and
the deployed, Postgres-backed one) load, with telemetry and the first-visit 'join the community'
pop-up (Dagster's 'nux') off."""

import shutil

import pytest
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from orchestration.settings import PROJECT_ROOT

LOCAL = PROJECT_ROOT / "orchestration" / "dagster.yaml"
DEPLOYED = PROJECT_ROOT / "deploy" / "dagster.yaml"


def _home_with(tmp_path, config):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(config, home / "dagster.yaml")
    return home


def test_local_instance_turns_the_pop_up_and_telemetry_off(tmp_path):
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(_home_with(tmp_path, LOCAL)))) as instance:
        assert not instance.is_ephemeral
        assert instance.nux_enabled is False  # what the webserver asks before showing the pop-up
        assert instance.telemetry_enabled is False


@pytest.fixture
def postgres_variables(monkeypatch):
    for name, value in {"DAGSTER_PG_HOST": "db.invalid", "DAGSTER_PG_PORT": "5432", "DAGSTER_PG_USER": "u",
                        "DAGSTER_PG_PASSWORD": "p", "DAGSTER_PG_DB": "dagster"}.items():
        monkeypatch.setenv(name, value)


def test_deployed_instance_config_turns_the_pop_up_and_telemetry_off(tmp_path, postgres_variables):
    # The config is validated against Dagster's instance schema (no database is contacted).
    ref = InstanceRef.from_dir(str(_home_with(tmp_path, DEPLOYED)))
    assert ref.settings["nux"] == {"enabled": False}
    assert ref.settings["telemetry"] == {"enabled": False}
    assert "postgres" in ref.run_storage_data.module_name


def test_an_existing_home_gets_the_projects_instance_config_and_an_operators_is_left_alone(tmp_path, monkeypatch):
    from orchestration.cli import DAGSTER_YAML_TEMPLATE, ensure_dagster_home
    from orchestration.settings import load_settings

    settings = load_settings({"FLOPCAST_HOME": str(tmp_path / "home")})
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    old = settings.dagster_home / "dagster.yaml"
    old.parent.mkdir(parents=True)
    old.write_text("telemetry:\n  enabled: false\n")  # a home made before the pop-up was turned off
    ensure_dagster_home(settings)
    assert old.read_bytes() == DAGSTER_YAML_TEMPLATE.read_bytes()

    operators = tmp_path / "operator_home"
    operators.mkdir()
    (operators / "dagster.yaml").write_text("storage: {}\n")
    monkeypatch.setenv("DAGSTER_HOME", str(operators))
    ensure_dagster_home(settings)
    assert (operators / "dagster.yaml").read_text() == "storage: {}\n"
