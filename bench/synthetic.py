"""Synthetic inputs at 1x, 10x and 100x the real row counts, for the scale benchmark.

Writes (never into the repository) a snapshot folder and a mirror folder laid out like the
publishers' files:
- ``snapshot/``: the bundled tables, with ``training_runs`` and ``token_volumes`` grown by
  synthetic rows (plausible magnitudes, unique keys, dated so the as-of rule keeps them);
- ``mirror/epoch/notable_ai_models.csv``: Epoch-format notable models;
- ``mirror/mlperf/inference_v5.1_summary_results.json``: MLPerf-format results on known chips.

1x matches the real files' row counts (942 notable models, 1,448 MLPerf v5.1 results, the
snapshot's 144 training runs and 29 token disclosures). Values are random but seeded, so every
size is reproducible. The column names come from the connectors' specs (publisher spelling).
"""

import csv
import io
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from models.units import DAYS_PER_YEAR
from orchestration.settings import SNAPSHOT_DIR
from orchestration.sources.registry import SOURCES

REAL_ROWS = {"notable": 942, "mlperf": 1448, "training_runs": 144, "token_volumes": 29}
# MLPerf accelerator names as submitters write them (all resolve to canonical ids).
MLPERF_CHIPS = ["NVIDIA H100-SXM-80GB", "NVIDIA H200-SXM-141GB", "NVIDIA B200-SXM-180GB",
                "AMD Instinct MI300X", "NVIDIA GB200", "AMD Instinct MI325X", "NVIDIA L40S"]
HARDWARE = ["NVIDIA H100 SXM5 80GB", "NVIDIA A100 SXM4 80 GB", "Google TPU v4", "NVIDIA V100"]
ORGS = ["Example Lab", "Synthetic AI", "Acme Research", "Model Works"]


def _header(source: str, name: str) -> str:
    """The publisher's spelling of a spec column (its first alias, or the name)."""
    column = next(c for c in SOURCES[source].spec.columns if c.name == name)
    return column.aliases[0] if column.aliases else column.name


def _day(rng, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days)))


def notable_models_csv(rows: int, rng) -> bytes:
    source = "epoch_notable_ai_models"
    names = ["model", "organization", "publication_date", "parameters", "training_compute_flop",
             "training_hardware", "domain"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_header(source, n) for n in names])
    for i in range(rows):
        day = _day(rng, date(2012, 1, 1), date(2025, 6, 1))
        years = (day - date(2012, 1, 1)).days / DAYS_PER_YEAR
        flop = 10 ** (18 + 0.5 * years + rng.normal(0, 0.8))  # ~3x/yr growth, wide scatter
        params = 10 ** rng.uniform(7, 11.5)
        writer.writerow([f"Synthetic Model {i:06d}", ORGS[i % len(ORGS)], day.isoformat(),
                         f"{params:.4g}", f"{flop:.4g}", HARDWARE[i % len(HARDWARE)], "Language"])
    return out.getvalue().encode()


def mlperf_json(rows: int, rng) -> bytes:
    records = []
    for i in range(rows):
        chips = int(rng.choice([1, 4, 8]))
        records.append({
            "ID": f"5.1-{i:06d}", "Submitter": ORGS[i % len(ORGS)], "Availability": "available",
            "Category": "closed", "Suite": "datacenter", "System": f"system-{i % 97}",
            "Model": "llama2-70b-99", "Scenario": "Offline" if i % 2 else "Server",
            "Nodes": 1, "Accelerator": MLPERF_CHIPS[i % len(MLPERF_CHIPS)], "a#": chips,
            "has_power": False, "version": "v5.1",
            "Performance_Result": round(float(chips * rng.uniform(800, 13000)), 3),
            "Performance_Units": "Tokens/s",
        })
    return json.dumps(records).encode()


def _append_rows(path: Path, rows: list[dict]) -> None:
    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writerows(rows)


def training_runs(extra: int, rng) -> list[dict]:
    rows = []
    for i in range(extra):
        day = _day(rng, date(2014, 1, 1), date(2025, 6, 1))
        params = 10 ** rng.uniform(8, 11)
        tokens = params * rng.uniform(5, 40)
        rows.append({"model_id": f"synthetic-run-{i:06d}", "model_name": f"Synthetic Run {i}",
                     "organization": ORGS[i % len(ORGS)], "publication_date": day.isoformat(),
                     "domain": "language", "total_parameters": f"{params:.4g}",
                     "active_parameters": f"{params:.4g}", "training_tokens": f"{tokens:.4g}",
                     "training_flop": f"{6 * params * tokens:.4g}", "training_flop_basis": "estimated",
                     "training_flop_method": "6ND", "open_weights": "false",
                     "source_url": "https://example.org/synthetic", "retrieved": "2026-11-26"})
    return rows


def token_volumes(extra: int, rng) -> list[dict]:
    rows = []
    for i in range(extra):
        end = _day(rng, date(2024, 9, 1), date(2025, 6, 1))
        rows.append({"disclosure_id": f"synthetic-{i:06d}", "provider": f"Synthetic Provider {i % 50}",
                     "period_start": end.isoformat(), "period_end": end.isoformat(),
                     "tokens": f"{10 ** rng.uniform(9, 11):.4g}", "period_unit": "day",
                     "scope": "synthetic benchmark rows", "metric": "tokens_processed",
                     "disclosed_on": end.isoformat(), "source_url": "https://example.org/synthetic",
                     "retrieved": "2026-11-26"})
    return rows


def generate(folder: Path, scale: int, seed: int = 7) -> tuple[Path, Path]:
    """Write ``folder/snapshot`` and ``folder/mirror`` at ``scale`` x the real row counts."""
    rng = np.random.default_rng(seed)
    snapshot, mirror = folder / "snapshot", folder / "mirror"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SNAPSHOT_DIR, snapshot, ignore=shutil.ignore_patterns("*.md"))
    _append_rows(snapshot / "training_runs.csv", training_runs(REAL_ROWS["training_runs"] * (scale - 1), rng))
    _append_rows(snapshot / "token_volumes.csv", token_volumes(REAL_ROWS["token_volumes"] * (scale - 1), rng))
    (mirror / "epoch").mkdir(parents=True)
    (mirror / "mlperf").mkdir(parents=True)
    (mirror / "epoch" / "notable_ai_models.csv").write_bytes(notable_models_csv(REAL_ROWS["notable"] * scale, rng))
    (mirror / "mlperf" / "inference_v5.1_summary_results.json").write_bytes(
        mlperf_json(REAL_ROWS["mlperf"] * scale, rng))
    return snapshot, mirror
