"""Warehouse builds on the corpus: the bundled snapshot with the rows of build/snapshot_additions
appended and a small mirror of synthetic publisher files, ingested and built as a plain-Python run
does it (``steps.ingest.ingest_source`` for every source, then ``dbt build`` through the project's
one dbt resource into the scratch copy, published only if green).

Each dbt invocation has its own target folder, so the run_results.json read here names this run's
failing tests and concurrent test sessions do not collide.
"""

import csv
import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.resources import dbt_cli_resource
from orchestration.settings import SNAPSHOT_DIR, load_settings
from orchestration.sources import registry
from orchestration.steps.ingest import ingest_source
from orchestration.steps.warehouse_build import staged_dbt_build, wait_quietly
from tests.conftest import TEST_MODEL_DRAWS, TEST_REVISION_MONTHS
from tests.stress.corpus import BUILD, LONG_FIELD, read_table

MONTH = "2025-06"


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
                          "FLOPCAST_PUBLISHERS_DIR": str(inputs / "no_vendored_publishers"),
                          "FLOPCAST_MODEL_DRAWS": TEST_MODEL_DRAWS, "FLOPCAST_REVISION_MONTHS": TEST_REVISION_MONTHS})


def ingest_and_build(settings) -> tuple[dict, list[dict], DagsterDbtCliRuntimeError | None]:
    """The plain-Python run: every source into the run's scratch copy, then `dbt build` (publish if
    green). Returns the ingest results, dbt's per-node results (run_results.json) and the error a
    failed build raised."""
    run_id = uuid.uuid4().hex
    results = {name: ingest_source(settings, name, run_id, publish=False) for name in registry.SOURCES}
    outcomes: list[dict] = []
    try:
        with staged_dbt_build(settings, run_id, dbt_cli_resource()) as invocation:
            try:
                wait_quietly(invocation)
            finally:
                outcomes.extend(invocation.get_artifact("run_results.json")["results"])
    except DagsterDbtCliRuntimeError as exc:
        return results, outcomes, exc
    return results, outcomes, None


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



@dataclass
class FailedBuild:
    settings: object
    results: dict
    dbt_outcomes: list[dict]
    failure: DagsterDbtCliRuntimeError | None
    published_before: str
    briefs_before: dict[str, str]

    @property
    def forensic(self) -> Path:
        return self.settings.home / "failed_scratch.duckdb"


def failing_run(good: Build, root: Path, run: str) -> FailedBuild:
    """A copy of the good build's home; the good inputs with the run's patches; ingest + dbt build."""
    home = root / run / "home"
    shutil.copytree(good.home, home)
    inputs = root / run / "inputs"
    shutil.copytree(good.inputs, inputs)
    apply_patches(inputs, run)
    settings = build_settings(home, inputs)
    published_before = hashlib.sha256(settings.duckdb_path.read_bytes()).hexdigest()
    briefs_before = file_digests(settings.briefs_dir)
    results, outcomes, failure = ingest_and_build(settings)
    return FailedBuild(settings, results, outcomes, failure, published_before, briefs_before)
