"""`make ui`: `flopcast ui` serves the Dagster UI; list the assets through its GraphQL endpoint."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from common.processes import free_port, stop_process_group
from orchestration.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

QUERY = """
{ assetNodes { assetKey { path } groupName hasAssetChecks }
  repositoriesOrError { ... on RepositoryConnection { nodes {
      name schedules { name } sensors { name } jobs { name } } } } }
"""


def _default_signals():
    os.setsid()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory):
    port = free_port()
    home = tmp_path_factory.mktemp("ui_home")
    log = open(home / "ui.log", "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("flopcast")), "ui", "--port", str(port)],
        cwd=PROJECT_ROOT, env={**os.environ, "FLOPCAST_HOME": str(home), "DAGSTER_HOME": str(home / "dh")},
        stdout=log, stderr=subprocess.STDOUT, preexec_fn=_default_signals,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((home / "ui.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base
    finally:
        stop_process_group(process)
        log.close()


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.loads(response.read())
    assert "errors" not in payload, payload
    return payload["data"]


def test_ui_lists_assets_checks_schedules_and_sensors(ui_server):
    from orchestration.definitions import defs

    data = _graphql(ui_server, QUERY)
    nodes = data["assetNodes"]
    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert by_key["raw/snapshot_accelerators"]["groupName"] == "sources"
    assert by_key["marts/dim_accelerator"]["groupName"] == "warehouse"
    assert by_key["marts/dim_accelerator"]["hasAssetChecks"] is True
    assert by_key["model/hardware_fit"]["groupName"] == "model"
    assert by_key["brief/monthly_brief"]["groupName"] == "brief"

    graph = defs.resolve_asset_graph()
    expected = {"/".join(k.path): graph.get(k).group_name for k in graph.get_all_asset_keys()
                if graph.get(k).is_materializable}
    assert {k: v["groupName"] for k, v in by_key.items() if k in expected} == expected
    assert {v["groupName"] for v in by_key.values()} >= {"sources", "warehouse", "model", "brief", "delivery"}
    checks = _graphql(ui_server, """{ assetNodes { assetKey { path }
        assetChecksOrError { ... on AssetChecks { checks { name } } } } }""")["assetNodes"]
    listed = {("/".join(n["assetKey"]["path"]), c["name"])
              for n in checks for c in (n["assetChecksOrError"] or {}).get("checks", [])}
    declared = {("/".join(c.asset_key.path), c.name) for c in graph.asset_check_keys}
    assert declared and declared <= listed
    repo = data["repositoriesOrError"]["nodes"][0]
    assert {s["name"] for s in repo["schedules"]} == {"monthly_brief_schedule", "weekly_ingest_schedule"}
    assert {s["name"] for s in repo["sensors"]} == {"run_failure_alert", "missing_brief_alert"}
    assert {"brief_job", "monthly_brief_job", "ingest_job"} <= {j["name"] for j in repo["jobs"]}
