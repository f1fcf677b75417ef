"""`make ui PORT=... HOST=...` reaches `flopcast ui`; without them the defaults (127.0.0.1:3000) hold.
Dry runs of make (`make -n`): nothing is executed."""

import os
import shutil
import subprocess

import pytest

from orchestration.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _ui_command(*variables: str, env: dict | None = None) -> list[str]:
    out = subprocess.run(["make", "-n", "ui", *variables], cwd=PROJECT_ROOT, check=True,
                         capture_output=True, text=True, env={**os.environ, **(env or {})}).stdout
    [line] = [line for line in out.splitlines() if "flopcast ui" in line]
    return line.split("flopcast ui", 1)[1].split()


def test_make_ui_passes_port_and_host():
    assert _ui_command("PORT=3999", "HOST=0.0.0.0") == ["--host", "0.0.0.0", "--port", "3999"]
    assert _ui_command("PORT=3999") == ["--port", "3999"]


def test_make_ui_keeps_the_cli_defaults():
    assert _ui_command() == []


def test_make_ui_ignores_host_and_port_in_the_environment():
    # zsh and tcsh export HOST (the machine's name): the UI has no login, so it stays on loopback
    assert _ui_command(env={"HOST": "build-box", "PORT": "8080"}) == []
