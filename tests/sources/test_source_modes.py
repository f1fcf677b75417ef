"""Mirror and bundled modes, and the registry: the mirror is only read (checked by content and
timestamps, since tests run as root), pattern choice, stale fallback, and the empty table for a
live-only source in bundled mode."""

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest

from orchestration.sources import registry
from orchestration.sources.fetch import MirrorFolderError, SourceUnavailableError, acquire, find_mirror_file
from orchestration.sources.landing import latest
from tests.sources.known_quarantine import assert_known_quarantine


def tree_state(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` with its type, size, mtime and content hash."""
    state = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            info = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
            state[path.relative_to(folder).as_posix()] = (
                info.st_mode, info.st_size, info.st_mtime_ns, digest)
    info = folder.lstat()
    state["."] = (info.st_mode, info.st_mtime_ns)
    return state


@pytest.fixture
def synthetic_mirror(tmp_path, kit, hardware_csv):
    """A small read-only mirror laid out like ../shared/data."""
    mirror = tmp_path / "mirror"
    (mirror / "epoch").mkdir(parents=True)
    (mirror / "openrouter").mkdir()
    older = [h.replace("Memory (bytes)", "Memory size per board (Byte)")
             for h in kit.HARDWARE_HEADER if h != "Notes"]
    rows = [r[:3] + r[4:] for r in kit.HARDWARE_ROWS]
    (mirror / "epoch" / "ml_hardware_2025-11_older_schema.csv").write_bytes(
        kit.csv_bytes(older, rows[:2]))
    (mirror / "epoch" / "ml_hardware.csv").write_bytes(hardware_csv)
    (mirror / "epoch" / "ai_models.zip").write_bytes(kit.zip_bytes({
        "notable_ai_models.csv": kit.csv_bytes(
            ["Model", "Organization", "Publication date", "Parameters", "Training compute (FLOP)",
             "Training dataset size (total)"],
            [["Synthetic LM 1", "Example Lab", "2025-01-31", "1e9", "6e21", "1e12"]]),
    }))
    (mirror / "openrouter" / "rankings-daily-2025-11-30.csv").write_bytes(kit.csv_bytes(
        ["date", "model_permaslug", "rank", "total_tokens", "share_of_daily_tokens"],
        [["2025-11-30", "example/model-a", "1", "1000000", "0.5"],
         ["2025-11-30", "example/model-b", "2", "1000000", "0.5"]]))
    for path in sorted(mirror.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    mirror.chmod(0o555)
    yield mirror
    for path in [mirror, *mirror.rglob("*")]:
        path.chmod(0o755)


def test_mirror_mode_reads_and_never_writes(synthetic_mirror, make_settings):
    before = tree_state(synthetic_mirror)
    settings = make_settings("mirror", synthetic_mirror)
    landed, parsed = registry.ingest("epoch_ml_hardware", settings)
    assert landed.mode == "mirror" and not landed.stale
    assert landed.note == "mirror copy: epoch/ml_hardware.csv"  # exact name beats older copy
    assert landed.url == "https://epoch.ai/data/ml_hardware.zip#ml_hardware.csv"
    assert len(parsed.frame) == 3
    landed, parsed = registry.ingest("epoch_notable_ai_models", settings)
    assert landed.note == "mirror copy: epoch/ai_models.zip#notable_ai_models.csv"
    assert parsed.frame.loc[0, "training_dataset_size"] == 1e12
    landed, parsed = registry.ingest("openrouter_rankings_daily", settings)
    assert list(parsed.frame["rank"]) == [1, 2]
    assert tree_state(synthetic_mirror) == before
    assert not landed.path.is_relative_to(synthetic_mirror)


def test_mirror_older_schema_file_is_used_when_alone(tmp_path, kit, make_settings,
                                                     synthetic_mirror):
    assert find_mirror_file(registry.LIVE_SOURCES["epoch_ml_hardware"].descriptor,
                            synthetic_mirror).name == "ml_hardware.csv"
    mirror = tmp_path / "older_only"
    (mirror / "epoch").mkdir(parents=True)
    source = synthetic_mirror / "epoch" / "ml_hardware_2025-11_older_schema.csv"
    (mirror / "epoch" / source.name).write_bytes(source.read_bytes())
    landed, parsed = registry.ingest("epoch_ml_hardware", make_settings("mirror", mirror))
    assert landed.note.endswith("ml_hardware_2025-11_older_schema.csv")
    assert list(parsed.frame["memory_bytes"]) == [96e9, 192e9]
    assert parsed.frame["notes"].isna().all()


def test_mirror_file_missing_falls_back_or_fails_clearly(tmp_path, synthetic_mirror,
                                                         make_settings):
    settings = make_settings("mirror", synthetic_mirror)
    good, _ = registry.ingest("epoch_ml_hardware", settings)
    assert good.retrieved == ""  # a mirror does not record when its publisher served the file
    empty_mirror = tmp_path / "empty_mirror"
    empty_mirror.mkdir()
    stale, parsed = registry.ingest("epoch_ml_hardware", make_settings("mirror", empty_mirror))
    assert stale.stale and stale.sha256 == good.sha256 and len(parsed.frame) == 3
    assert "no file matching epoch/ml_hardware.csv" in stale.note
    with pytest.raises(SourceUnavailableError, match="epoch_gpu_clusters.*no last good"):
        registry.ingest("epoch_gpu_clusters", make_settings("mirror", empty_mirror))
    # no mirror folder is a configuration error that stops the run, not a per-source fallback
    with pytest.raises(MirrorFolderError, match="FLOPCAST_MIRROR_DIR is not set"):
        registry.ingest("epoch_gpu_clusters", make_settings("live"), mode="mirror")


def test_real_data_folder_as_a_mirror(real_data, make_settings):
    """Every registered source with a real file ingests from the real-data folder in place."""
    before = tree_state(real_data)
    settings = make_settings("mirror", real_data)
    for name, source in registry.LIVE_SOURCES.items():
        if not source.descriptor.verified:
            continue
        landed, parsed = registry.ingest(name, settings)
        assert landed.mode == "mirror" and not landed.stale, name
        assert len(parsed.frame) > 0, name
        assert_known_quarantine(name, parsed.quarantine)
        assert latest(settings.landing_dir, name).sha256 == landed.sha256
    assert tree_state(real_data) == before


def test_bundled_mode_live_only_source(synthetic_mirror, make_settings):
    settings = make_settings("bundled", synthetic_mirror)
    landed, parsed = registry.ingest("epoch_ml_hardware", settings)
    assert landed is None
    assert parsed.frame.empty and list(parsed.frame.columns) == (
        registry.LIVE_SOURCES["epoch_ml_hardware"].spec.names)
    good, _ = registry.ingest("epoch_ml_hardware", settings, mode="mirror")
    landed, parsed = registry.ingest("epoch_ml_hardware", settings)  # mode from settings: bundled
    assert landed.sha256 == good.sha256 and not landed.stale and landed.mode == "mirror"
    assert "bundled mode" in landed.note and len(parsed.frame) == 3


def test_broken_mirror_file_is_rejected_and_named(tmp_path, kit, synthetic_mirror, make_settings):
    good, _ = registry.ingest("epoch_ml_hardware", make_settings("mirror", synthetic_mirror))
    broken = tmp_path / "broken_mirror"
    (broken / "epoch").mkdir(parents=True)
    (broken / "epoch" / "ml_hardware.csv").write_bytes(b"Hardware name,Manufacturer\nX,Y\n")
    landed, _ = registry.ingest("epoch_ml_hardware", make_settings("mirror", broken))
    assert landed.stale and landed.sha256 == good.sha256
    assert "mirror file epoch/ml_hardware.csv rejected" in landed.note and "'tdp_w'" in landed.note


def test_bundled_copy_is_landed_when_a_source_has_one(tmp_path, hardware_csv, make_settings):
    copy = tmp_path / "bundled_ml_hardware.csv"
    copy.write_bytes(hardware_csv)
    descriptor = dataclasses.replace(
        registry.LIVE_SOURCES["epoch_ml_hardware"].descriptor, bundled_file=copy.name)
    settings = make_settings("bundled").model_copy(update={"snapshot_dir": tmp_path})
    landed = acquire(descriptor, settings)
    assert landed.mode == "bundled" and landed.path.read_bytes() == hardware_csv
    assert landed.url == f"data/snapshot/{copy.name}"


def test_registry_shape_and_unknown_names(make_settings):
    assert len(registry.LIVE_SOURCES) == 12
    for name, source in registry.LIVE_SOURCES.items():
        assert source.descriptor.name == source.spec.source == name
        assert name.replace("_", "").isalnum()  # a safe raw.<source> table name
        assert source.descriptor.url.startswith("https://") and source.descriptor.licence
        assert callable(source.read)
    with pytest.raises(KeyError, match="known: "):
        registry.ingest("nope", make_settings("bundled"))
    with pytest.raises(ValueError, match="not one of"):
        registry.ingest("epoch_ml_hardware", make_settings("bundled"), mode="ftp")


def test_connectors_do_not_import_dagster_or_dbt():
    import subprocess
    import sys

    code = ("import sys, orchestration.sources.registry; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('dagster', 'dbt', 'dagster_dbt')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
