"""Warehouse builds on the corpus: the bundled snapshot with the rows of build/snapshot_additions
appended and a small mirror of synthetic publisher files, ingested and built as a plain-Python run
does it (``pipeline.ingest_source`` then ``pipeline.run_dbt_build``, published only if green).

dbt writes its target/ and logs under each run's temporary home (DBT_TARGET_PATH / DBT_LOG_PATH),
never into transforms/target, so run_results.json names this run's failing tests and concurrent
test sessions do not collide.
"""

import csv
import hashlib
import json
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import pipeline
from orchestration.settings import SNAPSHOT_DIR, load_settings
from orchestration.sources import registry
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
