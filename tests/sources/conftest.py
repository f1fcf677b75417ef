"""Fixtures for the source-connector tests: the real-data folder, settings in a temp home, a
loopback HTTP server with scripted responses, synthetic publisher-format files, and the snapshot
tables and Epoch files the snapshot-vs-Epoch tests compare."""

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from orchestration.settings import PUBLISHERS_DIR, SNAPSHOT_DIR, load_settings
from orchestration.sources.registry import get_source
from orchestration.sources.tabular import parse_csv_bytes
from tests.filebytes import csv_bytes, zip_bytes


@pytest.fixture
def make_settings(tmp_path):
    """Settings with FLOPCAST_HOME in a temp folder; ``mode`` and ``mirror`` as asked. The vendored
    publishers' folder is an empty temp folder unless ``publishers`` names one, so fallback tests
    see exactly the copies they set up."""

    def _make(mode: str = "live", mirror: Path | None = None, publishers: Path | None = None):
        env = {"FLOPCAST_HOME": str(tmp_path / "home"), "FLOPCAST_SOURCE_MODE": mode,
               "FLOPCAST_PUBLISHERS_DIR": str(publishers or tmp_path / "no_publishers")}
        if mirror is not None:
            env["FLOPCAST_MIRROR_DIR"] = str(mirror)
        return load_settings(env)

    return _make


# --- synthetic publisher-format files ------------------------------------------------------------

# The Dec-2025 Epoch ML Hardware header (a subset, in Epoch's order and spelling).
HARDWARE_HEADER = [
    "Hardware name", "Manufacturer", "Type", "Notes", "Release date", "Release price (USD)",
    "Tensor-FP16/BF16 performance (FLOP/s)", "FP8 performance (FLOP/s)", "Memory (bytes)",
    "Memory bandwidth (byte/s)", "TDP (W)", "Last modified",
]

HARDWARE_ROWS = [
    ["Synthetic Accelerator X1", "Example Corp", "GPU", "Line one\nline two, with a comma",
     "2024-03-01", "25000.0", "1.0E+15", "2000000000000000.0", "96000000000.0",
     "4000000000000.0", "700.0", "2025-12-05 21:21:23+00:00"],
    ["Synthetic Accelerator X2", "Example Corp", "GPU", "", "2025-06-30", "", "2.5e15", "",
     "192000000000.0", "8000000000000.0", "1000.0", "2025-12-05 21:21:23+00:00"],
    ["Synthetic NPU N1", "Other Inc", "NPU", "", "", "", "", "", "", "1600000000000.0", "",
     "2025-12-05 21:21:23+00:00"],
]


@pytest.fixture
def hardware_csv() -> bytes:
    return csv_bytes(HARDWARE_HEADER, HARDWARE_ROWS)


@pytest.fixture
def hardware_zip(hardware_csv) -> bytes:
    return zip_bytes({"ml_hardware.csv": hardware_csv, "README.txt": b"synthetic test archive"})


# --- the snapshot tables and Epoch files compared by the snapshot-vs-Epoch tests -----------------

@pytest.fixture(scope="session")
def snapshot_accelerators() -> pd.DataFrame:
    result = parse_csv_bytes((SNAPSHOT_DIR / "accelerators.csv").read_bytes(), get_source("snapshot_accelerators").spec, "accelerators.csv")
    assert result.quarantine.empty, result.quarantine["reason"].tolist()
    return result.frame.set_index("accelerator_id")


@pytest.fixture(scope="session")
def snapshot_training_runs() -> pd.DataFrame:
    result = parse_csv_bytes((SNAPSHOT_DIR / "training_runs.csv").read_bytes(), get_source("snapshot_training_runs").spec, "training_runs.csv")
    assert result.quarantine.empty, result.quarantine["reason"].tolist()
    return result.frame.set_index("model_id")


def _load_epoch(relative: str, source: str) -> pd.DataFrame:
    return get_source(source).parse_bytes((PUBLISHERS_DIR / relative).read_bytes(), relative).frame


@pytest.fixture(scope="session")
def epoch_ml_hardware() -> pd.DataFrame:
    return _load_epoch("epoch/ml_hardware.csv", "epoch_ml_hardware").set_index("hardware_name")


@pytest.fixture(scope="session")
def epoch_ai_models() -> dict[str, pd.DataFrame]:
    return {
        "notable": _load_epoch("epoch/notable_ai_models.csv", "epoch_notable_ai_models").set_index("model"),
        "large_scale": _load_epoch("epoch/large_scale_ai_models.csv",
                                   "epoch_large_scale_ai_models").set_index("model"),
    }


# --- loopback HTTP server --------------------------------------------------------------------------

class Loopback:
    """Scripted responses per path; each request takes the next action, the last one repeats.

    Actions: ("ok", body) | ("status", code) | ("sleep", seconds, body) | ("short", body, n):
    announce len(body) bytes but send only the first n, then close.
    """

    def __init__(self):
        self.scripts: dict[str, list[tuple]] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                with loopback.lock:
                    script = loopback.scripts.get(self.path, [("status", 404)])
                    index = min(loopback.hits[self.path], len(script) - 1)
                    loopback.hits[self.path] += 1
                action = script[index]
                try:
                    loopback.respond(self, action)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @staticmethod
    def respond(handler: BaseHTTPRequestHandler, action: tuple) -> None:
        kind = action[0]
        if kind == "status":
            body = f"error {action[1]}".encode()
            handler.send_response(action[1])
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body)
            return
        if kind == "sleep":
            time.sleep(action[1])
            body = action[2]
        else:
            body = action[1]
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body[: action[2]] if kind == "short" else body)
        handler.wfile.flush()
        handler.close_connection = True

    def script(self, path: str, *actions: tuple) -> str:
        with self.lock:
            self.scripts[path] = list(actions)
            self.hits[path] = 0
        return self.url(path)

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"


@pytest.fixture
def loopback(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = Loopback()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


# --- landing-folder inspection ------------------------------------------------------------------

def landing_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def assert_landing_complete(folder: Path) -> None:
    """Only complete content-addressed files, their provenance sidecars, LATEST and PREVIOUS; no
    temp files."""
    import hashlib
    import json

    for path in folder.iterdir():
        name = path.name
        assert not name.startswith("."), f"temporary file left behind: {name}"
        if name in ("LATEST", "PREVIOUS"):
            pointed = folder / json.loads(path.read_text())["path"]
            assert pointed.exists(), f"{name} names a missing file"
            continue
        if name.endswith(".json") and name.count(".") >= 2:  # <sha>.<ext>.json provenance
            assert (folder / name.removesuffix(".json")).exists(), f"orphan sidecar {name}"
            json.loads(path.read_text())
            continue
        digest = name.split(".", 1)[0]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{name} is not complete"


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, as a fixture (test modules need not import this conftest)."""
    return SimpleNamespace(
        csv_bytes=csv_bytes, zip_bytes=zip_bytes, landing_listing=landing_listing,
        assert_landing_complete=assert_landing_complete, HARDWARE_HEADER=HARDWARE_HEADER,
        HARDWARE_ROWS=HARDWARE_ROWS,
    )
