"""The raw layer's declarations (dbt's source `raw`) read as the ingest's table specs."""

import pytest

from orchestration.sources import registry
from orchestration.sources.raw_schema import RAW_SOURCES_YML, RawSchemaError, raw_specs


def test_every_source_is_declared_once_with_its_key_and_typed_columns():
    specs = raw_specs()
    assert list(specs) == list(registry.SOURCES)
    for name, spec in specs.items():
        assert spec.source == name and spec.columns and set(spec.key) <= set(spec.names)
        assert len(set(spec.names)) == len(spec.names), name
    hardware = {c.name: c for c in specs["epoch_ml_hardware"].columns}
    assert hardware["memory_bytes"].kind == "number"
    assert hardware["memory_bytes"].aliases[:2] == ("Memory (bytes)", "Memory size per board (Byte)")
    assert specs["snapshot_accelerator_shipments"].ordered == (("units_low", "units", "units_high"),)


def test_a_column_of_an_unknown_type_names_the_file_table_and_column(tmp_path):
    text = RAW_SOURCES_YML.read_text().replace(
        "{name: tdp_w, data_type: double}", "{name: tdp_w, data_type: float8}", 1)
    broken = tmp_path / "_sources.yml"
    broken.write_text(text)
    with pytest.raises(RawSchemaError, match=r"_sources\.yml: source table 'snapshot_accelerators', "
                                             r"column 'tdp_w': data_type 'float8' is not one of varchar"):
        raw_specs(broken)
