"""Live mode against a loopback HTTP server (127.0.0.1, port 0) serving publisher-format bytes:
success, retry after HTTP 500, timeout -> last good file flagged stale, truncated zip -> failure
or fallback, and never a half-written landing file."""

import dataclasses
import json

import pytest

from orchestration.sources import epoch, registry
from orchestration.sources.fetch import (
    FetchError,
    HttpOptions,
    SourceUnavailableError,
    acquire,
    extract_member,
    fetch_live_bytes,
    http_get,
)
from orchestration.sources.landing import latest

FAST = HttpOptions(timeout=2.0, retries=2, backoff=0.01, max_backoff=0.05)


@pytest.fixture
def served_hardware(monkeypatch, loopback):
    """Point the registry's Epoch hardware source at the loopback server; returns a scripter."""

    def _serve(*actions):
        url = loopback.script("/data/ml_hardware.zip", *actions)
        entry = registry.LIVE_SOURCES["epoch_ml_hardware"]
        descriptor = dataclasses.replace(entry.descriptor, url=url)
        monkeypatch.setitem(registry.LIVE_SOURCES, "epoch_ml_hardware",
                            dataclasses.replace(entry, descriptor=descriptor))
        return descriptor

    return _serve


def _folder(settings):
    return settings.landing_dir / "epoch_ml_hardware"


def test_live_success_lands_member_and_parses(served_hardware, make_settings, hardware_zip,
                                              hardware_csv, kit, loopback):
    descriptor = served_hardware(("ok", hardware_zip))
    settings = make_settings("live")
    landed, parsed = registry.ingest("epoch_ml_hardware", settings, http=FAST)
    assert landed.mode == "live" and not landed.stale
    assert landed.url == descriptor.url + "#ml_hardware.csv"
    assert landed.path.read_bytes() == hardware_csv  # the member, extracted in memory
    assert landed.path.parent == _folder(settings) and landed.path.suffix == ".csv"
    assert latest(settings.landing_dir, "epoch_ml_hardware").sha256 == landed.sha256
    provenance = json.loads(landed.path.with_name(landed.path.name + ".json").read_text())
    assert provenance["licence"] == "CC BY 4.0" and provenance["mode"] == "live"
    assert landed.retrieved == landed.fetched_at[:10] == provenance["retrieved"]  # served today
    assert landed.title == "Epoch AI, Machine Learning Hardware"
    frame = parsed.frame
    assert list(frame["hardware_name"]) == ["Synthetic Accelerator X1", "Synthetic Accelerator X2",
                                            "Synthetic NPU N1"]
    assert frame.loc[0, "tensor_fp16_bf16_flop_per_s"] == 1e15  # '1.0E+15'
    assert frame.loc[0, "notes"] == "Line one\nline two, with a comma"
    assert parsed.quarantine.empty
    kit.assert_landing_complete(_folder(settings))
    assert loopback.hits["/data/ml_hardware.zip"] == 1


def test_http_500_then_success_is_retried(served_hardware, make_settings, hardware_zip, loopback):
    served_hardware(("status", 500), ("status", 503), ("ok", hardware_zip))
    sleeps: list[float] = []
    landed, parsed = registry.ingest("epoch_ml_hardware", make_settings("live"), http=FAST,
                                     sleep=sleeps.append)
    assert not landed.stale and len(parsed.frame) == 3
    assert loopback.hits["/data/ml_hardware.zip"] == 3
    assert sleeps == [0.01, 0.02]  # exponential backoff


def test_backoff_is_capped_and_attempts_bounded(loopback):
    url = loopback.script("/always500", ("status", 500))
    descriptor = dataclasses.replace(epoch.ML_HARDWARE, url=url, zip_member=None)
    sleeps: list[float] = []
    options = HttpOptions(timeout=2.0, retries=4, backoff=0.01, max_backoff=0.03)
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch_live_bytes(descriptor, options, sleep=sleeps.append)
    assert sleeps == [0.01, 0.02, 0.03, 0.03]
    assert loopback.hits["/always500"] == 5


def test_http_404_is_not_retried(loopback):
    url = loopback.script("/missing", ("status", 404))
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch_live_bytes(dataclasses.replace(epoch.ML_HARDWARE, url=url), FAST,
                         sleep=lambda s: None)
    assert not info.value.retryable
    assert loopback.hits["/missing"] == 1


def test_timeout_falls_back_to_last_good_marked_stale(served_hardware, make_settings, hardware_zip,
                                                      kit, loopback):
    settings = make_settings("live")
    served_hardware(("ok", hardware_zip))
    good, _ = registry.ingest("epoch_ml_hardware", settings, http=FAST)
    before = kit.landing_listing(_folder(settings))

    served_hardware(("sleep", 1.0, hardware_zip))
    tiny = HttpOptions(timeout=0.15, retries=1, backoff=0.01)
    landed, parsed = registry.ingest("epoch_ml_hardware", settings, http=tiny)
    assert landed.stale is True
    assert landed.sha256 == good.sha256 and landed.path == good.path
    assert "timed out" in landed.note and "last good" in landed.note
    assert len(parsed.frame) == 3
    assert loopback.hits["/data/ml_hardware.zip"] == 2  # one retry
    assert kit.landing_listing(_folder(settings)) == before
    # the pointer still names the good file, and is not itself marked stale
    assert latest(settings.landing_dir, "epoch_ml_hardware").stale is False


def test_timeout_without_last_good_is_a_clear_error(served_hardware, make_settings, kit):
    settings = make_settings("live")
    served_hardware(("sleep", 1.0, b"late"))
    with pytest.raises(SourceUnavailableError, match="no last good landing file") as info:
        registry.ingest("epoch_ml_hardware", settings,
                        http=HttpOptions(timeout=0.15, retries=0))
    assert "epoch_ml_hardware" in str(info.value) and "timed out" in str(info.value)
    assert kit.landing_listing(_folder(settings)) == []


@pytest.mark.parametrize("truncation", ["served_short", "connection_cut"])
def test_truncated_zip_never_lands(served_hardware, make_settings, hardware_zip, kit, truncation):
    settings = make_settings("live")
    half = len(hardware_zip) // 2
    bad = (("ok", hardware_zip[:half]) if truncation == "served_short"
           else ("short", hardware_zip, half))
    served_hardware(bad)
    with pytest.raises(SourceUnavailableError):
        registry.ingest("epoch_ml_hardware", settings, http=FAST, sleep=lambda s: None)
    assert kit.landing_listing(_folder(settings)) == []

    served_hardware(("ok", hardware_zip))
    good, _ = registry.ingest("epoch_ml_hardware", settings, http=FAST)
    served_hardware(bad)
    landed, parsed = registry.ingest("epoch_ml_hardware", settings, http=FAST,
                                     sleep=lambda s: None)
    assert landed.stale and landed.sha256 == good.sha256 and len(parsed.frame) == 3
    assert ("zip" in landed.note) if truncation == "served_short" else ("truncated" in landed.note
                                                                         or "closed" in landed.note)
    listing = kit.landing_listing(_folder(settings))
    assert listing == sorted([good.path.name, good.path.name + ".json", "LATEST"])
    kit.assert_landing_complete(_folder(settings))


def test_corrupt_member_crc_and_missing_member(hardware_zip, hardware_csv, kit):
    # flip a byte inside the compressed member data: CRC or inflate error, never silent garbage
    corrupt = bytearray(hardware_zip)
    corrupt[60] ^= 0xFF
    with pytest.raises(FetchError):
        extract_member(bytes(corrupt), "ml_hardware.csv", "test.zip")
    with pytest.raises(FetchError, match="no member 'notable_ai_models.csv'") as info:
        extract_member(hardware_zip, "notable_ai_models.csv", "test.zip")
    assert not info.value.retryable
    nested = kit.zip_bytes({"data/ml_hardware.csv": hardware_csv})
    assert extract_member(nested, "ml_hardware.csv", "test.zip") == hardware_csv


def test_html_error_page_is_rejected_before_landing(served_hardware, make_settings, hardware_zip,
                                                    kit):
    settings = make_settings("live")
    served_hardware(("ok", hardware_zip))
    good, _ = registry.ingest("epoch_ml_hardware", settings, http=FAST)
    # a captive portal / error page served with 200 inside a zip of the right name
    page = b"<html><body><h1>Service unavailable</h1></body></html>"
    served_hardware(("ok", kit.zip_bytes({"ml_hardware.csv": page})))
    landed, _ = registry.ingest("epoch_ml_hardware", settings, http=FAST)
    assert landed.stale and landed.sha256 == good.sha256
    assert "missing required column" in landed.note
    assert latest(settings.landing_dir, "epoch_ml_hardware").sha256 == good.sha256
    kit.assert_landing_complete(_folder(settings))


def test_acquire_plain_csv_without_validation(loopback, make_settings, hardware_csv):
    url = loopback.script("/gpu_clusters.csv", ("ok", hardware_csv))
    descriptor = dataclasses.replace(epoch.ML_HARDWARE, name="plain_csv", url=url,
                                     zip_member=None)
    landed = acquire(descriptor, make_settings("live"), http=FAST)
    assert landed.url == url and landed.path.read_bytes() == hardware_csv


def test_only_http_urls_are_fetched():
    with pytest.raises(FetchError, match="only http"):
        http_get("file:///etc/passwd", FAST)
