"""Shared set-up for the fault-injection tests.

One good pipeline run (`python -m bench.plain` on the bundled snapshot) per session; every
destructive case works on its own copy of that FLOPCAST_HOME. Helpers here run the pipeline in a
subprocess (to be killed for real), check the run-state invariants, and inject OS errors at the
system-call boundary (tests run as root, where chmod does not stop writes).
"""

import email
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from common.processes import free_port
from orchestration.settings import PROJECT_ROOT, SNAPSHOT_DIR
from tests.conftest import E2E_MONTH, TEST_MODEL_DRAWS, TEST_REVISION_MONTHS

PYTHON = sys.executable
FLOPCAST = str(Path(sys.executable).with_name("flopcast"))
BRIEF_FILES = {"brief.pdf", "brief.html", "metrics.json", "charts"}


# --- running the pipeline in a process of its own -------------------------------------------------

def env_for(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a run in ``home``: its own DAGSTER_HOME, no kill point unless asked.
    The runs read the compiled snapshot alone (the vendored publishers' folder is pointed at a
    folder that does not exist): crash safety does not depend on which files load, and the smaller
    input keeps the many runs here quick. The e2e runs cover the default inputs."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FLOPCAST_", "DAGSTER_HOME"))}
    env["FLOPCAST_HOME"] = str(home)
    # crash safety does not depend on the Monte Carlo's precision: the test session's draws and
    # revisions window, not the product's defaults (100,000 draws; 12 months, most of them rebuilt)
    env["FLOPCAST_MODEL_DRAWS"] = TEST_MODEL_DRAWS
    env["FLOPCAST_REVISION_MONTHS"] = TEST_REVISION_MONTHS
    env["FLOPCAST_PUBLISHERS_DIR"] = str(home.parent / f"{home.name}.no_publishers")
    env.update(extra)
    return env


def plain_cmd(month: str = E2E_MONTH) -> list[str]:
    return [PYTHON, "-m", "bench.plain", "--month", month]


def stages_cmd(*stages: str, seed: int | None = None, month: str = E2E_MONTH) -> list[str]:
    cmd = [PYTHON, "-m", "tests.faults.stages", "--month", month, "--stages", ",".join(stages)]
    return cmd + (["--seed", str(seed)] if seed is not None else [])


def run(cmd: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)


def killed(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == -9, (
        f"expected the run to SIGKILL itself, got rc {done.returncode}\n{done.stderr[-3000:]}")


def completed(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, f"rc {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"


# --- the shared good run --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def good_home(tmp_path_factory) -> Path:
    """A FLOPCAST_HOME after one complete plain-Python run for E2E_MONTH (do not modify)."""
    home = tmp_path_factory.mktemp("faults_good_home")
    completed(run(plain_cmd(), env_for(home), timeout=600))
    return home


@pytest.fixture
def home(good_home, tmp_path) -> Path:
    """A private copy of the good home, for one destructive case."""
    copy = tmp_path / "home"
    shutil.copytree(good_home, copy)
    return copy


@pytest.fixture(scope="session")
def changed_snapshot(tmp_path_factory) -> Path:
    """The bundled snapshot with one accelerator's board power changed (300 W -> 299 W): new bytes
    to land, and a warehouse whose new version is told apart from the old by `p100_tdp_w`."""
    folder = tmp_path_factory.mktemp("snapshot") / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, folder)
    table = pd.read_csv(folder / "accelerators.csv", dtype=str, keep_default_na=False)
    row = table["accelerator_id"] == "nvidia-p100-sxm2"
    assert table.loc[row, "tdp_w"].tolist() == ["300"]
    table.loc[row, "tdp_w"] = "299"
    table.to_csv(folder / "accelerators.csv", index=False)
    return folder


# --- invariants -----------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def latest_of(home: Path, source: str) -> dict:
    return json.loads((home / "landing" / source / "LATEST").read_text())


def assert_landing_complete(home: Path) -> None:
    """Every landing file is whole (its name is the SHA-256 of its bytes), every provenance file
    parses and names its file, every LATEST and PREVIOUS (and pending pointer of an unpublished
    run) parses and points at an existing file; no temp files."""
    sources = [d for d in (home / "landing").iterdir() if d.is_dir() and d.name != ".pending"]
    assert sources
    for pending in (home / "landing" / ".pending").glob("*/*"):
        record = json.loads(pending.read_text())
        assert (home / "landing" / pending.stem / record["path"]).is_file(), f"{pending} points at a missing file"
    for folder in sources:
        for path in folder.iterdir():
            assert not path.name.startswith("."), f"temp file left behind: {path}"
            if path.name in ("LATEST", "PREVIOUS"):
                record = json.loads(path.read_text())
                target = folder / record["path"]
                assert target.is_file(), f"{path} points at a missing file"
                assert sha256(target) == record["sha256"]
            elif path.name.endswith(".json") and path.name.count(".") >= 2:  # <sha>.<ext>.json
                record = json.loads(path.read_text())
                assert path.name == record["path"] + ".json"
                assert (folder / record["path"]).is_file()
            else:
                digest, _, _ext = path.name.partition(".")
                assert sha256(path) == digest, f"half-written landing file {path}"
                assert path.with_name(path.name + ".json").is_file(), f"no provenance for {path}"


def warehouse_version(home: Path) -> dict:
    """Open the published warehouse read-only, read every table in full (a torn file fails here),
    and return what tells versions apart."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE'").fetchall()
        assert len(tables) > 20
        for schema, table in tables:
            con.execute(f'select * from "{schema}"."{table}"').fetchall()
        tdp = con.execute("select tdp_w from marts.dim_accelerator "
                          "where accelerator_id = 'nvidia-p100-sxm2'").fetchone()[0]
        seeds = con.execute("select seed from model.run where partition = ?", [E2E_MONTH]).fetchall()
    return {"p100_tdp_w": tdp, "seeds": sorted(s for (s,) in seeds)}


def assert_no_scratch(home: Path) -> None:
    leftovers = sorted(p.name for p in home.glob("warehouse.scratch*"))
    assert leftovers == [], f"scratch left behind: {leftovers}"


def assert_archive_complete(home: Path, month: str = E2E_MONTH, temp_ok: bool = False) -> dict:
    """briefs/<month> has every file of a brief, and they are whole; returns metrics.json."""
    folder = home / "briefs" / month
    assert {p.name for p in folder.iterdir()} == BRIEF_FILES
    pdf = (folder / "brief.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert (folder / "brief.html").read_text().rstrip().endswith("</html>")
    assert {p.name for p in (folder / "charts").iterdir()} >= {"hardware_fit.csv", "tornado.csv"}
    temps = sorted(p.name for p in (home / "briefs").iterdir() if p.name.startswith("."))
    if not temp_ok:
        assert temps == [], f"temp folders left in briefs/: {temps}"
    return json.loads((folder / "metrics.json").read_text())


# --- processes ------------------------------------------------------------------------------------

def wait_for(predicate, timeout: float, poll: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll)
    return predicate()


# --- loopback SMTP --------------------------------------------------------------------------------

class Inbox:
    """aiosmtpd handler: keeps every message it accepted; can stall before answering DATA (the
    message is already kept: a server that committed it but is slow to say so), or reject RCPTs."""

    def __init__(self, stall_s: float = 0.0, reject: dict[str, str] | None = None):
        self.messages: list[email.message.EmailMessage] = []
        self.stall_s = stall_s
        self.reject = reject or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        if self.stall_s:
            await asyncio.sleep(self.stall_s)
        return "250 OK"

    def to(self) -> list[str]:
        return [m["To"] for m in self.messages]


@pytest.fixture
def smtp():
    """smtp(handler) -> port of a loopback SMTP server running ``handler``."""
    from aiosmtpd.controller import Controller

    started = []

    def _start(handler) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        return controller.port

    yield _start
    for controller in started:
        controller.stop()


def smtp_env(port: int, recipients: str) -> dict[str, str]:
    return {"FLOPCAST_SMTP_HOST": "127.0.0.1", "FLOPCAST_SMTP_PORT": str(port),
            "FLOPCAST_SMTP_TLS": "none", "FLOPCAST_MAIL_FROM": "flopcast@example.org",
            "FLOPCAST_MAIL_TO": recipients}


# --- OS errors at the system-call boundary --------------------------------------------------------

class FaultyDisk:
    """Make chosen system calls fail with ENOSPC / EROFS for paths under a folder, the way the
    kernel and CPython report them: calls that take a path name it (open, mkdir, rename), calls
    on a file descriptor (write via fsync, sendfile) do not."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.rules: list[list] = []  # [op, errno, match(path), failures left or None]
        self.hits: list[tuple[str, str]] = []
        real = {name: getattr(os, name) for name in ("open", "mkdir", "replace", "rename", "fsync", "sendfile")}
        real_open = open

        def check(op: str, path) -> int | None:
            path = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
            for rule in self.rules:
                rule_op, code, match, left = rule
                if rule_op == op and left != 0 and match(path):
                    rule[3] = None if left is None else left - 1
                    self.hits.append((op, path))
                    return code
            return None

        def fd_path(fd: int) -> str:
            try:
                return os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                return ""

        def fail(code: int, *names):
            raise OSError(code, os.strerror(code), *names)

        def os_open(path, flags, *args, **kwargs):
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and (code := check("open", path)):
                fail(code, os.fspath(path))
            return real["open"](path, flags, *args, **kwargs)

        def builtin_open(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+") \
                    and (code := check("open", file)):
                fail(code, os.fspath(file))
            return real_open(file, mode, *args, **kwargs)

        def os_mkdir(path, *args, **kwargs):
            if code := check("mkdir", path):
                fail(code, os.fspath(path))
            return real["mkdir"](path, *args, **kwargs)

        def os_replace(src, dst, *args, **kwargs):
            if code := check("replace", dst):
                raise OSError(code, os.strerror(code), os.fspath(src), None, os.fspath(dst))
            return real["replace"](src, dst, *args, **kwargs)

        def os_rename(src, dst, *args, **kwargs):
            if code := check("rename", dst):
                raise OSError(code, os.strerror(code), os.fspath(src), None, os.fspath(dst))
            return real["rename"](src, dst, *args, **kwargs)

        def os_fsync(fd):
            fileno = fd if isinstance(fd, int) else fd.fileno()
            if code := check("fsync", fd_path(fileno)):
                fail(code)
            return real["fsync"](fd)

        def os_sendfile(out_fd, in_fd, offset, count):
            if code := check("sendfile", fd_path(out_fd)):
                fail(code)
            return real["sendfile"](out_fd, in_fd, offset, count)

        for name, fake in (("open", os_open), ("mkdir", os_mkdir), ("replace", os_replace),
                           ("rename", os_rename), ("fsync", os_fsync), ("sendfile", os_sendfile)):
            monkeypatch.setattr(os, name, fake)
        monkeypatch.setattr("builtins.open", builtin_open)

    def fail(self, op: str, code: int, match, times: int | None = None) -> None:
        """Fail ``op`` (open, mkdir, replace, rename, fsync, sendfile) with ``code`` when
        ``match(path)`` (``times`` times, or always); ``match`` may be a folder (all under it)."""
        if isinstance(match, Path):
            folder = str(match)
            match = lambda path, folder=folder: path == folder or path.startswith(folder + os.sep)  # noqa: E731
        self.rules.append([op, code, match, times])

    def heal(self) -> None:
        self.rules.clear()


@pytest.fixture
def faulty_disk(monkeypatch) -> FaultyDisk:
    return FaultyDisk(monkeypatch)


ENOSPC, EROFS = errno.ENOSPC, errno.EROFS
