"""Every real publisher file parses through its connector, with real content checked. The files
are the vendored copies in ``data/publishers`` (always present); the drift variants that are not
vendored (an older Epoch schema) are read from the real-data folder (``../shared/data``) and skip
when it is absent."""

import fnmatch
from datetime import date

import pandas as pd
import pytest

from orchestration.settings import PUBLISHERS_DIR
from orchestration.sources.registry import LIVE_SOURCES
from tests.sources.known_quarantine import KNOWN_QUARANTINE, assert_known_quarantine

# file (relative to the real-data folder) -> (source, rows)
EXPECTED = {
    "epoch/ml_hardware.csv": ("epoch_ml_hardware", 170),
    "epoch/ml_hardware_2025-11_older_schema.csv": ("epoch_ml_hardware", 169),
    "epoch/notable_ai_models.csv": ("epoch_notable_ai_models", 942),  # 3 quarantined (lists)
    "epoch/frontier_ai_models.csv": ("epoch_frontier_ai_models", 131),
    "epoch/large_scale_ai_models.csv": ("epoch_large_scale_ai_models", 471),
    "epoch/ai_companies_usage_reports_spreadsheet_resaved.csv":
        ("epoch_ai_companies_usage_reports", 44),
    "epoch/ai_companies_compute_spend_spreadsheet_resaved.csv":
        ("epoch_ai_companies_compute_spend", 11),
    "epoch/gpu_clusters.csv": ("epoch_gpu_clusters", 786),
    "epoch/data_centers_spreadsheet_resaved.csv": ("epoch_data_centers", 16),
    "epoch/data_center_timelines_spreadsheet_resaved.csv": ("epoch_data_center_timelines", 112),
    "mlperf/inference_v5.1_summary_results.json": ("mlperf_inference_v5_1", 1448),
    "mlperf/inference_v4.1_summary_results.json": ("mlperf_inference_v4_1", 937),
}


def claimants(relative: str) -> list[str]:
    """The sources whose mirror patterns match a file."""
    return [name for name, src in LIVE_SOURCES.items()
            if any(fnmatch.fnmatch(relative, p) for p in src.descriptor.mirror_patterns)]


def parse_real(request, relative: str):
    """Parse a real file: the vendored copy, else the drift variant in the real-data folder."""
    source, _ = EXPECTED[relative]
    path = PUBLISHERS_DIR / relative
    if not path.exists():
        path = request.getfixturevalue("real_data") / relative  # skips without ../shared/data
    return LIVE_SOURCES[source].parse_bytes(path.read_bytes(), relative)


def row(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    hits = frame[frame[column] == value]
    assert len(hits) == 1, f"{len(hits)} rows with {column} == {value!r}"
    return hits.iloc[0]


def test_every_vendored_file_is_claimed_by_a_connector():
    _assert_claimed(PUBLISHERS_DIR)


def test_every_real_data_file_is_claimed_by_a_connector(real_data):
    _assert_claimed(real_data)


def _assert_claimed(folder):
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.suffix in (".csv", ".json") and p.name != "MANIFEST.json")
    assert files, f"{folder} holds no data files"
    for relative in files:
        assert relative in EXPECTED, f"new real file {relative}: add it to EXPECTED"
        assert EXPECTED[relative][0] in claimants(relative), f"{relative} matches no mirror pattern"


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_real_file_parses_without_quarantine(request, relative):
    """Every row loads but the known ones (``known_quarantine``): rows counts the file's records."""
    source, rows = EXPECTED[relative]
    result = parse_real(request, relative)
    assert len(result.frame) == rows - len(KNOWN_QUARANTINE.get(source, {}))
    assert_known_quarantine(source, result.quarantine)
    assert list(result.frame.columns) == LIVE_SOURCES[source].spec.names


def test_ml_hardware_h100(request):
    frame = parse_real(request, "epoch/ml_hardware.csv").frame
    h100 = row(frame, "hardware_name", "NVIDIA H100 SXM5 80GB")
    assert h100["tensor_fp16_bf16_flop_per_s"] == 989.4e12  # dense BF16, as Epoch publishes it
    assert h100["memory_bytes"] == 80e9
    assert h100["memory_bandwidth_bytes_per_s"] == 3.35e12
    assert h100["tdp_w"] == 700
    assert h100["release_date"] == date(2022, 9, 20)
    assert h100["manufacturer"] == "NVIDIA"
    # 'Notes' cells contain newlines inside quotes: they stay one cell.
    trainium3 = row(frame, "hardware_name", "Amazon Trainium3")
    assert "\n" in trainium3["notes"]
    assert trainium3["release_date"] == date(2025, 12, 2)
    assert frame["release_date"].isna().sum() == 11  # blank release dates stay empty, not dropped


def test_ml_hardware_older_schema(request):
    frame = parse_real(request, "epoch/ml_hardware_2025-11_older_schema.csv").frame
    h100 = row(frame, "hardware_name", "NVIDIA H100 SXM5 80GB")
    assert h100["memory_bytes"] == 80e9  # was 'Memory size per board (Byte)'
    assert h100["tensor_fp16_bf16_flop_per_s"] == 989.4e12
    assert frame["notes"].isna().all()  # no 'Notes' column in this release


def test_notable_models(request):
    frame = parse_real(request, "epoch/notable_ai_models.csv").frame
    llama = row(frame, "model", "Llama 3.1-405B")
    assert llama["training_compute_flop"] == pytest.approx(3.8e25)
    assert llama["parameters"] == 405e9
    assert llama["training_dataset_size"] == 15.6e12  # 'Training dataset size (gradients)'
    assert llama["publication_date"] == date(2024, 7, 23)
    assert row(frame, "model", "GPT-4")["training_compute_flop"] == pytest.approx(2.1e25)
    # 507 filled in the file; two of them on rows quarantined for a two-number dataset size
    assert frame["training_compute_flop"].notna().sum() == 505
    assert "AbLang (heavy sequences)" not in set(frame["model"])  # '2260275840,2290000001'
    assert frame["training_dataset_size"].max() < 1e16  # no list read as one huge number


def test_frontier_and_large_scale_models(request):
    frontier = parse_real(request, "epoch/frontier_ai_models.csv").frame
    llama = row(frontier, "model", "Llama 3.1-405B")
    assert llama["post_training_compute_flop"] > 0
    assert frontier["inference_compute_flop"].notna().sum() == 27
    # the '(DEPRECATED) ... (datapoints)' column, not the bare 'Training dataset size' (names)
    assert frontier["training_dataset_size"].notna().sum() == 106
    large = parse_real(request, "epoch/large_scale_ai_models.csv").frame
    assert large["training_compute_flop"].notna().sum() == 284


def test_companies_spreadsheet_dates_and_numbers(request):
    usage = parse_real(request, "epoch/ai_companies_usage_reports_spreadsheet_resaved.csv").frame
    words = row(usage, "id", "100B words per day")
    assert words["tokens_per_day"] == 1.33e11  # '1.33E+11'
    assert words["date"] == date(2024, 2, 9)  # '2/9/2024'
    assert words["company"] == "OpenAI"
    spend = parse_real(request, "epoch/ai_companies_compute_spend_spreadsheet_resaved.csv").frame
    inference = row(spend, "id", "OpenAI 2024 inference")
    assert inference["amount_usd"] == 1.8e9
    assert inference["inference_compute_spend_usd"] == 1.8e9
    assert inference["date"] == date(2024, 12, 31)
    assert inference["report_date"] == date(2024, 10, 9)


def test_gpu_clusters_and_data_centers(request):
    clusters = parse_real(request, "epoch/gpu_clusters.csv").frame
    colossus = row(clusters, "name", "xAI Colossus Memphis Phase 1")
    assert colossus["h100_equivalents"] == pytest.approx(100_000, rel=1e-6)
    assert colossus["power_capacity_mw"] == 150
    assert colossus["first_operational_date"] == date(2024, 9, 2)
    assert colossus["chip_type_primary"] == "NVIDIA H100 SXM5 80GB"
    assert "2021-07" in set(clusters["decommissioned_date"].dropna())  # month-only, kept as text
    centers = parse_real(request, "epoch/data_centers_spreadsheet_resaved.csv").frame
    abilene = row(centers, "handle", "OpenAI-Oracle Stargate Abilene Texas")
    assert abilene["current_power_mw"] == 295
    timelines = parse_real(request, "epoch/data_center_timelines_spreadsheet_resaved.csv").frame
    first = timelines.iloc[0]
    assert first["date"] == date(2016, 9, 20)  # '9/20/2016'
    assert first["data_center"] == "Alibaba Zhangbei Zhangjiakou Hebei"


def test_mlperf_v5_1(request):
    frame = parse_real(request, "mlperf/inference_v5.1_summary_results.json").frame
    result = frame[(frame["result_id"] == "5.1-0061") & (frame["model"] == "llama2-70b-99")
                   & (frame["scenario"] == "Offline")].iloc[0]
    assert result["accelerator"] == "NVIDIA B200-SXM-180GB"
    assert result["accelerators_per_node"] == 8
    assert result["performance_result"] == 102909.0
    assert result["performance_units"] == "Tokens/s"
    assert result["power_result"] == pytest.approx(10401.0, abs=0.01)
    assert result["power_units"] == "Watts"
    assert bool(result["has_power"]) is True
    # 'a#' is '' where MLCommons left it blank: empty, not zero, and the row is kept
    assert frame["accelerators_per_node"].isna().sum() == 880
    # a host core count written as prose is kept as text
    assert frame["host_processor_core_count"].str.contains("AMD EPYC 9534", regex=False).any()


def test_mlperf_v4_1(request):
    frame = parse_real(request, "mlperf/inference_v4.1_summary_results.json").frame
    first = frame.iloc[0]
    assert (first["result_id"], first["scenario"]) == ("v4.1-0001", "Offline")
    assert first["accelerator"] == "AMD Instinct MI300X-NPS1-SPX-192GB-750W"
    assert first["performance_result"] == 3062.72
