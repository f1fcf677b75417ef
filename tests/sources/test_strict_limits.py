"""Issue 15: numbers read one way only, bounded reads, mirror mode without a mirror, clear causes.

- A number cell is plain decimal or scientific notation; thousands separators, decimal commas,
  lists, units, underflow to 0, overflow and over-long literals are quarantined with the reason.
- A file over the size, inflation or JSON-depth limits (``FLOPCAST_MAX_*``), or with a key repeated
  in a JSON object, is refused: that source falls back to its last good file; the run goes on.
- Mirror mode without a mirror folder is a configuration error naming the variable.
- A semicolon-separated file or rows with a trailing comma are reported as such.

Modules are reached through attributes inside the tests (not imported by name at the top), so
each test fails on its own against code without the feature.
"""

import json
import re
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings as hypothesis_settings, strategies as st

from orchestration import settings as settings_module
from orchestration.settings import PROJECT_ROOT, SNAPSHOT_DIR, load_settings
from orchestration.sources import fetch, json_records, registry, tabular
from orchestration.sources.cells import ParseLimits, limits
from orchestration.sources.tabular import Column, SourceFormatError, TableSpec, parse_csv_bytes
from tests.filebytes import csv_bytes, zip_bytes

SPEC = TableSpec(source="t", columns=(Column("id", "text", nullable=False), Column("x", "number")))
MLPERF = registry.get_source("mlperf_inference_v5_1")
HARDWARE = registry.get_source("epoch_ml_hardware")


def _parse(cell: str):
    return parse_csv_bytes(csv_bytes(["id", "x"], [["a", cell]]), SPEC, "t.csv")


# --- numbers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, value", [
    ("1.33E+11", 1.33e11), (" 42 ", 42.0), ("-0.5", -0.5), ("+3", 3.0), (".5", 0.5), ("5.", 5.0),
    ("0", 0.0), ("0.000e5", 0.0), ("1e-300", 1e-300), ("96000000000", 96e9),
])
def test_plain_numbers_load(cell, value):
    result = _parse(cell)
    assert result.quarantine.empty and result.frame.loc[0, "x"] == value


@pytest.mark.parametrize("cell, why", [
    ("1,234.5", "a comma"),                 # thousands separator: was 1234.5 by guess
    ("3,35", "a comma"),                    # decimal comma: was 335
    ("2260275840,2290000001", "a comma"),   # two values (Epoch's notable file): was 2.26e19
    ("96_000_000_000", "'_'"),              # was 96e9
    ("3.35 TB/s", "a unit"),
    ("1e-400", "would be read as 0"),       # underflow: was 0.0
    ("1e400", "not a finite number"),
    ("inf", "not a plain number"), ("nan", "not a plain number"),
    ("1" * 101, "101 characters long"),     # was 1.1e100
])
def test_other_spellings_are_quarantined_with_the_reason(cell, why):
    result = _parse(cell)
    assert result.frame.empty
    (reason,) = result.quarantine["reason"]
    assert reason.startswith("t.csv, row 1, column 'x': not a valid number: ") and why in reason, reason


def test_the_number_length_limit_comes_from_the_settings(tmp_path):
    assert load_settings({}).max_number_chars == 100
    short = settings_module.load_settings({"FLOPCAST_MAX_NUMBER_CHARS": "3"})
    with registry.limits(registry.parse_limits(short)):
        assert not _parse("1234").quarantine.empty and _parse("123").quarantine.empty


@hypothesis_settings(deadline=None, max_examples=300)
@given(st.text(alphabet="0123456789.,eE+- _x", max_size=12))
def test_the_column_parser_and_the_cell_parser_agree(cell):
    """The vectorised column path accepts exactly what ``parse_number`` accepts, same value."""
    result = _parse(cell)
    if not cell.strip():
        assert result.frame.loc[0, "x"] is tabular.pd.NA
        return
    try:
        expected = tabular.parse_number(cell)
    except ValueError:
        assert result.frame.empty and len(result.quarantine) == 1
    else:
        assert result.quarantine.empty and result.frame.loc[0, "x"] == expected


def _mlperf_json(result_literal: str) -> bytes:
    record = ('{"ID": "1", "Submitter": "S", "System": "B", "Model": "m", "Scenario": "Offline", '
              '"Accelerator": "X", "a#": 8, "Nodes": 1, "Performance_Result": %s, '
              '"Performance_Units": "Tokens/s"}')
    good = record.replace('"ID": "1"', '"ID": "2"') % "1234.5"
    return f"[{record % result_literal}, {good}]".encode()


@pytest.mark.parametrize("literal, why", [("1e-400", "would be read as 0"),
                                          ("9" * 5000, "5,000 characters long")])
def test_a_json_number_is_checked_as_written(literal, why):
    """An underflowing literal was loaded as 0.0; a 5,000-digit one crashed the source (Python's
    4,300-digit limit). Both now quarantine their row; the other row loads."""
    result = MLPERF.parse_bytes(_mlperf_json(literal), "summary.json")
    assert list(result.frame["result_id"]) == ["2"] and result.frame.loc[0, "performance_result"] == 1234.5
    (reason,) = result.quarantine["reason"]
    assert reason.startswith("summary.json, row 1, column 'performance_result': not a valid number")
    assert why in reason


def test_reference_accelerator_row_must_load(tmp_path):
    """The bundled H100 row with a unit in a number cell stops the file at ingest, naming the row
    (it used to be quarantined and fail the run in dbt's relationship tests)."""
    data = (SNAPSHOT_DIR / "accelerators.csv").read_bytes().decode()
    lines = data.splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = next(i for i, line in enumerate(lines) if line.startswith("nvidia-h100-sxm,"))
    cells = next(iter(__import__("csv").reader([lines[row]])))
    cells[header.index("memory_bandwidth_bytes_per_s")] = "3.35 TB/s"
    lines[row] = csv_bytes(header, [cells]).decode().split("\n", 1)[1]
    with pytest.raises(SourceFormatError) as info:
        parse_csv_bytes("".join(lines).encode(), registry.get_source("snapshot_accelerators").spec, "data/snapshot/accelerators.csv")
    message = str(info.value)
    assert message.startswith(f"data/snapshot/accelerators.csv, row {row} (accelerator_id=nvidia-h100-sxm): "
                              "this row is needed (the model's reference accelerator")
    assert "column 'memory_bandwidth_bytes_per_s': not a valid number: '3.35 TB/s'" in message


def test_the_needed_accelerator_is_the_scenarios_reference():
    ids = {yaml.safe_load(path.read_text())["settings"]["reference_accelerator_id"]
           for path in (PROJECT_ROOT / "models" / "scenarios").glob("*.yaml")}
    assert ids == set(registry.get_source("snapshot_accelerators").spec.needed)


# --- JSON structure -------------------------------------------------------------------------------

def test_deep_json_is_refused_not_a_crash():
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(SourceFormatError, match=r"^summary\.json: JSON nested 100000 levels deep "
                                                r"\(line 1\); at most 32 are read \(FLOPCAST_MAX_JSON_DEPTH\)$"):
        MLPERF.parse_bytes(deep, "summary.json")


def test_duplicate_json_keys_are_refused():
    data = _mlperf_json("1").replace(b'"Nodes": 1', b'"Nodes": 1, "Nodes": 4', 1)
    with pytest.raises(SourceFormatError, match=r"^summary\.json: record 1: key 'Nodes' appears twice "):
        MLPERF.parse_bytes(data, "summary.json")


def _mirror_settings(tmp_path: Path, **limits: str):
    return load_settings({"FLOPCAST_HOME": str(tmp_path / "home"), "FLOPCAST_SOURCE_MODE": "mirror",
                          "FLOPCAST_MIRROR_DIR": str(tmp_path / "mirror"),
                          "FLOPCAST_PUBLISHERS_DIR": str(tmp_path / "no_publishers"), **limits})


def _put(tmp_path: Path, relative: str, data: bytes) -> None:
    for old in (tmp_path / "mirror").rglob("*.*"):
        old.unlink()
    path = tmp_path / "mirror" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_json_depth_limit_falls_back_to_the_last_good_file(tmp_path):
    place = "mlperf/inference_v5.1_summary_results.json"
    _put(tmp_path, place, _mlperf_json("1"))
    settings = _mirror_settings(tmp_path, FLOPCAST_MAX_JSON_DEPTH="3")
    good, _ = registry.ingest(MLPERF.descriptor.name, settings)
    _put(tmp_path, place, _mlperf_json('{"a": [[1]]}'))  # depth 4
    landed, parsed = registry.ingest(MLPERF.descriptor.name, settings)
    assert landed.stale and landed.sha256 == good.sha256 and len(parsed.frame) == 2
    assert "at most 3 are read (FLOPCAST_MAX_JSON_DEPTH)" in landed.note  # the note is clipped


# --- bounded reads --------------------------------------------------------------------------------

def _ingest_traced(settings):
    """Ingest the hardware source once: (landed, parsed) and the peak of Python's traced memory."""
    tracemalloc.start()
    try:
        return registry.ingest(HARDWARE.descriptor.name, settings), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_at_the_cap_and_falls_back(tmp_path, hardware_csv):
    _put(tmp_path, "epoch/ml_hardware.zip", zip_bytes({"ml_hardware.csv": hardware_csv}))
    settings = _mirror_settings(tmp_path, FLOPCAST_MAX_DECOMPRESSED_BYTES=str(2**20))
    good, _ = registry.ingest(HARDWARE.descriptor.name, settings)
    _put(tmp_path, "epoch/ml_hardware.zip", zip_bytes({"ml_hardware.csv": bytes(20 * 2**20)}))
    (landed, parsed), peak = _ingest_traced(settings)
    assert landed.stale and landed.sha256 == good.sha256 and len(parsed.frame) == 3
    assert ("member 'ml_hardware.csv' inflates to more than 1,048,576 bytes "
            "(FLOPCAST_MAX_DECOMPRESSED_BYTES)") in landed.note
    assert peak < 8 * 2**20, peak  # never the 20 MB


def test_the_decompression_ratio_is_capped(hardware_csv):
    bomb = zip_bytes({"ml_hardware.csv": hardware_csv + bytes(2**20)})
    with pytest.raises(fetch.FetchError, match=r"inflates more than 100 times its .* compressed bytes "
                                               r"\(FLOPCAST_MAX_DECOMPRESSION_RATIO\)"):
        fetch.extract_member(bomb, "ml_hardware.csv", "test.zip")
    assert fetch.extract_member(zip_bytes({"ml_hardware.csv": hardware_csv}), "ml_hardware.csv",
                                "test.zip") == hardware_csv


def test_a_file_over_the_size_limit_falls_back(tmp_path, hardware_csv):
    _put(tmp_path, "epoch/ml_hardware.csv", hardware_csv)
    settings = _mirror_settings(tmp_path, FLOPCAST_MAX_FILE_BYTES=str(len(hardware_csv)))
    good, _ = registry.ingest(HARDWARE.descriptor.name, settings)
    _put(tmp_path, "epoch/ml_hardware.csv", hardware_csv + b"\n")
    landed, _ = registry.ingest(HARDWARE.descriptor.name, settings)
    assert landed.stale and landed.sha256 == good.sha256
    assert (f"mirror file epoch/ml_hardware.csv: {len(hardware_csv) + 1:,} bytes, more than the "
            f"{len(hardware_csv):,} read (FLOPCAST_MAX_FILE_BYTES)") in landed.note


def test_a_huge_mirror_file_is_refused_from_its_size_without_reading_it(tmp_path, hardware_csv):
    """A 1.5 GB (sparse) mirror file with the default 64 MiB limit: refused from its size."""
    _put(tmp_path, "epoch/ml_hardware.csv", hardware_csv)
    settings = _mirror_settings(tmp_path)
    good, _ = registry.ingest(HARDWARE.descriptor.name, settings)
    with open(tmp_path / "mirror" / "epoch" / "ml_hardware.csv", "r+b") as handle:
        handle.truncate(1_500_000_000)
    (landed, _), peak = _ingest_traced(settings)
    assert landed.stale and landed.sha256 == good.sha256 and "1,500,000,000 bytes" in landed.note
    assert peak < 8 * 2**20, peak


def test_limits_defaults_and_bad_values():
    defaults = load_settings({})
    assert (defaults.max_file_bytes, defaults.max_decompressed_bytes) == (64 * 2**20, 64 * 2**20)
    assert (defaults.max_decompression_ratio, defaults.max_json_depth) == (100.0, 32)
    with pytest.raises(ValueError, match=r"^FLOPCAST_MAX_JSON_DEPTH='1' must be a whole number of at least 2$"):
        load_settings({"FLOPCAST_MAX_JSON_DEPTH": "1"})
    with pytest.raises(ValueError, match=r"^FLOPCAST_MAX_FILE_BYTES='lots' must be a whole number of bytes"):
        load_settings({"FLOPCAST_MAX_FILE_BYTES": "lots"})


def test_the_real_files_are_well_inside_the_default_limits():
    limits = load_settings({})
    for path in sorted((PROJECT_ROOT / "data").glob("*/**/*.*")):
        if path.suffix not in (".csv", ".json") or path.name == "MANIFEST.json":
            continue
        data = path.read_bytes()
        assert len(data) * 10 < limits.max_file_bytes, path
        if path.suffix == ".json":
            assert tabular_json_depth(data.decode()) * 10 <= limits.max_json_depth, path


def tabular_json_depth(text: str) -> int:
    from orchestration.sources import json_records
    return json_records.json_depth(text)[0]


# --- mirror mode without a mirror -----------------------------------------------------------------

def test_mirror_mode_needs_the_variable_at_load():
    with pytest.raises(ValueError, match=r"^FLOPCAST_SOURCE_MODE=mirror needs --mirror DIR or "
                                         r"FLOPCAST_MIRROR_DIR .*FLOPCAST_MIRROR_DIR is not set$"):
        load_settings({"FLOPCAST_SOURCE_MODE": "mirror"})


def test_a_missing_mirror_folder_stops_the_run_before_anything_lands(tmp_path):
    settings = load_settings({"FLOPCAST_HOME": str(tmp_path / "home"), "FLOPCAST_SOURCE_MODE": "mirror",
                              "FLOPCAST_MIRROR_DIR": str(tmp_path / "no_such_folder")})
    with pytest.raises(ValueError, match=r"^FLOPCAST_MIRROR_DIR='.*no_such_folder' \(mirror mode\): "
                                         r"no such folder$") as info:
        registry.ingest(HARDWARE.descriptor.name, settings)
    assert not isinstance(info.value, fetch.SourceUnavailableError)  # not a fallback to empty tables
    assert not (tmp_path / "home" / "landing").exists()


# --- the cause, not 'no usable rows' --------------------------------------------------------------

def test_a_semicolon_file_says_wrong_delimiter(hardware_csv):
    text = hardware_csv.decode().replace(",", ";")
    with pytest.raises(SourceFormatError) as info:
        HARDWARE.parse_bytes(text.encode(), "hw.csv")
    assert re.match(r"hw\.csv: expected comma-separated columns 'hardware_name', 'manufacturer', "
                    r"'release_date', 'tensor_fp16_bf16_flop_per_s', \.\.\.; found one column "
                    r"'Hardware name;Manufacturer;.*': wrong delimiter \(semicolon-separated file\)\?$",
                    str(info.value)), str(info.value)


def test_trailing_commas_say_so():
    data = b"id,x\na,1,\nb,2,\n"
    with pytest.raises(SourceFormatError, match=r"^t\.csv: the data rows have one field more than the "
                                                r"header's 2 columns \(id, x\): a trailing comma"):
        parse_csv_bytes(data, SPEC, "t.csv")


def test_no_usable_rows_names_the_first_problem(tmp_path):
    _put(tmp_path, "mlperf/inference_v5.1_summary_results.json",
         json.dumps([{"ID": "1", "Model": "m", "Scenario": "S", "Accelerator": "X", "a#": 1,
                      "Nodes": 1, "Submitter": "s", "System": "b", "Performance_Result": "1 kW",
                      "Performance_Units": "u"}]).encode())
    with pytest.raises(fetch.SourceUnavailableError) as info:
        registry.ingest(MLPERF.descriptor.name, _mirror_settings(tmp_path))
    assert ("no usable rows (1 problem(s) quarantined; first: https://raw.githubusercontent.com/"
            "mlcommons/inference_results_v5.1/main/summary_results.json, row 1, column "
            "'performance_result': not a valid number: '1 kW' is not a plain number") in str(info.value)


def test_json_depth_of_the_parsed_values_agrees_with_the_text_pass():
    """A file that parses is measured on its values (``nesting``); the text pass that names the
    line runs only on the error path. Both must find the same depth."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from orchestration.sources.json_records import json_depth, nesting

    values = st.recursive(st.none() | st.integers() | st.text(alphabet='[]{}"\\\n ab', max_size=6),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                          max_leaves=12)

    @settings(deadline=None, max_examples=200)
    @given(values, st.booleans())
    def check(value, indent):
        import json

        text = json.dumps(value, indent=1 if indent else None)
        assert nesting(json.loads(text)) == json_depth(text)[0]

    check()


def test_json_records_nested_past_the_limit_name_the_line(tmp_path):
    """Records whose values nest past the limit are refused with the text pass's depth and line."""
    data = b'[{"a": 1},\n {"a": [[[{"b": [1]}]]]}]'  # depth 2 + 5 = 7, first reached on line 2
    with limits(ParseLimits(max_json_depth=6)):
        with pytest.raises(SourceFormatError, match=r"^x\.json: JSON nested 7 levels deep \(line 2\); at most 6 "):
            json_records.read_json_records(data, "x.json")
    with limits(ParseLimits(max_json_depth=7)):
        assert len(json_records.read_json_records(data, "x.json")) == 2
