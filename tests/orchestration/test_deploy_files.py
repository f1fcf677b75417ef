"""The deployment templates in deploy/ agree with each other: the webserver stays on loopback (Dagster
has no login), the schema is migrated before the webserver and the daemon start, the daemon starts
after the webserver, both reach the code through the code server's port, and the code server's
environment file names every variable the code reads (FLOPCAST_* in .env.example)."""

import configparser
import re

import yaml

from orchestration.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(DEPLOY / "systemd" / f"flopcast-{name}.service")
    return unit


def _after(name: str) -> set[str]:
    return set(_unit(name)["Unit"].get("After", "").split())


def test_webserver_listens_on_loopback_only():
    command = _unit("webserver")["Service"]["ExecStart"].split()
    assert command[command.index("-h") + 1] == "127.0.0.1"
    assert "-w" in command and command[command.index("-w") + 1] == "deploy/workspace.yaml"


def test_schema_is_migrated_first_and_the_daemon_starts_after_the_webserver():
    assert _unit("migrate")["Service"]["ExecStart"].endswith("dagster instance migrate")
    assert _unit("migrate")["Service"]["Type"] == "oneshot"
    for name in ("webserver", "daemon", "code-server"):
        assert "flopcast-migrate.service" in _after(name)
        assert "flopcast-migrate.service" in _unit(name)["Unit"]["Requires"]
    assert "flopcast-webserver.service" in _after("daemon")


def test_webserver_and_daemon_reach_the_code_server_port():
    command = _unit("code-server")["Service"]["ExecStart"].split()
    port = int(command[command.index("-p") + 1])
    [location] = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())["load_from"]
    assert location["grpc_server"]["port"] == port and location["grpc_server"]["location_name"] == "flopcast"
    assert "-w deploy/workspace.yaml" in _unit("daemon")["Service"]["ExecStart"]


def test_environment_file_lists_the_instance_and_mail_variables():
    listed = set(re.findall(r"^([A-Z_]+)=", (DEPLOY / "flopcast.env.example").read_text(), re.MULTILINE))
    assert {"DAGSTER_HOME", "DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD",
            "DAGSTER_PG_DB", "FLOPCAST_HOME", "FLOPCAST_SMTP_HOST", "FLOPCAST_SMTP_CA_FILE",
            "FLOPCAST_OPERATOR_EMAIL", "FLOPCAST_UI_URL"} <= listed
