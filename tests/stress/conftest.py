"""Shared fixtures of the stress tests: the corpus builds. Three dbt builds in all (one good build,
two implausible-value builds on copies of it), each built once per session on first use."""

import shutil
import uuid
from pathlib import Path

import pytest

from orchestration import warehouse
from orchestration.steps.brief import build_brief
from orchestration.steps.model import run_demand_model
from tests.stress.builds import (
    MONTH,
    Build,
    FailedBuild,
    assemble_inputs,
    build_settings,
    failing_run,
    ingest_and_build,
)


@pytest.fixture(scope="session")
def good_build(tmp_path_factory) -> Build:
    """Case 2: bad rows quarantined, good rows built and published, a brief archived."""
    root = tmp_path_factory.mktemp("good_build")
    inputs = assemble_inputs(root / "inputs")
    settings = build_settings(root / "home", inputs)
    results, outcomes, failure = ingest_and_build(settings)
    assert failure is None, [r["unique_id"] for r in outcomes if r["status"] in ("fail", "error")]
    run_demand_model(settings, MONTH, uuid.uuid4().hex)
    brief, _ = build_brief(settings, MONTH)
    return Build(root / "home", inputs, settings, results, brief)


@pytest.fixture(scope="session")
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
                monkeypatch.setattr(warehouse, "discard", keep_a_copy)
                built[run] = failing_run(good_build, root, run)
        return built[run]

    return get
