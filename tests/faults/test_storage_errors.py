"""Disk full (ENOSPC) and read-only storage (EROFS), injected at the system-call boundary (the
tests run as root, where chmod does not stop writes), during landing, warehouse publish and
archive write: each is a clear error naming the path and the reason, and leaves the previous
state intact, so the next run, with space again, completes."""

import json
import os
import subprocess
import sys

import pytest

import reports.archive as archive
from orchestration.settings import PROJECT_ROOT, load_settings
from orchestration.steps.brief import build_brief
from orchestration.steps.ingest import ingest_source
from orchestration.steps.model import run_demand_model
from orchestration.warehouse import scratch_path
from reports.archive import write_archive
from tests.conftest import E2E_MONTH, TEST_MODEL_DRAWS, TEST_REVISION_MONTHS
from tests.faults.conftest import (
    ENOSPC,
    EROFS,
    assert_archive_complete,
    assert_landing_complete,
    assert_no_scratch,
    latest_of,
    sha256,
    tree_digest,
    warehouse_version,
)

pytestmark = pytest.mark.e2e

SOURCE = "snapshot_accelerators"
REASON = {ENOSPC: "No space left on device", EROFS: "Read-only file system"}


def _settings(home, snapshot=None):
    env = {"FLOPCAST_HOME": str(home), "FLOPCAST_MODEL_DRAWS": TEST_MODEL_DRAWS,
           "FLOPCAST_REVISION_MONTHS": TEST_REVISION_MONTHS}
    if snapshot is not None:
        env["FLOPCAST_SNAPSHOT_DIR"] = str(snapshot)
    return load_settings(env)


@pytest.mark.parametrize("op, code", [("fsync", ENOSPC), ("open", EROFS)])
def test_landing_on_a_full_or_read_only_disk(home, changed_snapshot, faulty_disk, op, code):
    folder = home / "landing" / SOURCE
    before, warehouse = tree_digest(folder), sha256(home / "warehouse.duckdb")
    faulty_disk.fail(op, code, folder)
    with pytest.raises(OSError) as raised:
        ingest_source(_settings(home, changed_snapshot), SOURCE, "run-1", publish=True)
    assert raised.value.errno == code
    assert REASON[code] in str(raised.value) and str(folder) in str(raised.value)
    assert faulty_disk.hits
    assert tree_digest(folder) == before  # no new file, no temp file, LATEST as it was
    assert sha256(home / "warehouse.duckdb") == warehouse
    assert_no_scratch(home)


def test_a_landing_file_whose_provenance_could_not_be_written_heals(home, changed_snapshot, faulty_disk):
    old_latest = latest_of(home, SOURCE)
    faulty_disk.fail("fsync", ENOSPC, lambda path: ".csv.json" in os.path.basename(path))
    with pytest.raises(OSError, match="No space left on device"):
        ingest_source(_settings(home, changed_snapshot), SOURCE, "run-1", publish=True)
    new_sha = sha256(changed_snapshot / "accelerators.csv")
    assert (home / "landing" / SOURCE / f"{new_sha}.csv").exists()  # whole, under its hash
    assert latest_of(home, SOURCE) == old_latest

    faulty_disk.heal()
    ingest_source(_settings(home, changed_snapshot), SOURCE, "run-2", publish=True)
    assert latest_of(home, SOURCE)["sha256"] == new_sha
    assert_landing_complete(home)  # the provenance file was written this time


@pytest.mark.parametrize("op, code, what", [
    ("sendfile", ENOSPC, "scratch copy"),  # copying the warehouse to the run's scratch file
    ("fsync", ENOSPC, "scratch"),          # flushing the scratch file before publishing
    ("replace", EROFS, "published"),       # the atomic rename over the published warehouse
])
def test_warehouse_publish_on_a_full_or_read_only_disk(home, faulty_disk, op, code, what):
    published = home / "warehouse.duckdb"
    before, version = sha256(published), warehouse_version(home)
    faulty_disk.fail(op, code, lambda path: path in (str(published), str(scratch_path(published))))
    with pytest.raises(OSError) as raised:
        run_demand_model(_settings(home), E2E_MONTH, "run-1", seed=7)
    assert raised.value.errno == code and faulty_disk.hits
    assert REASON[code] in str(raised.value) and str(scratch_path(published)) in str(raised.value)
    assert sha256(published) == before and warehouse_version(home) == version
    assert_no_scratch(home)  # nothing left behind to fill the disk further

    faulty_disk.heal()
    run_demand_model(_settings(home), E2E_MONTH, "run-2", seed=7)
    assert warehouse_version(home)["seeds"] == [7]
    assert_no_scratch(home)


def test_archive_on_a_full_disk_keeps_the_previous_brief(home, faulty_disk):
    briefs = home / "briefs"
    before = tree_digest(briefs / E2E_MONTH)
    faulty_disk.fail("fsync", ENOSPC, briefs)
    with pytest.raises(OSError) as raised:
        build_brief(_settings(home), E2E_MONTH)
    assert raised.value.errno == ENOSPC
    assert "No space left on device" in str(raised.value) and str(briefs) in str(raised.value)
    assert tree_digest(briefs / E2E_MONTH) == before
    assert_archive_complete(home)  # whole, and no temp folder left


def test_a_run_whose_brief_cannot_be_archived_publishes_nothing(home, faulty_disk):
    """The model step of a run stages its tables for the brief; the archive then fails on a full
    disk: the warehouse is the old one (once, the new model rows were published without a brief)."""
    briefs, published = home / "briefs", home / "warehouse.duckdb"
    before_brief, before_warehouse, version = tree_digest(briefs / E2E_MONTH), sha256(published), warehouse_version(home)
    run_demand_model(_settings(home), E2E_MONTH, "run-1", seed=7, publish=False)
    faulty_disk.fail("fsync", ENOSPC, briefs)
    with pytest.raises(OSError, match="No space left on device"):
        build_brief(_settings(home), E2E_MONTH, "run-1")
    assert tree_digest(briefs / E2E_MONTH) == before_brief
    assert sha256(published) == before_warehouse and warehouse_version(home) == version
    assert_no_scratch(home)


def test_archive_on_read_only_storage_names_the_folder(tmp_path, faulty_disk):
    first = write_archive(tmp_path, E2E_MONTH, {"brief.pdf": b"one", "metrics.json": b"{}"})
    faulty_disk.fail("mkdir", EROFS, tmp_path)
    with pytest.raises(OSError) as raised:
        write_archive(tmp_path, E2E_MONTH, {"brief.pdf": b"two", "metrics.json": b"{}"})
    assert raised.value.errno == EROFS
    assert "Read-only file system" in str(raised.value) and str(tmp_path) in str(raised.value)
    assert (first / "brief.pdf").read_bytes() == b"one"
    assert sorted(p.name for p in tmp_path.iterdir()) == [E2E_MONTH]


def test_archive_fallback_swap_puts_the_previous_brief_back(tmp_path, faulty_disk, monkeypatch):
    """Filesystems without renameat2 RENAME_EXCHANGE swap with two renames: if the second fails,
    or the writer is killed between them, the previous brief must not be lost."""
    monkeypatch.setattr(archive, "_exchange", lambda a, b: False)
    write_archive(tmp_path, E2E_MONTH, {"brief.pdf": b"one", "metrics.json": b"{}"})
    target = tmp_path / E2E_MONTH

    faulty_disk.fail("rename", EROFS, lambda path: path == str(target), times=1)
    with pytest.raises(OSError, match="Read-only file system"):
        write_archive(tmp_path, E2E_MONTH, {"brief.pdf": b"two", "metrics.json": b"{}"})
    assert (target / "brief.pdf").read_bytes() == b"one"
    assert sorted(p.name for p in tmp_path.iterdir()) == [E2E_MONTH]

    # Killed for real between the two renames: no brief in place, the old one in a temp folder.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import reports.archive as archive\n"
        "archive._exchange = lambda a, b: False\n"
        "rename = os.rename\n"
        "def dying_rename(src, dst):\n"
        f"    if Path(dst).name == {E2E_MONTH!r}:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    rename(src, dst)\n"
        "os.rename = dying_rename\n"
        f"archive.write_archive(Path(sys.argv[1]), {E2E_MONTH!r}, {{'brief.pdf': b'three'}})\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=PROJECT_ROOT)
    assert done.returncode == -9 and not target.exists()

    faulty_disk.fail("fsync", ENOSPC, tmp_path)  # and the next write fails: the old brief is back
    with pytest.raises(OSError, match="No space left on device"):
        write_archive(tmp_path, E2E_MONTH, {"brief.pdf": b"four", "metrics.json": b"{}"})
    assert (target / "brief.pdf").read_bytes() == b"one"
    assert sorted(p.name for p in tmp_path.iterdir()) == [E2E_MONTH]
    faulty_disk.heal()
    write_archive(tmp_path, E2E_MONTH, {"brief.pdf": b"four", "metrics.json": json.dumps({}).encode()})
    assert (target / "brief.pdf").read_bytes() == b"four"
    assert sorted(p.name for p in tmp_path.iterdir()) == [E2E_MONTH]
