"""The bundled accelerator table: parses cleanly and holds the facts the brief rests on."""

import pandas as pd
import pytest

from orchestration.settings import SNAPSHOT_DIR, Settings
from orchestration.sources import registry
from orchestration.sources.landing import latest
from orchestration.sources.snapshot import SNAPSHOT_TABLES
from orchestration.sources.tabular import SourceFormatError

ACCELERATORS = registry.get_source("snapshot_accelerators")
NUMERIC = [c.name for c in ACCELERATORS.spec.columns if c.kind == "number"]


def _settings(home, snapshot_dir=SNAPSHOT_DIR, mode="bundled") -> Settings:
    # mirror mode needs a mirror folder (an empty one here: the snapshot tables do not read it)
    return Settings(home=home, duckdb_path=home / "w.duckdb", source_mode=mode,
                    mirror_dir=home if mode == "mirror" else None, snapshot_dir=snapshot_dir)


@pytest.fixture(scope="module")
def accelerators(tmp_path_factory) -> pd.DataFrame:
    landed, parsed = registry.ingest(ACCELERATORS.descriptor.name, _settings(tmp_path_factory.mktemp("home")))
    assert landed.url == "data/snapshot/accelerators.csv" and landed.mode == "bundled"
    assert parsed.quarantine.empty, parsed.quarantine["reason"].tolist()
    return parsed.frame.set_index("accelerator_id")


@pytest.mark.parametrize("name", [d.name for d in SNAPSHOT_TABLES])
def test_every_snapshot_table_parses_cleanly_above_its_floor(name, tmp_path):
    landed, parsed = registry.ingest(name, _settings(tmp_path))
    assert parsed.quarantine.empty, parsed.quarantine["reason"].tolist()[:5]
    assert len(parsed.frame) >= registry.ROW_FLOORS[name]
    assert parsed.frame["source_url"].str.match(r"^https?://").all()


@pytest.mark.parametrize("mode", ["mirror", "live"])
def test_snapshot_tables_land_the_bundled_file_in_every_mode(mode, tmp_path):
    landed, _ = registry.ingest(ACCELERATORS.descriptor.name, _settings(tmp_path, mode=mode))
    assert landed.mode == "bundled" and not landed.stale


def test_covers_the_major_chips(accelerators):
    required = {"nvidia-a100-sxm-80gb", "nvidia-h100-sxm", "nvidia-h200-sxm", "nvidia-b200",
                "amd-mi300x", "google-tpu-v5e", "google-tpu-v5p", "google-tpu-v6e",
                "aws-trainium2", "aws-inferentia2", "intel-gaudi3"}
    assert required <= set(accelerators.index)
    assert len(accelerators) >= 15
    assert accelerators["vendor"].nunique() >= 6


def test_h100_is_dense_and_flagged(accelerators):
    h100 = accelerators.loc["nvidia-h100-sxm"]
    assert h100["bf16_dense_flop_per_s"] == pytest.approx(9.894e14, rel=0.01)  # 1,979 sparse / 2
    assert h100["memory_bandwidth_bytes_per_s"] == pytest.approx(3.35e12)
    assert bool(h100["sparse_headline"]) is True
    trn2 = accelerators.loc["aws-trainium2"]
    assert trn2["bf16_dense_flop_per_s"] == pytest.approx(6.67e14, rel=0.01)  # not the 2,563 sparse


def test_unknowns_are_empty_never_zero(accelerators):
    values = accelerators[NUMERIC]
    assert not (values == 0).any().any()
    assert accelerators.loc["nvidia-v100-sxm2", "fp8_dense_flop_per_s"] is pd.NA  # no FP8 on Volta
    assert pd.isna(accelerators.loc["google-tpu-v5p", "tdp_w"])  # Google publishes no TPU TDP


def test_every_row_has_provenance(accelerators):
    assert accelerators["source_url"].str.match(r"^https?://").all()
    assert accelerators["retrieved"].notna().all()


def test_fp8_never_below_bf16(accelerators):
    both = accelerators.dropna(subset=["fp8_dense_flop_per_s", "bf16_dense_flop_per_s"])
    assert (both["fp8_dense_flop_per_s"] >= both["bf16_dense_flop_per_s"]).all()


def test_landing_is_content_addressed_and_idempotent(tmp_path):
    settings = _settings(tmp_path)
    first, _ = registry.ingest(ACCELERATORS.descriptor.name, settings)
    second, _ = registry.ingest(ACCELERATORS.descriptor.name, settings)
    assert first.sha256 == second.sha256 and first.path == second.path
    files = {p.name for p in (settings.landing_dir / ACCELERATORS.descriptor.name).iterdir()}
    assert files == {"LATEST", f"{first.sha256}.csv", f"{first.sha256}.csv.json"}
    assert latest(settings.landing_dir, ACCELERATORS.descriptor.name).sha256 == first.sha256


def test_broken_snapshot_names_file_row_and_column(tmp_path):
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    header = ",".join(ACCELERATORS.spec.names)
    good = "x-a,acme,A,gpu,2024-01-01,1e15,,,,,8e10,3e12,,,700,,false,,https://a.example,2026-11-26"
    bad = "x-b,acme,B,gpu,2024-01-01,lots,,,,,8e10,3e12,,,700,,false,,https://a.example,2026-11-26"
    (snapshot / "accelerators.csv").write_text(f"{header}\n{good}\n{bad}\n")
    _, parsed = registry.ingest(ACCELERATORS.descriptor.name, _settings(tmp_path, snapshot))
    assert list(parsed.frame["accelerator_id"]) == ["x-a"]
    reason = parsed.quarantine["reason"].iloc[0]
    assert "data/snapshot/accelerators.csv" in reason and "row 2" in reason
    assert "bf16_dense_flop_per_s" in reason and "lots" in parsed.quarantine["value"].iloc[0]

    (snapshot / "accelerators.csv").write_text("accelerator_id,vendor\nx,y\n")
    with pytest.raises(SourceFormatError, match=r"accelerators.csv: missing required column.*'name'"):
        registry.ingest(ACCELERATORS.descriptor.name, _settings(tmp_path, snapshot))
