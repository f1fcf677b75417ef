"""The vendored publishers' files (data/publishers): the manifest matches the files byte for
byte, bundled mode lands them through the same connectors as mirror and live, live falls back to
them (stale) when nothing else is left, a broken copy or manifest is a clear error, and the
maintainer's refresh replaces copies from a (loopback) publisher and rewrites the manifest."""

import dataclasses
import json
import shutil

import pytest

from orchestration.settings import PUBLISHERS_DIR
from orchestration.sources import registry
from orchestration.sources.fetch import SourceUnavailableError, acquire, find_mirror_file
from orchestration.sources.publishers import (
    VendoredCopyError,
    load_manifest,
    manifest_path,
    read_vendored,
    write_manifest,
)
from orchestration.sources.landing import sha256_bytes
from tests.sources.known_quarantine import assert_known_quarantine

HARDWARE = registry.get_source("epoch_ml_hardware")


def test_manifest_lists_every_vendored_file_once_with_matching_bytes():
    entries = load_manifest(PUBLISHERS_DIR)
    files = {p.relative_to(PUBLISHERS_DIR).as_posix() for p in PUBLISHERS_DIR.rglob("*")
             if p.is_file() and p.name != "MANIFEST.json"}
    assert {e.path for e in entries.values()} == files, "a vendored file without an entry, or vice versa"
    for name, entry in entries.items():
        data, _ = read_vendored(PUBLISHERS_DIR, name)  # raises on a checksum mismatch
        assert len(data) == entry.bytes
        assert entry.url.startswith("https://") and entry.licence and entry.attribution
        # laid out like a mirror: the mirror lookup finds the same file
        assert find_mirror_file(registry.get_source(name).descriptor, PUBLISHERS_DIR).relative_to(
            PUBLISHERS_DIR).as_posix() == entry.path
    # every Epoch dataset the issue names, and both MLPerf rounds, ship with the project
    assert {"epoch_ml_hardware", "epoch_notable_ai_models", "epoch_frontier_ai_models",
            "epoch_large_scale_ai_models", "epoch_gpu_clusters", "epoch_data_centers",
            "epoch_data_center_timelines", "epoch_ai_companies_usage_reports",
            "epoch_ai_companies_compute_spend", "mlperf_inference_v4_1",
            "mlperf_inference_v5_1"} <= set(entries)


@pytest.mark.parametrize("name", sorted(load_manifest(PUBLISHERS_DIR)))
def test_every_vendored_file_parses_above_its_floor(name):
    data, entry = read_vendored(PUBLISHERS_DIR, name)
    source = registry.get_source(name)
    result = source.parse_bytes(data, entry.url)
    assert len(result.frame) >= registry.ROW_FLOORS[name], (name, len(result.frame))
    assert_known_quarantine(name, result.quarantine)


@pytest.fixture
def vendored(tmp_path, hardware_csv):
    """A publishers' folder holding one synthetic hardware file and its manifest entry."""
    folder = tmp_path / "publishers"
    (folder / "epoch").mkdir(parents=True)
    (folder / "epoch" / "ml_hardware.csv").write_bytes(hardware_csv)
    real = load_manifest(PUBLISHERS_DIR)["epoch_ml_hardware"]
    write_manifest(folder, [dataclasses.replace(real, sha256=sha256_bytes(hardware_csv),
                                                bytes=len(hardware_csv))])
    return folder


def test_bundled_mode_lands_the_vendored_copy(vendored, make_settings):
    settings = make_settings("bundled", publishers=vendored)
    landed, parsed = registry.ingest("epoch_ml_hardware", settings)
    assert landed.mode == "bundled" and not landed.stale
    assert landed.url == HARDWARE.descriptor.landed_url
    assert "vendored copy data/publishers/epoch/ml_hardware.csv" in landed.note
    assert landed.vintage and len(parsed.frame) == 3
    # retrieved is when the publisher served the copy (the manifest's date), not when it landed
    assert landed.retrieved == load_manifest(vendored)["epoch_ml_hardware"].retrieved


def test_live_failure_falls_back_to_the_vendored_copy_marked_stale(vendored, make_settings, loopback):
    settings = make_settings("live", publishers=vendored)
    descriptor = dataclasses.replace(HARDWARE.descriptor,
                                     url=loopback.script("/ml_hardware.zip", ("status", 404)))
    landed = acquire(descriptor, settings, http=registry.HttpOptions(retries=0))
    assert landed.stale and landed.mode == "bundled"
    assert "live download failed" in landed.note and "HTTP 404" in landed.note
    assert "vendored copy" in landed.note
    # once landed, the vendored bytes are the last good file of the next fallback
    again = acquire(descriptor, settings, http=registry.HttpOptions(retries=0))
    assert again.stale and again.sha256 == landed.sha256 and "last good file" in again.note


def test_live_failure_with_neither_last_good_nor_vendored_is_clear(make_settings, loopback):
    settings = make_settings("live")
    descriptor = dataclasses.replace(HARDWARE.descriptor,
                                     url=loopback.script("/ml_hardware.zip", ("status", 404)))
    with pytest.raises(SourceUnavailableError, match="nor a vendored copy"):
        acquire(descriptor, settings, http=registry.HttpOptions(retries=0))


def test_a_vendored_file_failing_its_checksum_is_an_error_naming_it(vendored, make_settings):
    path = vendored / "epoch" / "ml_hardware.csv"
    path.write_bytes(path.read_bytes().replace(b"Example Corp", b"Exemple Corp"))
    settings = make_settings("bundled", publishers=vendored)
    with pytest.raises(VendoredCopyError, match=r"data/publishers/epoch/ml_hardware\.csv: fails its checksum"):
        registry.ingest("epoch_ml_hardware", settings)
    assert not (settings.landing_dir / "epoch_ml_hardware").exists(), "nothing may land"


def test_a_manifest_entry_without_its_file_is_an_error_naming_the_entry(vendored, make_settings):
    (vendored / "epoch" / "ml_hardware.csv").unlink()
    with pytest.raises(VendoredCopyError,
                       match=r"MANIFEST\.json, entry 1 \(epoch/ml_hardware\.csv\): the file .* is missing"):
        registry.ingest("epoch_ml_hardware", make_settings("bundled", publishers=vendored))


@pytest.mark.parametrize("text, message", [
    ("{not json", "not a readable manifest"),
    ('{"files": {}}', "'files' list"),
    ('{"files": [{"path": "epoch/ml_hardware.csv"}]}', "entry 1: missing source"),
])
def test_an_unreadable_manifest_is_a_clear_error(vendored, text, message):
    manifest_path(vendored).write_text(text)
    with pytest.raises(VendoredCopyError, match=message):
        load_manifest(vendored)


def test_refresh_bundled_replaces_copies_and_rewrites_the_manifest(tmp_path, loopback, hardware_zip,
                                                                   make_settings, monkeypatch):
    folder = tmp_path / "publishers"
    shutil.copytree(PUBLISHERS_DIR, folder)
    before = load_manifest(folder)
    good = dataclasses.replace(HARDWARE.descriptor, url=loopback.script("/hw.zip", ("ok", hardware_zip)))
    clusters = registry.get_source("epoch_gpu_clusters")
    broken = dataclasses.replace(clusters.descriptor, url=loopback.script("/c.csv", ("status", 404)))
    monkeypatch.setitem(registry.LIVE_SOURCES, "epoch_ml_hardware", dataclasses.replace(HARDWARE, descriptor=good))
    monkeypatch.setitem(registry.LIVE_SOURCES, "epoch_gpu_clusters", dataclasses.replace(clusters, descriptor=broken))
    monkeypatch.setitem(registry.ROW_FLOORS, "epoch_ml_hardware", 3)
    settings = make_settings("live", publishers=folder)
    with pytest.raises(VendoredCopyError, match=r"refreshed 1 source\(s\); kept the old copy of 1: epoch_gpu_clusters: .*404"):
        registry.refresh_bundled(settings, ["epoch_ml_hardware", "epoch_gpu_clusters"],
                                 http=registry.HttpOptions(retries=0))
    after = load_manifest(folder)
    assert after["epoch_gpu_clusters"] == before["epoch_gpu_clusters"]
    entry = after["epoch_ml_hardware"]
    assert entry.path == "epoch/ml_hardware.csv" and entry.url == good.landed_url
    assert entry.retrieved == entry.vintage.removeprefix("as served on ")
    data, _ = read_vendored(folder, "epoch_ml_hardware")
    assert b"Synthetic Accelerator X1" in data  # the member, extracted from the zip
    json.loads(manifest_path(folder).read_text())  # still a valid document
    assert registry.ingest("epoch_ml_hardware", make_settings("bundled", publishers=folder))[0].sha256 \
        == entry.sha256


def test_a_bad_vendored_copy_leaves_the_published_warehouse_and_landing_as_they_were(vendored, make_settings):
    import hashlib

    from orchestration.steps.ingest import ingest_source

    settings = make_settings("bundled", publishers=vendored)
    ingest_source(settings, "epoch_ml_hardware", "run-1", publish=True)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in [settings.duckdb_path, *sorted((settings.landing_dir / "epoch_ml_hardware").iterdir())]}
    path = vendored / "epoch" / "ml_hardware.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(VendoredCopyError, match="ml_hardware.csv: fails its checksum"):
        ingest_source(settings, "epoch_ml_hardware", "run-2", publish=True)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in [settings.duckdb_path, *sorted((settings.landing_dir / "epoch_ml_hardware").iterdir())]}
    assert after == before


def test_refresh_saves_under_the_publishers_name_and_drops_the_resaved_copy(tmp_path, loopback,
                                                                           make_settings, monkeypatch):
    folder = tmp_path / "publishers"
    shutil.copytree(PUBLISHERS_DIR, folder)
    usage = registry.get_source("epoch_ai_companies_usage_reports")
    old = load_manifest(folder)[usage.descriptor.name]
    served = (folder / old.path).read_bytes()
    url = loopback.script("/data/ai_companies_usage_reports.csv", ("ok", served))
    monkeypatch.setitem(registry.LIVE_SOURCES, usage.descriptor.name,
                        dataclasses.replace(usage, descriptor=dataclasses.replace(usage.descriptor, url=url)))
    registry.refresh_bundled(make_settings("live", publishers=folder), [usage.descriptor.name],
                             http=registry.HttpOptions(retries=0))
    entry = load_manifest(folder)[usage.descriptor.name]
    assert entry.path == "epoch/ai_companies_usage_reports.csv" != old.path
    assert not (folder / old.path).exists() and (folder / entry.path).read_bytes() == served
