"""The brief asset declares every mart the brief reads, so the UI's lineage is the code's: the marts
the brief step reads itself (BRIEF_MARTS), and the model's input marts its rebuilt months read."""

import inspect
import re

from dagster import AssetKey

from models.inputs import MART_INPUTS
from orchestration.steps import brief, brief_history, model


def test_every_mart_the_brief_reads_is_a_declared_dependency():
    code = inspect.getsource(brief) + inspect.getsource(model.load_data_sources)
    read = set(re.findall(r"\bmarts\.(\w+)", code))
    assert read, "no mart reads found: the pattern no longer matches the code"
    assert read <= set(brief.BRIEF_MARTS), f"read but not declared: {sorted(read - set(brief.BRIEF_MARTS))}"
    assert "load_model_inputs" in inspect.getsource(brief_history)  # the rebuilt months read MART_INPUTS

    from orchestration.definitions import defs

    parents = defs.resolve_asset_graph().get(AssetKey(["brief", "monthly_brief"])).parent_keys
    assert {AssetKey(["marts", m]) for m in (*brief.BRIEF_MARTS, *MART_INPUTS.values())} <= parents
