"""The bad-input corpus (tests/corpus, listed in tests/corpus/MANIFEST.md): every source format fed
renamed and missing columns, wrong types, negative and absurd values, sparse figures posing as dense,
duplicate keys, empty and header-only files, wrong encodings, broken zips, markup and very long
fields, each asserted against its exact outcome.

This module describes the formats and how a test reads, rewrites and ingests their files; what a
corpus file's `_expect` column says, and checking a parse result against it. The tests are grouped by
what they stress: the parse level (``test_structural_cases``, ``test_bad_cells``), one warehouse
build that quarantines bad rows (``test_good_build``) and builds of implausible values that must
fail dbt's blocking tests (``test_implausible_build``).
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from orchestration.settings import load_settings
from orchestration.sources import registry
from orchestration.sources.json_records import json_cell
from orchestration.sources.tabular import (
    TableSpec,
    parse_bool,
    parse_date,
    parse_number,
)
from tests.filebytes import csv_bytes

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BUILD = CORPUS / "build"
LONG_FIELD = ("a very long field, " * 6000)[:100_000]  # 100 kB
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head>"
             b"<body><h1>Rate limited</h1></body></html>\n")


# --- the formats -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Format:
    source: str        # registry name
    base: str          # corpus file (relative to tests/corpus): a small valid file
    bad_cells: str     # corpus file whose `_expect` column/key states each row's outcome
    column: str        # a required column as the file spells it: renamed / dropped by the cases
    missing: str       # how the missing-column error names it
    text: str          # a text column (as spelled in the file) for the encoding and long-field cases
    number: str        # a number column (as spelled in the file) for the long-number case
    zip: tuple[str, str] | None = None  # (archive in the mirror, member) for zipped publisher files

    @property
    def snapshot(self) -> bool:
        return self.source in registry.SNAPSHOT_SOURCES

    @property
    def json(self) -> bool:
        return self.base.endswith(".json")

    @property
    def spec(self) -> TableSpec:
        return registry.get_source(self.source).spec

    @property
    def label(self) -> str:
        """How errors and quarantine rows name the file (the bundled path, or the publisher URL)."""
        descriptor = registry.get_source(self.source).descriptor
        return (f"data/snapshot/{descriptor.bundled_file}" if self.snapshot
                else descriptor.landed_url)

    @property
    def place(self) -> str:
        """Where ingest finds the file: its name in the snapshot folder, or its mirror path."""
        descriptor = registry.get_source(self.source).descriptor
        if self.snapshot:
            return descriptor.bundled_file
        return descriptor.mirror_patterns[0].replace("*", "")


def _snap(table: str, column: str, text: str, number: str) -> Format:
    return Format(f"snapshot_{table}", f"snapshot/{table}.csv", f"snapshot/{table}.bad_cells.csv",
                  column, repr(column), text, number)


def _pub(source: str, base: str, column: str, missing: str, text: str, number: str,
         zip: tuple[str, str] | None = None) -> Format:
    return Format(source, base, base.replace(".csv", ".bad_cells.csv").replace(
        ".json", ".bad_cells.json"), column, missing, text, number, zip)


FORMATS = [
    _snap("accelerators", "tdp_w", "notes", "memory_bytes"),
    _snap("training_runs", "publication_date", "notes", "training_flop"),
    _snap("token_volumes", "tokens", "scope", "tokens"),
    _snap("rental_prices", "usd_per_accelerator_hour", "notes", "usd_per_hour_instance"),
    _snap("published_splits", "inference_share", "definition_notes", "inference_value"),
    _snap("datacenter_campuses", "latitude", "notes", "power_mw_planned"),
    _snap("accelerator_shipments", "units", "notes", "units_high"),
    _snap("company_financials", "value_usd", "definition", "value_high_usd"),
    _snap("lab_compute_spend", "value_usd", "notes", "value_low_usd"),
    _pub("epoch_ml_hardware", "epoch/ml_hardware.csv", "TDP (W)",
         "'tdp_w' (publisher header 'TDP (W)')", "Notes", "Memory (bytes)",
         zip=("epoch/ml_hardware.zip", "ml_hardware.csv")),
    _pub("epoch_notable_ai_models", "epoch/notable_ai_models.csv", "Training compute (FLOP)",
         "'training_compute_flop' (publisher header 'Training compute (FLOP)')", "Organization",
         "Parameters", zip=("epoch/ai_models.zip", "notable_ai_models.csv")),
    _pub("epoch_frontier_ai_models", "epoch/frontier_ai_models.csv", "Training compute (FLOP)",
         "'training_compute_flop' (publisher header 'Training compute (FLOP)')", "Organization",
         "Parameters", zip=("epoch/ai_models.zip", "frontier_ai_models.csv")),
    _pub("epoch_large_scale_ai_models", "epoch/large_scale_ai_models.csv", "Training compute (FLOP)",
         "'training_compute_flop' (publisher header 'Training compute (FLOP)')", "Organization",
         "Parameters", zip=("epoch/ai_models.zip", "large_scale_ai_models.csv")),
    _pub("epoch_ai_companies_usage_reports", "epoch/ai_companies_usage_reports.csv", "Daily tokens",
         "'tokens_per_day' (publisher header 'Daily tokens')", "Product", "Active users"),
    _pub("epoch_ai_companies_compute_spend", "epoch/ai_companies_compute_spend.csv", "Amount",
         "'amount_usd' (publisher header 'Amount' or 'Amount (USD)')", "Notes", "Amount"),
    _pub("epoch_gpu_clusters", "epoch/gpu_clusters.csv", "Power Capacity (MW)",
         "'power_capacity_mw' (publisher header 'Power Capacity (MW)')", "Owner", "H100 equivalents"),
    _pub("epoch_data_centers", "epoch/data_centers.csv", "Current power (MW)",
         "'current_power_mw' (publisher header 'Current power (MW)')", "Title",
         "Current H100 equivalents"),
    _pub("epoch_data_center_timelines", "epoch/data_center_timelines.csv", "Power (MW)",
         "'power_mw' (publisher header 'Power (MW)')", "Construction status", "H100 equivalents"),
    _pub("mlperf_inference_v4_1", "mlperf/summary_results.json", "Accelerator",
         "'accelerator' (publisher header 'Accelerator')", "System", "Performance_Result"),
    _pub("mlperf_inference_v5_1", "mlperf/summary_results.json", "Accelerator",
         "'accelerator' (publisher header 'Accelerator')", "System", "Performance_Result"),
    _pub("openrouter_rankings_daily", "openrouter/rankings-daily.csv", "total_tokens",
         "'total_tokens' (publisher header 'tokens')", "model_permaslug", "rank"),
]
FORMAT_IDS = [f.source for f in FORMATS]

# --- reading and rewriting publisher-format files ------------------------------------------------

def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (text cells; `_expect` included) of a CSV or JSON corpus file."""
    if path.suffix == ".json":
        records = json.loads(path.read_text(encoding="utf-8"))
        header = list(dict.fromkeys(k for r in records for k in r))
        return header, [{k: json_cell(r.get(k)) for k in header} for r in records]
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def load_base(fmt: Format):
    """(header, rows as lists) of a CSV base file, or the records of a JSON one."""
    path = CORPUS / fmt.base
    if fmt.json:
        return json.loads(path.read_text(encoding="utf-8"))
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def with_cell(fmt: Format, column: str, value: str) -> bytes:
    """The base file with row 1's ``column`` set to ``value``."""
    if fmt.json:
        records = load_base(fmt)
        records[0][column] = value
        return json.dumps(records, ensure_ascii=False).encode("utf-8")
    header, rows = load_base(fmt)
    rows[0][header.index(column)] = value
    return csv_bytes(header, rows)


# --- expected outcome of a file whose rows carry `_expect` ---------------------------------------

@dataclass(frozen=True)
class Quarantined:
    row_number: int
    column_name: str
    value: str
    reason: str        # the reason starts with this (the parser's own detail may follow)
    exact: bool = False


def header_map(spec: TableSpec, header: list[str]) -> dict[str, str]:
    """spec column -> the file's header for it (exact name or publisher alias)."""
    mapping = {}
    for column in spec.columns:
        found = next((n for n in (column.name, *column.aliases) if n in header), None)
        if found is not None:
            mapping[column.name] = found
    return mapping


_TYPED = {"number": parse_number, "date": parse_date, "bool": parse_bool, "text": str}


def typed(kind: str, text: str):
    text = text.strip()
    return None if text == "" else _TYPED[kind](text)


def expected_outcome(spec: TableSpec, label: str, header: list[str], rows: list[dict[str, str]]
                     ) -> tuple[list[int], list[Quarantined]]:
    """(positions of the rows that load, quarantine rows) for rows whose `_expect` says
    ``ok`` (also when absent), ``duplicate`` or ``quarantine <column>: <reason> | ...``."""
    mapping = header_map(spec, header)
    kinds = {c.name: c.kind for c in spec.columns}
    loaded, quarantined, seen = [], [], {}
    for position, row in enumerate(rows):
        number = position + 1
        expect = (row.get("_expect") or "ok").strip()
        if expect.startswith("quarantine "):
            for item in expect.split(" | "):
                column, reason = item.removeprefix("quarantine ").split(": ", 1)
                value = row.get(mapping.get(column, ""), "").strip()
                quarantined.append(Quarantined(number, column, value[:500],
                                               f"{label}, row {number}, column {column!r}: {reason}"))
            continue
        key = tuple(typed(kinds[k], row.get(mapping[k], "")) for k in spec.key)
        if expect == "duplicate":
            assert key in seen, f"row {number} is marked duplicate but its key is new"
            quarantined.append(Quarantined(
                number, ",".join(spec.key), "|".join(map(str, key)),
                f"{label}, row {number}, column {','.join(spec.key)!r}: "
                f"duplicate key (first seen in row {seen[key]})", exact=True))
            continue
        assert expect == "ok", f"row {number}: unknown expectation {expect!r}"
        if spec.key:
            assert key not in seen, f"row {number} repeats a key but is not marked duplicate"
            seen[key] = number
        loaded.append(position)
    return loaded, quarantined


def assert_outcome(result, spec: TableSpec, label: str, header: list[str],
                   rows: list[dict[str, str]]) -> None:
    """The parse result is exactly what the rows' `_expect` says: the quarantine rows (file, row,
    column, value, reason) and every good row typed cell for cell (markup and long text verbatim)."""
    loaded, quarantined = expected_outcome(spec, label, header, rows)
    quarantine = result.quarantine.sort_values(["row_number", "column_name"], kind="stable")
    actual = list(quarantine.itertuples(index=False))
    expected = sorted(quarantined, key=lambda q: (q.row_number, q.column_name))
    assert [(a.row_number, a.column_name, a.value) for a in actual] == \
        [(e.row_number, e.column_name, e.value) for e in expected]
    for a, e in zip(actual, expected, strict=True):
        assert a.source == spec.source and a.file == label
        assert (a.reason == e.reason) if e.exact else a.reason.startswith(e.reason), (a.reason, e.reason)
    frame = result.frame
    assert len(frame) == len(loaded)
    mapping = header_map(spec, header)
    kinds = {c.name: c.kind for c in spec.columns}
    for index, position in enumerate(loaded):
        for column, source_header in mapping.items():
            want = typed(kinds[column], rows[position][source_header])
            got = frame.loc[index, column]
            if want is None:
                assert pd.isna(got), (position + 1, column, got)
            else:
                assert got == want, (position + 1, column, got, want)


# --- ingest as a run does it ---------------------------------------------------------------------

def place_file(fmt: Format, root: Path, data: bytes, name: str | None = None) -> Path:
    path = root / (name or fmt.place)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def settings_for(fmt: Format, root: Path):
    """The run's settings; no vendored publishers' files (FLOPCAST_PUBLISHERS_DIR is an empty
    folder), so a rejected publisher file falls back to the last good landing file or nothing."""
    common = {"FLOPCAST_HOME": str(root / "home"),
              "FLOPCAST_PUBLISHERS_DIR": str(root / "no_vendored_publishers")}
    if fmt.snapshot:
        return load_settings({**common, "FLOPCAST_SOURCE_MODE": "bundled",
                              "FLOPCAST_SNAPSHOT_DIR": str(root / "snapshot")})
    return load_settings({**common, "FLOPCAST_SOURCE_MODE": "mirror",
                          "FLOPCAST_MIRROR_DIR": str(root / "mirror")})


def ingest_file(fmt: Format, root: Path, data: bytes, name: str | None = None):
    """Put ``data`` where the source's ingest finds it (snapshot folder or mirror) and ingest it."""
    folder = root / ("snapshot" if fmt.snapshot else "mirror")
    for stale in folder.rglob("*") if folder.exists() else ():
        if stale.is_file():
            stale.unlink()
    place_file(fmt, folder, data, name)
    return registry.ingest(fmt.source, settings_for(fmt, root))


def base_bytes(fmt: Format) -> bytes:
    return (CORPUS / fmt.base).read_bytes()
