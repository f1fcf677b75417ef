"""The bad-input corpus (tests/corpus, listed in tests/corpus/MANIFEST.md): every source format fed
renamed and missing columns, wrong types, negative and absurd values, sparse figures posing as dense,
duplicate keys, empty and header-only files, wrong encodings, broken zips, markup and very long
fields, each asserted against its exact outcome:

1. parse level (no dbt): through ``registry.ingest`` as a run calls it (bundled snapshot tables from a
   temporary snapshot folder, publisher files from a temporary mirror) - a clear error naming the file
   (and row/column where there is one), or quarantine rows naming file, row and column;
2. one warehouse build whose bad rows are quarantined while the good rows build and publish, and a
   brief is archived from it (markup in a campus name comes out escaped);
3. two builds of implausible values that parse (1e30 FLOP/s, negative memory, a sparse H100 posing as
   dense, a figure 2x Epoch's, ...): each fails exactly the blocking dbt tests listed in
   ``tests/corpus/build/implausible.csv``, and the published warehouse and the archived brief stay
   byte-for-byte as they were.

The whole module costs three dbt builds. dbt writes its target/ and logs under each run's temporary
home (DBT_TARGET_PATH / DBT_LOG_PATH), never into transforms/target, so run_results.json names this
run's failing tests and concurrent test sessions do not collide.
"""

import csv
import hashlib
import io
import json
import shutil
import subprocess
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import pipeline, warehouse
from orchestration.settings import SNAPSHOT_DIR, load_settings
from orchestration.sources import registry
from orchestration.sources.fetch import SourceUnavailableError
from orchestration.sources.tabular import (
    SourceFormatError,
    json_cell,
    TableSpec,
    parse_bool,
    parse_date,
    parse_number,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BUILD = CORPUS / "build"
MONTH = "2025-06"
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


def test_every_registered_source_has_a_corpus_format():
    assert sorted(FORMAT_IDS) == sorted(registry.SOURCES)


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


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


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


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


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


# --- 1a. structural cases, generated from each format's small valid file -------------------------

@dataclass(frozen=True)
class Case:
    """A broken file and what must happen. ``error``: the connector's message about the file, exact
    (or ``prefix``/``suffix``); ``fetch``: the file could not even be opened (a zip problem);
    ``check``: a loaded outcome to verify instead of an error."""
    data: bytes
    error: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    fetch: bool = False
    name: str | None = None   # the mirror file name, when not the plain publisher file
    check: object = None


def _renamed(fmt: Format) -> Case:
    if fmt.json:
        records = [{(k + " (renamed)" if k == fmt.column else k): v for k, v in r.items()}
                   for r in load_base(fmt)]
        header = list(dict.fromkeys(k for r in records for k in r))
        data = json.dumps(records).encode()
    else:
        header, rows = load_base(fmt)
        header = [h + " (renamed)" if h == fmt.column else h for h in header]
        data = csv_bytes(header, rows)
    found = ", ".join(repr(h) for h in header)
    return Case(data, error=f"{fmt.label}: missing required column(s) {fmt.missing}; found {found}")


def _dropped(fmt: Format) -> Case:
    if fmt.json:
        records = [{k: v for k, v in r.items() if k != fmt.column} for r in load_base(fmt)]
        header = list(dict.fromkeys(k for r in records for k in r))
        data = json.dumps(records).encode()
    else:
        header, rows = load_base(fmt)
        i = header.index(fmt.column)
        header = header[:i] + header[i + 1:]
        data = csv_bytes(header, [r[:i] + r[i + 1:] for r in rows])
    found = ", ".join(repr(h) for h in header)
    return Case(data, error=f"{fmt.label}: missing required column(s) {fmt.missing}; found {found}")


def _empty(fmt: Format) -> Case:
    return Case(b"", error=f"{fmt.label}: the file is empty")


def _blank(fmt: Format) -> Case:
    return Case(b"\n \r\n\t\n", error=f"{fmt.label}: the file is empty")


def _header_only(fmt: Format) -> Case:
    if fmt.json:
        return Case(b"[]\n", error=f"{fmt.label}: the JSON array holds no records")
    header, _ = load_base(fmt)
    data = csv_bytes(header, [])
    return Case(data, error=f"{fmt.label}: no usable rows (0 problem(s) quarantined)")


def _cp1252(fmt: Format) -> Case:
    text = with_cell(fmt, fmt.text, "Zürich – “quoted”").decode("utf-8")
    data = text.encode("cp1252")
    at = next(i for i, b in enumerate(data) if b >= 0x80)
    return Case(data, error=f"{fmt.label}: not UTF-8 text (byte {at}: {data[at:at + 1]!r})")


def _utf16(fmt: Format) -> Case:
    data = with_cell(fmt, fmt.text, "Zürich").decode("utf-8").encode("utf-16")
    return Case(data, error=f"{fmt.label}: not UTF-8 text (byte 0: b'\\xff')")


def _ragged(fmt: Format) -> Case:
    if fmt.json:  # a download cut short
        data = base_bytes(fmt)
        return Case(data[: len(data) // 2], prefix=f"{fmt.label}: not valid JSON (")
    header, rows = load_base(fmt)
    data = csv_bytes(header, [*rows, [*rows[0], "one field too many"]])
    # pandas counts CSV records, header included, not physical lines: with a quoted newline in an
    # earlier row (ml_hardware's Notes) the bad record is not on the line the message names
    lines = len(rows) + 2
    return Case(data, error=(f"{fmt.label}: not a readable CSV table (Error tokenizing data. C error: "
                             f"Expected {len(header)} fields in line {lines}, saw {len(header) + 1}\n)"))


def _unterminated_quote(fmt: Format) -> Case:
    if fmt.json:  # a JSON object where the array of records belongs
        return Case(b'{"results": []}',
                    error=f"{fmt.label}: expected a JSON array of records, found dict")
    data = base_bytes(fmt) + b'"an unterminated quote,1,2\n'
    return Case(data, prefix=(f"{fmt.label}: not a readable CSV table (Error tokenizing data. "
                              "C error: EOF inside string starting at row "))


def _html_page(fmt: Format) -> Case:
    if fmt.json:
        return Case(HTML_PAGE, error=f"{fmt.label}: not valid JSON (Expecting value: line 1 column 1 (char 0))")
    return Case(HTML_PAGE, prefix=f"{fmt.label}: missing required column(s) ",
                suffix=f"; found {HTML_PAGE.decode().strip()!r}")


def _long_text(fmt: Format) -> Case:
    def check(fmt, landed, parsed):
        (name,) = header_map(fmt.spec, [fmt.text])
        assert parsed.quarantine.empty
        assert parsed.frame.loc[0, name] == LONG_FIELD  # kept whole, not cut
    return Case(with_cell(fmt, fmt.text, LONG_FIELD), check=check)


LONG_NUMBER = "9" * 100_000  # a 100 kB 'number': about 1e100000, not finite


def _long_number(fmt: Format) -> Case:
    return Case(with_cell(fmt, fmt.number, LONG_NUMBER), check=_check_long_number)


def _check_long_number(fmt: Format, landed, parsed) -> None:
    (name,) = header_map(fmt.spec, [fmt.number])
    rows = len(load_base(fmt)) if fmt.json else len(load_base(fmt)[1])
    assert len(parsed.frame) == rows - 1  # the other row still loads
    (q,) = parsed.quarantine.itertuples(index=False)
    assert (q.file, q.row_number, q.column_name) == (fmt.label, 1, name)
    assert q.value == "9" * 500  # the stored value is capped at 500 characters
    assert q.reason.startswith(f"{fmt.label}, row 1, column {name!r}: not a valid number: '999")
    assert q.reason.endswith("(100,045 characters)") and len(q.reason) < 500  # the reason is bounded


STRUCTURAL = {
    "renamed_required_column": _renamed,
    "missing_required_column": _dropped,
    "empty_file": _empty,
    "blank_file": _blank,
    "header_only": _header_only,
    "cp1252_encoding": _cp1252,
    "utf16_encoding": _utf16,
    "ragged_row_or_truncated_json": _ragged,
    "unterminated_quote_or_json_object": _unterminated_quote,
    "html_error_page": _html_page,
    "long_text_field_100kB": _long_text,
    "long_number_field_100kB": _long_number,
}


def _zip_ok(fmt: Format) -> Case:
    member = fmt.zip[1]
    data = zip_bytes({member: base_bytes(fmt), "README.txt": b"synthetic archive"})

    def check(fmt, landed, parsed):
        assert landed.note == f"mirror copy: {fmt.zip[0]}#{member}" and parsed.quarantine.empty
        assert len(parsed.frame) == len(load_base(fmt)[1])
    return Case(data, name=fmt.zip[0], check=check)


def _zip_member_missing(fmt: Format) -> Case:
    others = {"README.txt": b"synthetic archive", "other_table.csv": base_bytes(fmt)}
    return Case(zip_bytes(others), name=fmt.zip[0], fetch=True,
                error=(f"mirror file {fmt.zip[0]}: zip has no member {fmt.zip[1]!r} "
                       "(members: README.txt, other_table.csv)"))


def _zip_truncated(fmt: Format) -> Case:
    data = zip_bytes({fmt.zip[1]: base_bytes(fmt), "README.txt": b"synthetic archive"})
    return Case(data[: len(data) * 6 // 10], name=fmt.zip[0], fetch=True,
                error=f"mirror file {fmt.zip[0]}: not a readable zip archive (File is not a zip file)")


def _zip_corrupt(fmt: Format) -> Case:
    member = fmt.zip[1]
    payload = base_bytes(fmt) * 20
    data = bytearray(zip_bytes({member: payload}))
    start = 30 + len(member)  # local header + name: the deflated data begins here
    for i in range(start + 10, start + 20):
        data[i] ^= 0xFF
    return Case(bytes(data), name=fmt.zip[0], fetch=True,
                prefix=f"mirror file {fmt.zip[0]}: not a readable zip archive (")


ZIPPED = {
    "zip_ok": _zip_ok,
    "zip_member_missing": _zip_member_missing,
    "zip_truncated": _zip_truncated,
    "zip_corrupt_member": _zip_corrupt,
}

STRUCTURAL_CASES = [pytest.param(f, c, id=f"{f.source}-{c}") for f in FORMATS for c in STRUCTURAL]
ZIP_CASES = [pytest.param(f, c, id=f"{f.source}-{c}") for f in FORMATS if f.zip for c in ZIPPED]


def _matches(message: str, case: Case, inner: str | None = None) -> bool:
    if inner is not None:
        return message == inner
    return message.startswith(case.prefix or "") and message.endswith(case.suffix or "")


def _run_case(fmt: Format, case: Case, tmp_path: Path) -> None:
    root = tmp_path
    if case.check is not None:
        landed, parsed = ingest_file(fmt, root, case.data, case.name)
        case.check(fmt, landed, parsed)
        return
    if fmt.snapshot:  # a bundled table that does not parse stops the run, naming the file
        with pytest.raises(SourceFormatError) as info:
            ingest_file(fmt, root, case.data, case.name)
        message = str(info.value)
        assert _matches(message, case, case.error), message
        return
    # a publisher file: rejected before landing; with no last good file the source is unavailable
    what = "mirror copy unusable" if case.fetch else f"mirror file {case.name or fmt.place} rejected"
    landing = settings_for(fmt, root).landing_dir / fmt.source
    with pytest.raises(SourceUnavailableError) as info:
        ingest_file(fmt, root, case.data, case.name)
    message = str(info.value)
    head, tail = f"{fmt.source}: {what}: ", ("; and there is no last good landing file (looked in "
                                            f"{landing}) nor a vendored copy to fall back to")
    assert message.startswith(head) and message.endswith(tail), message
    assert _matches(message[len(head): -len(tail)], case, case.error), message
    # ... and with a last good file, that file is used, flagged stale, with the reason
    good_landed, good = ingest_file(fmt, root, base_bytes(fmt))
    landed, parsed = ingest_file(fmt, root, case.data, case.name)
    assert landed.stale and landed.sha256 == good_landed.sha256
    assert landed.note.startswith(f"{what}: ")
    assert landed.note.endswith(f"; using the last good file, fetched {good_landed.fetched_at} (mirror)")
    pd.testing.assert_frame_equal(parsed.frame, good.frame)
    assert sorted(p.name for p in landing.iterdir()) == sorted(
        [f"{good_landed.sha256}.{good_landed.path.suffix[1:]}",
         f"{good_landed.sha256}.{good_landed.path.suffix[1:]}.json", "LATEST"])


@pytest.mark.parametrize("fmt, case", STRUCTURAL_CASES)
def test_structural_case(fmt: Format, case: str, tmp_path):
    _run_case(fmt, STRUCTURAL[case](fmt), tmp_path)


@pytest.mark.parametrize("fmt, case", ZIP_CASES)
def test_zip_case(fmt: Format, case: str, tmp_path):
    _run_case(fmt, ZIPPED[case](fmt), tmp_path)


def test_base_files_are_valid(tmp_path):
    for fmt in FORMATS:
        landed, parsed = ingest_file(fmt, tmp_path / fmt.source, base_bytes(fmt))
        header, rows = read_table(CORPUS / fmt.base)
        assert landed is not None and not landed.stale
        assert_outcome(parsed, fmt.spec, fmt.label, header, rows)


# --- 1b. bad cells: each row's `_expect` is its outcome ------------------------------------------

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


def test_quarantine_reason_is_bounded_for_a_100kB_cell(tmp_path):
    fmt = FORMATS[0]
    landed, parsed = ingest_file(fmt, tmp_path, with_cell(fmt, fmt.number, LONG_NUMBER))
    (reason,) = parsed.quarantine["reason"]
    assert len(reason) <= 1000, len(reason)


# --- 2 and 3. warehouse builds --------------------------------------------------------------------

def expand(cell: str) -> str:
    return LONG_FIELD if cell == "@LONG100K@" else cell


def assemble_inputs(dest: Path) -> Path:
    """A copy of the bundled snapshot with the rows of build/snapshot_additions appended, and the
    build mirror (small synthetic publisher files)."""
    snapshot = dest / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, snapshot)
    for additions in sorted((BUILD / "snapshot_additions").glob("*.csv")):
        target = snapshot / additions.name
        with open(target, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        _, rows = read_table(additions)
        with open(target, "a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, header, extrasaction="ignore", lineterminator="\n")
            for row in rows:
                writer.writerow({k: expand(v) for k, v in row.items()})
    shutil.copytree(BUILD / "mirror", dest / "mirror")
    return dest


def read_patches() -> list[dict[str, str]]:
    with open(BUILD / "implausible.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def apply_patches(inputs: Path, run: str) -> None:
    """Set the cells listed in build/implausible.csv for ``run`` (first row with the key)."""
    for patch in (p for p in read_patches() if p["run"] == run):
        path = inputs / patch["file"]
        if path.suffix == ".json":
            records = json.loads(path.read_text(encoding="utf-8"))
            record = next(r for r in records if str(r[patch["key_column"]]) == patch["key"])
            record[patch["column"]] = float(patch["value"])
            path.write_text(json.dumps(records), encoding="utf-8")
            continue
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        key, column = rows[0].index(patch["key_column"]), rows[0].index(patch["column"])
        row = next(r for r in rows[1:] if r[key] == patch["key"])
        row[column] = patch["value"]
        with open(path, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)


def build_settings(home: Path, inputs: Path):
    """Mirror mode on the assembled inputs; no vendored publishers' files (an empty folder), so a
    publisher absent from the build mirror is unavailable or its last good landing file, never the
    project's real vendored copy."""
    return load_settings({"FLOPCAST_HOME": str(home), "FLOPCAST_SOURCE_MODE": "mirror",
                          "FLOPCAST_MIRROR_DIR": str(inputs / "mirror"),
                          "FLOPCAST_SNAPSHOT_DIR": str(inputs / "snapshot"),
                          "FLOPCAST_PUBLISHERS_DIR": str(inputs / "no_vendored_publishers")})


def dbt_env_per_home(original):
    """``pipeline.dbt_env`` plus a target/ and log folder under the run's home, so concurrent
    builds never share run_results.json or partial-parse state (nor touch transforms/target)."""
    def dbt_env(settings):
        return {**original(settings), "DBT_TARGET_PATH": str(settings.home / "dbt_target"),
                "DBT_LOG_PATH": str(settings.home / "dbt_logs")}
    return dbt_env


def ingest_and_build(settings) -> tuple[dict, subprocess.CalledProcessError | None]:
    """The plain-Python run: every source into the run's scratch copy, then `dbt build` (publish if
    green)."""
    run_id = uuid.uuid4().hex
    results = {name: pipeline.ingest_source(settings, name, run_id, publish=False)
               for name in registry.SOURCES}
    try:
        pipeline.run_dbt_build(settings, run_id)
    except subprocess.CalledProcessError as exc:
        return results, exc
    return results, None


def dbt_results(settings) -> list[dict]:
    return json.loads((settings.home / "dbt_target" / "run_results.json").read_text())["results"]


def dbt_test_name(unique_id: str) -> str:
    """'test.flopcast.value_between_dim_accelerator_tdp_w__30000__1.2dda205725' ->
    'value_between_dim_accelerator_tdp_w' (the test without its arguments and hash)."""
    return unique_id.split(".")[2].split("__")[0]


def query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def file_digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Build:
    home: Path
    inputs: Path
    settings: object
    results: dict
    brief: Path


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Build:
    """Case 2: bad rows quarantined, good rows built and published, a brief archived."""
    root = tmp_path_factory.mktemp("good_build")
    inputs = assemble_inputs(root / "inputs")
    settings = build_settings(root / "home", inputs)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(pipeline, "dbt_env", dbt_env_per_home(pipeline.dbt_env))
        results, failure = ingest_and_build(settings)
    assert failure is None, [r["unique_id"] for r in dbt_results(settings) if r["status"] in ("fail", "error")]
    pipeline.run_demand_model(settings, MONTH, uuid.uuid4().hex)
    brief, _ = pipeline.build_brief(settings, MONTH)
    return Build(root / "home", inputs, settings, results, brief)


# which corpus files the good build reads, and the source each one feeds
BUILD_FILES = {
    "snapshot_accelerators": "snapshot_additions/accelerators.csv",
    "snapshot_training_runs": "snapshot_additions/training_runs.csv",
    "snapshot_token_volumes": "snapshot_additions/token_volumes.csv",
    "snapshot_rental_prices": "snapshot_additions/rental_prices.csv",
    "snapshot_published_splits": "snapshot_additions/published_splits.csv",
    "snapshot_datacenter_campuses": "snapshot_additions/datacenter_campuses.csv",
    # no accelerator_shipments additions: fct_accelerator_shipments needs every shipment_id in the
    # shipment_series seed, so an added row would fail the build whether it loads or not
    "snapshot_company_financials": "snapshot_additions/company_financials.csv",
    "snapshot_lab_compute_spend": "snapshot_additions/lab_compute_spend.csv",
    "epoch_ml_hardware": "mirror/epoch/ml_hardware.csv",
    "epoch_notable_ai_models": "mirror/epoch/notable_ai_models.csv",
    "epoch_ai_companies_usage_reports": "mirror/epoch/ai_companies_usage_reports.csv",
    "epoch_ai_companies_compute_spend": "mirror/epoch/ai_companies_compute_spend.csv",
    "epoch_data_centers": "mirror/epoch/data_centers.csv",
    "mlperf_inference_v5_1": "mirror/mlperf/inference_v5.1_summary_results.json",
}


def build_rows(source: str) -> tuple[str, list[str], list[dict[str, str]]]:
    """(label, header, rows) of what the good build fed ``source``: for a snapshot table, the bundled
    rows (all good) followed by the additions."""
    fmt = next(f for f in FORMATS if f.source == source)
    header, rows = read_table(BUILD / BUILD_FILES[source])
    rows = [{k: expand(v) for k, v in r.items()} for r in rows]
    if fmt.snapshot:
        bundled_header, bundled = read_table(SNAPSHOT_DIR / fmt.place)
        assert header[:-1] == bundled_header
        rows = bundled + rows
    return fmt.label, header, rows


@pytest.mark.parametrize("source", sorted(BUILD_FILES))
def test_good_build_quarantines_bad_rows(good_build: Build, source: str):
    """In the published warehouse: raw.<source> holds exactly the good rows, raw.quarantine one row per
    problem naming file, row and column."""
    label, header, rows = build_rows(source)
    spec = registry.get_source(source).spec
    result = good_build.results[source]
    assert result.unavailable == "" and not result.landed.stale
    assert_outcome(result.parsed, spec, label, header, rows)
    published = query(good_build.settings.duckdb_path,
                      f"select file, row_number, column_name, value, reason from raw.quarantine "
                      f"where source = '{source}' order by row_number, column_name")
    expected = result.parsed.quarantine.sort_values(["row_number", "column_name"], kind="stable")
    assert published == [tuple(r) for r in expected[
        ["file", "row_number", "column_name", "value", "reason"]].itertuples(index=False)]
    (count,) = query(good_build.settings.duckdb_path, f"select count(*) from raw.{source}")[0]
    assert count == len(result.parsed.frame)


def test_good_build_publishes_the_good_rows_and_the_brief(good_build: Build):
    db = good_build.settings.duckdb_path
    assert not warehouse.scratch_path(db).exists()
    # the first H100 row wins; its sparse duplicate went to quarantine
    assert query(db, "select accelerator_name, bf16_dense_flop_per_s, fp8_dense_flop_per_s, suspected_sparse "
                     "from marts.dim_accelerator where accelerator_id = 'nvidia-h100-sxm'") == [
        ("H100 SXM", 9.894e14, 1.979e15, False)]
    assert query(db, "select count(*) from marts.dim_accelerator where accelerator_id = 'example-npu-q3'") == [(0,)]
    assert query(db, "select usd_per_accelerator_hour from marts.fct_rental_prices "
                     "where price_id = 'aws-p5-48xlarge-od-use1'") == [(6.88,)]
    # the Epoch-only chip and Epoch notable model arrive; the quarantined ones do not
    assert query(db, "select spec_source from marts.dim_accelerator where accelerator_id = 'biren-synthetic-br900'") == [("epoch",)]
    assert query(db, "select count(*) from marts.fct_training_runs where model_name in "
                     "('Synthetic LM 7B', 'Synthetic LM 13B', 'Synthetic FLOP Words', 'Synthetic No Date')") == [(1,)]
    # markup and a 100 kB field are stored verbatim ...
    name, location, notes = query(db, "select c.campus_name, c.location, s.notes from marts.dim_datacenter_campus c "
                                      "join staging.stg_snapshot_datacenter_campuses s using (campus_id) "
                                      "where campus_id = 'synthetic-script-campus'")[0]
    assert name == '<script>alert("flopcast")</script> <b>Campus</b> & Co'
    assert location == "Nowhere, <img src=x onerror=alert(1)>" and notes == LONG_FIELD
    # ... and escaped in the brief (the campus table lists it: largest planned power)
    html = (good_build.brief / "brief.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;flopcast&#34;)&lt;/script&gt; &lt;b&gt;Campus&lt;/b&gt; &amp; Co" in html
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert (good_build.brief / "brief.pdf").stat().st_size > 0


# Case 3: implausible values that parse must fail blocking dbt tests and publish nothing.
FORENSIC = {  # per run: SQL on the failed build's scratch copy -> the rows it must return
    "specs": {
        "select accelerator_id, suspected_sparse_reason from marts.dim_accelerator "
        "where suspected_sparse order by 1": [
            ("amd-mi300x", "above 1.5x the other source: bf16_dense_flop_per_s 2614900000000000.0 vs Epoch "
             "1307400000000000.0; fp16_dense_flop_per_s 2614900000000000.0 vs Epoch 1307400000000000.0; "
             "fp8_dense_flop_per_s 5229800000000000.0 vs Epoch 2614900000000000.0"),
            ("nvidia-h100-sxm", "FP8/BF16 = 1.0 outside 1.9-2.2 (vendor:nvidia); above 1.5x the other "
             "source: bf16_dense_flop_per_s 1979000000000000.0 vs Epoch 989400000000000.0"),
        ],
        "select accelerator_id from marts.dim_accelerator where bf16_dense_flop_per_s > 1e16": [
            ("nvidia-a100-sxm-80gb",)],
        "select accelerator_id from marts.dim_accelerator where memory_bytes < 1e8": [("google-tpu-v4",)],
        "select accelerator_id, tdp_w from marts.dim_accelerator where tdp_w < 1": [
            ("biren-synthetic-br900", -550.0)],
        "select campus_id, planned_power_mw, operational_power_mw from marts.dim_datacenter_campus "
        "where planned_power_mw not between 0 and 1e5 or operational_power_mw < 0 order by 1": [
            ("epoch-synthetic-campus-one", -80.0, -80.0), ("xai-colossus-memphis", 1e9, 300.0)],
    },
    "downstream": {
        "select model_id, training_flop from marts.fct_training_runs where training_flop > 1e28": [
            ("alexnet", 1e40)],
        "select model_name, hardware_chip_count from marts.fct_training_runs where hardware_chip_count < 1": [
            ("Synthetic LM 7B", -512.0)],
        "select model_id from marts.fct_training_runs where training_flop_method like '6ND%' and "
        "abs(training_flop / (6 * active_parameters * training_tokens) - 1) >= 0.02": [("bert-large",)],
        "select provider, tokens_per_day from marts.fct_token_volumes where tokens_per_day < 1": [
            ("Example AI", -2.5e11)],
        "select result_id, tokens_per_s_per_accelerator from marts.fct_mlperf_throughput "
        "where tokens_per_s_per_accelerator > 1e8": [("5.1-9001", 1.2e11)],
    },
}


RUNS = ("specs", "downstream")


@dataclass
class FailedBuild:
    settings: object
    results: dict
    failure: subprocess.CalledProcessError | None
    published_before: str
    briefs_before: dict[str, str]

    @property
    def forensic(self) -> Path:
        return self.settings.home / "failed_scratch.duckdb"


def failing_run(good: Build, root: Path, run: str) -> FailedBuild:
    """A copy of the good build's home; the good inputs with the run's patches; ingest + dbt build."""
    home = root / run / "home"
    shutil.copytree(good.home, home, ignore=shutil.ignore_patterns("dbt_target", "dbt_logs"))
    inputs = root / run / "inputs"
    shutil.copytree(good.inputs, inputs)
    apply_patches(inputs, run)
    settings = build_settings(home, inputs)
    published_before = hashlib.sha256(settings.duckdb_path.read_bytes()).hexdigest()
    briefs_before = file_digests(settings.briefs_dir)
    results, failure = ingest_and_build(settings)
    return FailedBuild(settings, results, failure, published_before, briefs_before)


@pytest.fixture(scope="module")
def failed_builds(good_build: Build, tmp_path_factory):
    """Case 3: the implausible-value build of a run (built once, on first use)."""
    root = tmp_path_factory.mktemp("implausible")
    built: dict[str, FailedBuild] = {}
    discard = warehouse.discard

    def keep_a_copy(published: Path) -> None:  # what dbt built, kept before the scratch is dropped
        scratch = warehouse.scratch_path(published)
        if scratch.exists():
            shutil.copyfile(scratch, published.parent / "failed_scratch.duckdb")
        discard(published)

    def get(run: str) -> FailedBuild:
        if run not in built:
            with pytest.MonkeyPatch.context() as monkeypatch:
                monkeypatch.setattr(pipeline, "dbt_env", dbt_env_per_home(pipeline.dbt_env))
                monkeypatch.setattr(warehouse, "discard", keep_a_copy)
                built[run] = failing_run(good_build, root, run)
        return built[run]

    return get


@pytest.mark.parametrize("run", RUNS)
def test_implausible_values_fail_dbt_and_change_nothing(good_build: Build, failed_builds, run: str):
    build = failed_builds(run)
    settings = build.settings
    assert f"{MONTH}/brief.pdf" in build.briefs_before
    # the implausible values parsed: nothing was quarantined beyond the good build's rows
    for source, result in build.results.items():
        assert len(result.parsed.quarantine) == len(good_build.results[source].parsed.quarantine), source
    # dbt failed, and exactly the listed blocking tests failed (each on as many rows as were broken)
    assert build.failure is not None and build.failure.returncode != 0
    outcomes = dbt_results(settings)
    failed = {dbt_test_name(r["unique_id"]): r["failures"] for r in outcomes if r["status"] == "fail"}
    assert not [r["unique_id"] for r in outcomes if r["status"] == "error"]
    expected: dict[str, set] = {}
    for patch in (p for p in read_patches() if p["run"] == run):
        for test in patch["expected_failing_test"].split():
            expected.setdefault(test, set()).add((patch["file"], patch["key"]))
    assert failed == {test: len(keys) for test, keys in expected.items()}
    # the offending rows, as dbt built them in the discarded scratch copy
    for sql, rows in FORENSIC[run].items():
        assert query(build.forensic, sql) == rows, sql
    # nothing published: warehouse and the last brief unchanged, scratch gone, no new brief
    assert hashlib.sha256(settings.duckdb_path.read_bytes()).hexdigest() == build.published_before
    assert not warehouse.scratch_path(settings.duckdb_path).exists()
    assert file_digests(settings.briefs_dir) == build.briefs_before
    assert query(settings.duckdb_path, "select bf16_dense_flop_per_s from marts.dim_accelerator "
                                       "where accelerator_id = 'nvidia-h100-sxm'") == [(9.894e14,)]


# --- the manifest lists every corpus file and case ------------------------------------------------

def test_manifest_lists_every_file_and_case():
    manifest = (CORPUS / "MANIFEST.md").read_text(encoding="utf-8")
    files = [p.relative_to(CORPUS).as_posix() for p in sorted(CORPUS.rglob("*"))
             if p.is_file() and p.name != "MANIFEST.md"]
    assert [f for f in files if f"`{f}`" not in manifest] == []
    assert [c for c in [*STRUCTURAL, *ZIPPED] if f"`{c}`" not in manifest] == []
    used = {f.base for f in FORMATS} | {f.bad_cells for f in FORMATS} | {
        f"build/{p}" for p in BUILD_FILES.values()} | {"build/implausible.csv"}
    assert sorted(set(files) - used) == []
