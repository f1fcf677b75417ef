"""Drifted and malformed publisher files: renamed columns (aliases), missing optional and
required columns, bad cells -> quarantine, empty and header-only files, markup in names, wrong
encodings, broken JSON."""

import dataclasses
import json
from datetime import date

import pandas as pd
import pytest

from orchestration.sources import mlperf, openrouter
from orchestration.sources.json_records import parse_json_records_bytes
from orchestration.sources.registry import get_source
from orchestration.sources.tabular import SourceFormatError, empty_result

HARDWARE = get_source("epoch_ml_hardware")


def mlperf_round(version: str):
    """The MLPerf connector's parse for a round (also one not registered)."""
    spec = dataclasses.replace(get_source("mlperf_inference_v5_1").spec, source=mlperf.source_name(version))
    return lambda data, label: parse_json_records_bytes(data, spec, label)

LABEL = "https://epoch.ai/data/ml_hardware.zip#ml_hardware.csv"


def hardware(kit, header=None, rows=None) -> bytes:
    return kit.csv_bytes(header or kit.HARDWARE_HEADER, rows or kit.HARDWARE_ROWS)


def rename(header, old, new):
    return [new if h == old else h for h in header]


def drop(header, rows, name):
    i = header.index(name)
    return header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]


def test_renamed_memory_column_via_alias(kit):
    header = rename(kit.HARDWARE_HEADER, "Memory (bytes)", "Memory size per board (Byte)")
    result = HARDWARE.parse_bytes(hardware(kit, header), LABEL)
    assert list(result.frame["memory_bytes"][:2]) == [96e9, 192e9]


def test_reordered_columns_and_case_drift(kit):
    header = list(reversed(kit.HARDWARE_HEADER))
    rows = [list(reversed(r)) for r in kit.HARDWARE_ROWS]
    header = rename(header, "Memory bandwidth (byte/s)", "Memory  Bandwidth (Byte/s)")
    result = HARDWARE.parse_bytes(kit.csv_bytes(header, rows), LABEL)
    assert result.frame.loc[1, "memory_bandwidth_bytes_per_s"] == 8e12
    assert result.frame.loc[0, "hardware_name"] == "Synthetic Accelerator X1"


def test_missing_optional_column_is_empty(kit):
    header, rows = drop(kit.HARDWARE_HEADER, kit.HARDWARE_ROWS, "Notes")
    result = HARDWARE.parse_bytes(kit.csv_bytes(header, rows), LABEL)
    assert "notes" in result.frame.columns and result.frame["notes"].isna().all()
    assert len(result.frame) == 3 and result.quarantine.empty


def test_missing_required_column_names_file_and_column(kit):
    header, rows = drop(kit.HARDWARE_HEADER, kit.HARDWARE_ROWS, "TDP (W)")
    with pytest.raises(SourceFormatError) as info:
        HARDWARE.parse_bytes(kit.csv_bytes(header, rows), LABEL)
    message = str(info.value)
    assert message.startswith(LABEL)
    assert "'tdp_w'" in message and "'TDP (W)'" in message


@pytest.mark.parametrize("dataset_header", [
    "Training dataset size (datapoints)", "Training dataset size (gradients)",
    "Training dataset size (total)", "(DEPRECATED) Training dataset size (datapoints)",
])
def test_dataset_size_column_drift(kit, dataset_header):
    header = ["Model", "Organization", "Publication date", "Parameters",
              "Training compute (FLOP)", dataset_header]
    rows = [["Synthetic LM 7B", "Example Lab", "2024-05-01", "7000000000", "4.2e23", "1e13"]]
    result = get_source("epoch_notable_ai_models").parse_bytes(kit.csv_bytes(header, rows), "notable_ai_models.csv")
    assert result.frame.loc[0, "training_dataset_size"] == 1e13
    assert result.frame.loc[0, "training_compute_flop"] == 4.2e23


def test_bare_dataset_size_column_is_not_mistaken_for_a_number(kit):
    # the frontier file's bare 'Training dataset size' holds model names
    header = ["Model", "Organization", "Publication date", "Parameters",
              "Training compute (FLOP)", "Training dataset size"]
    rows = [["Synthetic LM", "Example Lab", "2024-05-01", "7e9", "4.2e23", "Synthetic LM"]]
    result = get_source("epoch_frontier_ai_models").parse_bytes(kit.csv_bytes(header, rows), "frontier.csv")
    assert result.quarantine.empty and result.frame["training_dataset_size"].isna().all()


def test_bad_numbers_and_dates_are_quarantined_with_row_and_column(kit):
    rows = [list(r) for r in kit.HARDWARE_ROWS]
    rows[1][kit.HARDWARE_HEADER.index("TDP (W)")] = "about 1 kW"
    rows[2][kit.HARDWARE_HEADER.index("Release date")] = "Q3 2025"
    result = HARDWARE.parse_bytes(hardware(kit, rows=rows), LABEL)
    assert list(result.frame["hardware_name"]) == ["Synthetic Accelerator X1"]
    q = result.quarantine.set_index("row_number")
    assert q.loc[2, "column_name"] == "tdp_w" and q.loc[2, "value"] == "about 1 kW"
    assert f"{LABEL}, row 2, column 'tdp_w'" in q.loc[2, "reason"]
    assert q.loc[3, "column_name"] == "release_date" and "row 3" in q.loc[3, "reason"]
    assert set(result.quarantine["source"]) == {"epoch_ml_hardware"}


def test_duplicate_key_is_quarantined(kit):
    rows = [*kit.HARDWARE_ROWS, list(kit.HARDWARE_ROWS[0])]
    result = HARDWARE.parse_bytes(hardware(kit, rows=rows), LABEL)
    assert len(result.frame) == 3
    assert "duplicate key (first seen in row 1)" in result.quarantine.iloc[0]["reason"]


def test_empty_file_is_a_format_error():
    for data in (b"", b"  \n\n"):
        with pytest.raises(SourceFormatError, match="ml_hardware.csv: the file is empty"):
            HARDWARE.parse_bytes(data, "ml_hardware.csv")


def test_header_only_gives_an_empty_typed_table(kit):
    result = HARDWARE.parse_bytes(kit.csv_bytes(kit.HARDWARE_HEADER, []), LABEL)
    assert result.frame.empty and result.quarantine.empty
    assert list(result.frame.columns) == HARDWARE.spec.names
    assert str(result.frame["tdp_w"].dtype) == "Float64"
    empty = empty_result(HARDWARE.spec)
    assert list(empty.frame.columns) == HARDWARE.spec.names and empty.frame.empty


def test_markup_in_a_name_is_kept_as_literal_text(kit):
    rows = [list(r) for r in kit.HARDWARE_ROWS]
    rows[0][0] = '<script>alert("x")</script> & <b>X1</b>'
    rows[0][3] = "=HYPERLINK(\"http://example.invalid\")"
    result = HARDWARE.parse_bytes(hardware(kit, rows=rows), LABEL)
    assert result.frame.loc[0, "hardware_name"] == '<script>alert("x")</script> & <b>X1</b>'
    assert result.frame.loc[0, "notes"].startswith("=HYPERLINK")


def test_wrong_encoding_is_a_format_error_naming_the_file(kit):
    rows = [list(r) for r in kit.HARDWARE_ROWS]
    rows[0][1] = "Zürich Chips AG"
    text = kit.csv_bytes(kit.HARDWARE_HEADER, rows).decode("utf-8")
    with pytest.raises(SourceFormatError, match=r"ml_hardware.csv: not UTF-8"):
        HARDWARE.parse_bytes(text.encode("cp1252"), "ml_hardware.csv")
    with pytest.raises(SourceFormatError, match="not UTF-8"):
        HARDWARE.parse_bytes(text.encode("utf-16"), "ml_hardware.csv")
    # a UTF-8 byte-order mark (spreadsheet export) is fine
    result = HARDWARE.parse_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), "ml_hardware.csv")
    assert result.frame.loc[0, "manufacturer"] == "Zürich Chips AG"


def test_spreadsheet_dates_and_exponent_numbers(kit):
    header = ["Id", "Company", "Active users", "Active users time period", "Daily tokens",
              "Daily messages", "Date", "Report date", "Source 1", "Exclude from graph view"]
    rows = [["Synthetic 1T tokens", "Example AI", "", "", "1.33E+11", "4.51E+08", "2/9/2024",
             "2024-02-09", "https://example.invalid/a", "TRUE"],
            ["Synthetic users", "Example AI", "5.00E+07", "Weekly", "", "", "12/31/2025",
             "1/5/2026", "https://example.invalid/b", ""]]
    result = get_source("epoch_ai_companies_usage_reports").parse_bytes(kit.csv_bytes(header, rows), "usage.csv")
    frame = result.frame
    assert frame.loc[0, "tokens_per_day"] == 1.33e11 and frame.loc[0, "date"] == date(2024, 2, 9)
    assert frame.loc[1, "active_users"] == 5e7 and frame.loc[1, "report_date"] == date(2026, 1, 5)
    assert bool(frame.loc[0, "exclude_from_graph_view"]) is True
    assert frame["notes"].isna().all()  # optional column absent


def test_mlperf_json_records(kit):
    records = [
        {"ID": "9.9-0001", "Submitter": "Example", "System": "Box <1>", "Model": "llama2-70b-99",
         "Scenario": "Offline", "Accelerator": "Synthetic X1", "a#": 8, "Nodes": 1,
         "Performance_Result": 1234.5, "Performance_Units": "Tokens/s", "has_power": True,
         "Power_Result": 5000.0, "Power_Units": "Watts"},
        {"ID": "9.9-0002", "Submitter": "Example", "System": "Box", "Model": "resnet",
         "Scenario": "Server", "Accelerator": "", "a#": "", "Nodes": 1,
         "Performance_Result": "n/a", "Performance_Units": "Queries/s", "has_power": False},
        {"ID": "9.9-0003", "Submitter": "Example", "System": "Box", "Model": "resnet",
         "Scenario": "Offline", "Accelerator": None, "a#": None, "Nodes": 2,
         "Performance_Result": 1e5, "Performance_Units": "Samples/s", "has_power": False},
    ]
    parse = mlperf_round("9.9")
    result = parse(json.dumps(records).encode(), "summary_results.json")
    frame = result.frame
    assert list(frame["result_id"]) == ["9.9-0001", "9.9-0003"]
    assert frame.loc[0, "system"] == "Box <1>" and frame.loc[0, "power_result"] == 5000.0
    assert frame.loc[1, "performance_result"] == 1e5
    assert pd.isna(frame.loc[1, "accelerator"]) and pd.isna(frame.loc[1, "accelerators_per_node"])
    q = result.quarantine.iloc[0]
    assert (q["row_number"], q["column_name"], q["value"]) == (2, "performance_result", "n/a")


@pytest.mark.parametrize("data, message", [
    (b"<html>rate limited</html>", "not valid JSON"),
    (b'{"results": []}', "expected a JSON array"),
    (b"[]", "holds no records"),
    (b"[1, 2]", "record 1 is a int"),
    (b"", "the file is empty"),
])
def test_mlperf_malformed_json(data, message):
    with pytest.raises(SourceFormatError, match=message):
        mlperf_round("5.1")(data, "summary_results.json")


def test_mlperf_missing_required_key():
    records = [{"ID": "1", "Submitter": "x", "System": "y", "Model": "m", "Scenario": "Offline",
                "a#": 1, "Nodes": 1, "Performance_Result": 1.0, "Performance_Units": "Tokens/s"}]
    with pytest.raises(SourceFormatError, match=r"summary_results.json: .*'accelerator'"):
        mlperf_round("5.1")(json.dumps(records).encode(), "summary_results.json")


def test_mlperf_round_names():
    assert mlperf.source_name("v5.1") == "mlperf_inference_v5_1"
    assert mlperf.descriptor("5.0").url == (
        "https://raw.githubusercontent.com/mlcommons/inference_results_v5.0/main/summary_results.json")
    with pytest.raises(ValueError):
        mlperf.source_name("latest")


def test_openrouter_documented_columns(kit):
    assert openrouter.DESCRIPTOR.verified is False
    header = ["date", "model_permaslug", "rank", "total_tokens", "share_of_daily_tokens"]
    rows = [["2025-11-30", "example/model-a-20250101", "1", "412345678901", "0.21"],
            ["2025-11-30", "example/model-b", "2", "2.1E+11", "0.107"],
            ["2025-11-30", "example/model-c", "3", "lots", "0.05"],
            ["2025-11-30", "example/model-a-20250101", "1", "1", "0.0"]]
    result = get_source("openrouter_rankings_daily").parse_bytes(kit.csv_bytes(header, rows), "latest.csv")
    assert list(result.frame["model_permaslug"]) == ["example/model-a-20250101", "example/model-b"]
    assert result.frame.loc[1, "total_tokens"] == 2.1e11
    assert result.frame.loc[0, "date"] == date(2025, 11, 30)
    reasons = list(result.quarantine["reason"])
    assert "row 3, column 'total_tokens'" in reasons[0] and "duplicate key" in reasons[1]
