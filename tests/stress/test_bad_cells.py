"""Bad cells at the parse level (no dbt): wrong types, negative and absurd values, duplicate keys,
markup and long text, each row's outcome stated by its `_expect` column; and ranges that run
backwards, which stop the whole file."""

import pytest

from orchestration.sources import registry
from orchestration.sources.tabular import SourceFormatError
from tests.filebytes import csv_bytes
from tests.stress.corpus import (
    CORPUS,
    FORMAT_IDS,
    FORMATS,
    Format,
    assert_outcome,
    ingest_file,
    load_base,
    read_table,
    settings_for,
)


def test_every_registered_source_has_a_corpus_format():
    assert sorted(FORMAT_IDS) == sorted(registry.SOURCES)


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_bad_cells(fmt: Format, tmp_path):
    path = CORPUS / fmt.bad_cells
    header, rows = read_table(path)
    landed, parsed = ingest_file(fmt, tmp_path, path.read_bytes())
    assert landed is not None and not landed.stale  # good rows exist: the file lands
    assert_outcome(parsed, fmt.spec, fmt.label, header, rows)


# A row whose range runs backwards (low > high) contradicts itself: not a quarantine but a
# whole-file error, so a bundled table with one stops the run and nothing of the file loads.
ORDER_CASES = [
    pytest.param("snapshot_accelerator_shipments", 2, {"units_low": "900000", "units": "950000",
                                                       "units_high": "800000"},
                 "data/snapshot/accelerator_shipments.csv, row 2 (shipment_id=example-x1-2025h1-installed): "
                 "column 'units_low' (900000) is greater than column 'units_high' (800000)",
                 id="accelerator_shipments-low_above_high"),
    pytest.param("snapshot_company_financials", 2, {"value_low_usd": "4.7e10", "value_usd": "4.8e10",
                                                    "value_high_usd": "4.6e10"},
                 "data/snapshot/company_financials.csv, row 2 (figure_id=example-corp-revenue-guidance-2025q2): "
                 "column 'value_low_usd' (4.7e+10) is greater than column 'value_high_usd' (4.6e+10)",
                 id="company_financials-low_above_high"),
    pytest.param("snapshot_lab_compute_spend", 1, {"value_usd": "7e9"},
                 "data/snapshot/lab_compute_spend.csv, row 1 (spend_id=example-lab-2024-total): "
                 "column 'value_usd' (7e+09) is greater than column 'value_high_usd' (6e+09)",
                 id="lab_compute_spend-value_above_high"),
]


@pytest.mark.parametrize("source, row, cells, message", ORDER_CASES)
def test_backwards_range_stops_the_file(source: str, row: int, cells: dict[str, str], message: str,
                                        tmp_path):
    fmt = next(f for f in FORMATS if f.source == source)
    header, rows = load_base(fmt)
    for column, value in cells.items():
        rows[row - 1][header.index(column)] = value
    with pytest.raises(SourceFormatError) as info:
        ingest_file(fmt, tmp_path, csv_bytes(header, rows))
    assert str(info.value) == message
    landing = settings_for(fmt, tmp_path).landing_dir / fmt.source
    assert not landing.exists() or not any(landing.iterdir())  # nothing of the file was landed
