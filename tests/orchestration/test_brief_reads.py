"""The brief asset declares every mart the brief reads, so the UI's lineage is the code's."""

import inspect
import re

from dagster import AssetKey

from orchestration import pipeline


def test_every_mart_the_brief_reads_is_a_declared_dependency():
    code = "\n".join(inspect.getsource(f) for f in (pipeline.build_brief, pipeline.load_data_sources))
    code += pipeline.MLPERF_SUMMARY_SQL
    read = set(re.findall(r"\bmarts\.(\w+)", code))
    assert read, "no mart reads found: the pattern no longer matches the code"
    assert read <= set(pipeline.BRIEF_MARTS), f"read but not declared: {sorted(read - set(pipeline.BRIEF_MARTS))}"

    from orchestration.definitions import defs

    parents = defs.resolve_asset_graph().get(AssetKey(["brief", "monthly_brief"])).parent_keys
    assert {AssetKey(["marts", m]) for m in pipeline.BRIEF_MARTS} <= parents
