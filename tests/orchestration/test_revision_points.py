"""The revisions chart's points: archived months read as published, the month before from the
rebuilt previous metrics, every other month rebuilt as of its own end (the Monte Carlo alone),
twelve partitions at most and none before the first."""

import json
from datetime import date

import pandas as pd
import pytest

from orchestration.partitions import month_end
from orchestration.settings import load_settings
from orchestration.steps import brief_history
from reports.inputs import BriefInputs

NOW, HORIZON = 2026, 2030


def _demand(share_now: float, share_horizon: float, gw: float, scenario: str = "base") -> pd.DataFrame:
    rows = [("generative", "inference_share", "share_of_accelerator_hours", NOW, share_now),
            ("generative", "inference_share", "share_of_accelerator_hours", HORIZON, share_horizon),
            ("all_ai", "installed", "gw", HORIZON, gw)]
    return pd.DataFrame([{"scenario": scenario, "scope": sc, "bucket": b, "unit": u, "year": y,
                          "p10": v * 0.9, "p50": v, "p90": v * 1.1} for sc, b, u, y, v in rows])


def _cross(year, scenario: str = "base") -> pd.DataFrame:
    return pd.DataFrame([{"scenario": scenario, "unit": "accelerator_hours", "p10": year, "p50": year, "p90": year}])


def _inputs(partition: str, previous: dict | None) -> BriefInputs:
    return BriefInputs(partition=partition, as_of=date(2026, 10, 31), scenario="base", seed=1, snapshot_hash="ab" * 32,
                       code_version="test", model={"demand": _demand(0.5, 0.8, 100.0), "crossover_summary": _cross(2027)},
                       methodology="", data_sources=pd.DataFrame(), campuses=pd.DataFrame(), mlperf=pd.DataFrame(),
                       previous=previous)


def _archived_metrics(partition: str, share_now: float) -> dict:
    return {"partition": partition, "series": [
        {"metric": "inference_share_accelerator_hours", "scope": "generative", "year": NOW, "p50": share_now},
        {"metric": "inference_share_accelerator_hours", "scope": "generative", "year": HORIZON, "p50": 0.7},
        {"metric": "installed_gw", "scope": "all_ai", "year": HORIZON, "p50": 90.0}],
        "metrics": {"crossover_year_accelerator_hours": {"value": 2028}}}


@pytest.fixture
def settings(tmp_path):
    return load_settings({"FLOPCAST_HOME": str(tmp_path)})  # the default: 12 months


@pytest.fixture
def rebuilds(monkeypatch):
    calls = []

    def fake_run_headlines(inputs, scenario, as_of, seed, draws, snapshot_hash):
        calls.append((scenario, as_of, draws))
        return _demand(0.4, 0.75, 80.0), _cross(None)

    monkeypatch.setattr(brief_history, "run_headlines", fake_run_headlines)
    monkeypatch.setattr(brief_history, "load_model_inputs", lambda settings: object())
    return calls


def test_archived_months_are_read_others_rebuilt_as_of_their_own_end(settings, rebuilds):
    for partition, share in (("2026-07", 0.45), ("2026-02", 0.44)):
        target = settings.briefs_dir / partition
        target.mkdir(parents=True)
        (target / "metrics.json").write_text(json.dumps(_archived_metrics(partition, share)))
    previous = _archived_metrics("2026-09", 0.47) | {"rebuilt": True}
    points = brief_history.revision_points(settings, _inputs("2026-10", previous))
    by_partition = {p["partition"]: p for p in points}
    assert len(points) == 12 and min(by_partition) == "2025-11" and max(by_partition) == "2026-10"
    assert by_partition["2026-10"]["basis"] == "this brief" and by_partition["2026-10"]["inference_share_now"] == 0.5
    assert by_partition["2026-10"]["crossover_year"] == 2027
    assert by_partition["2026-09"]["basis"] == "rebuilt" and by_partition["2026-09"]["inference_share_now"] == 0.47
    for partition, share in (("2026-07", 0.45), ("2026-02", 0.44)):
        assert by_partition[partition]["basis"] == "archived"
        assert by_partition[partition]["inference_share_now"] == share
        assert by_partition[partition]["crossover_year"] == 2028
    rebuilt = sorted(p for p, point in by_partition.items() if point["basis"] == "rebuilt" and p != "2026-09")
    assert len(rebuilt) == 8 and by_partition[rebuilt[0]]["crossover_year"] is None
    # each rebuild is as of its own month end, with a tenth of a brief's draws
    assert sorted(c[1] for c in rebuilds) == sorted(month_end(p) for p in rebuilt)
    assert {c[2] for c in rebuilds} == {brief_history.REVISION_DRAWS} and {c[0].name for c in rebuilds} == {"base"}


def test_no_month_before_the_first_partition(settings, rebuilds):
    points = brief_history.revision_points(settings, _inputs("2024-03", None))
    assert [p["partition"] for p in points] == ["2024-03", "2024-02", "2024-01"]


def test_an_archived_file_without_yearly_series_is_rebuilt(settings, rebuilds):
    target = settings.briefs_dir / "2026-08"
    target.mkdir(parents=True)
    (target / "metrics.json").write_text(json.dumps({"partition": "2026-08", "metrics": {}}))  # schema 1
    points = {p["partition"]: p for p in brief_history.revision_points(settings, _inputs("2026-10", None))}
    assert points["2026-08"]["basis"] == "rebuilt" and points["2026-08"]["inference_share_now"] == 0.4


def test_a_user_scenario_file_gets_archived_months_only(settings, rebuilds):
    inputs = _inputs("2026-10", None)
    inputs.model["demand"]["scenario"] = "my-case"
    inputs.model["crossover_summary"]["scenario"] = "my-case"
    from dataclasses import replace

    points = brief_history.revision_points(settings, replace(inputs, scenario="my-case"))
    assert [p["partition"] for p in points] == ["2026-10"] and rebuilds == []


def test_rebuilds_are_never_finer_than_the_brief(tmp_path, rebuilds):
    settings = load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_MODEL_DRAWS": "4000"})
    points = brief_history.revision_points(settings, _inputs("2026-10", None))
    assert {c[2] for c in rebuilds} == {4000}
    assert {p["draws"] for p in points if p["basis"] == "rebuilt"} == {4000}


def test_the_window_is_a_setting(tmp_path, rebuilds):
    settings = load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_REVISION_MONTHS": "3"})
    points = brief_history.revision_points(settings, _inputs("2026-10", None))
    assert [p["partition"] for p in points] == ["2026-10", "2026-09", "2026-08"] and len(rebuilds) == 2
    with pytest.raises(ValueError, match="FLOPCAST_REVISION_MONTHS='0'"):
        load_settings({"FLOPCAST_HOME": str(tmp_path), "FLOPCAST_REVISION_MONTHS": "0"})


def test_an_unreadable_archive_is_rebuilt_not_fatal(settings, rebuilds):
    target = settings.briefs_dir / "2026-06"
    target.mkdir(parents=True)
    (target / "metrics.json").write_text('{"partition": "2026-06", "series": [')  # truncated
    points = {p["partition"]: p for p in brief_history.revision_points(settings, _inputs("2026-10", None))}
    assert points["2026-06"]["basis"] == "rebuilt"
