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


DESCRIPTORS = {v: descriptor(v) for v in ROUNDS}
