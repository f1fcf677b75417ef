"""MLCommons, MLPerf Inference results: one ``summary_results.json`` per round.

URL pattern: https://raw.githubusercontent.com/mlcommons/inference_results_v<X.Y>/main/summary_results.json
(Apache-2.0; "MLPerf" is an MLCommons trademark). The file is a JSON array of result records,
one per (system, benchmark model, scenario); each record becomes a row. ``performance_result``
is in ``performance_units`` (Tokens/s, Samples/s, Queries/s or Latency (ms) — per row, so the
column name carries no unit); ``power_result`` is in ``power_units`` (Watts or millijoules).
``accelerators_per_node`` ('a#') is empty when MLCommons left it blank.
"""

import re

from orchestration.sources.fetch import SourceDescriptor
from orchestration.sources.tabular import Column, TableSpec

LICENCE = "Apache-2.0 (MLPerf is a trademark of MLCommons)"
URL_PATTERN = ("https://raw.githubusercontent.com/mlcommons/inference_results_v{version}"
               "/main/summary_results.json")
ROUNDS = ("4.1", "5.1")
_VERSION = re.compile(r"^\d+\.\d+$")


def source_name(version: str) -> str:
    """'5.1' or 'v5.1' -> 'mlperf_inference_v5_1'."""
    return "mlperf_inference_v" + _normalise(version).replace(".", "_")


def _normalise(version: str) -> str:
    cleaned = version.strip().lower().removeprefix("v")
    if not _VERSION.match(cleaned):
        raise ValueError(f"MLPerf round {version!r} is not like '5.1'")
    return cleaned


def descriptor(version: str) -> SourceDescriptor:
    v = _normalise(version)
    return SourceDescriptor(
        name=source_name(v),
        title=f"MLCommons, MLPerf Inference v{v} results",
        url=URL_PATTERN.format(version=v),
        licence=LICENCE,
        attribution=f"MLPerf Inference v{v} results, MLCommons (Apache-2.0)",
        ext="json",
        mirror_patterns=(f"mlperf/inference_v{v}_summary_results.json",
                         f"mlperf/*v{v}*summary_results*.json"),
    )


def _opt(name: str, kind: str, *aliases: str) -> Column:
    return Column(name, kind, required=False, aliases=aliases)


def spec(version: str) -> TableSpec:
    return TableSpec(
        source=source_name(version),
        key=("result_id", "model", "scenario"),
        columns=(
            Column("result_id", "text", nullable=False, aliases=("ID",)),
            _opt("version", "text", "version"),
            Column("submitter", "text", aliases=("Submitter",)),
            _opt("availability", "text", "Availability"),
            _opt("category", "text", "Category"),
            _opt("suite", "text", "Suite"),
            Column("system", "text", aliases=("System",)),
            _opt("platform", "text", "Platform"),
            Column("model", "text", nullable=False, aliases=("Model",)),
            _opt("used_model", "text", "UsedModel"),
            Column("scenario", "text", nullable=False, aliases=("Scenario",)),
            _opt("accuracy", "text", "Accuracy"),
            Column("accelerator", "text", aliases=("Accelerator",)),
            Column("accelerators_per_node", "number", aliases=("a#",)),
            Column("nodes", "number", aliases=("Nodes",)),
            _opt("processor", "text", "Processor"),
            _opt("host_processors_per_node", "number", "host_processors_per_node"),
            # text: some submitters write e.g. "64(AMD EPYC 9534) and 96(AMD EPYC 9655)"
            _opt("host_processor_core_count", "text", "host_processor_core_count"),
            _opt("processor_count", "number", "p#"),
            _opt("software", "text", "Software"),
            _opt("operating_system", "text", "operating_system"),
            _opt("weight_data_types", "text", "weight_data_types"),
            Column("performance_result", "number", nullable=False, aliases=("Performance_Result",)),
            Column("performance_units", "text", nullable=False, aliases=("Performance_Units",)),
            _opt("has_power", "bool", "has_power"),
            _opt("power_result", "number", "Power_Result"),
            _opt("power_units", "text", "Power_Units"),
            _opt("compliance", "number", "compliance"),
            _opt("errors", "number", "errors"),
            _opt("inferred", "number", "inferred"),
            _opt("notes", "text", "Notes"),
            _opt("location", "text", "Location"),
            _opt("unique_id", "text", "Unique ID (e.g. for Audit)"),
            _opt("details_url", "text", "Details"),
            _opt("code_url", "text", "Code"),
        ),
    )


DESCRIPTORS = {v: descriptor(v) for v in ROUNDS}
SPECS = {v: spec(v) for v in ROUNDS}
