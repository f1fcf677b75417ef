"""Revisions of the headline figures (reports/revisions.py): points from archived metrics and from
model outputs, the frame oldest first, and how far each headline moved."""

import math

import numpy as np
import pandas as pd
import pytest

from reports import revisions as rev
from reports.revisions import COLUMNS, LABELS

NOW, HORIZON = 2026, 2030


def _series_row(metric, scope, year, p50):
    return {"metric": metric, "scope": scope, "year": year, "unit": "x", "p10": -1.0, "p50": p50, "p90": 99.0}


def _metrics(**over) -> dict:
    series = [
        _series_row("inference_share_accelerator_hours", "generative", NOW, 0.41),
        _series_row("inference_share_accelerator_hours", "generative", HORIZON, 0.63),
        # same metric, other scope and years: must not be picked
        _series_row("inference_share_accelerator_hours", "all_ai", NOW, 0.90),
        _series_row("inference_share_accelerator_hours", "all_ai", HORIZON, 0.91),
        _series_row("inference_share_accelerator_hours", "generative", HORIZON - 1, 0.55),
        _series_row("installed_gw", "all_ai", NOW, 20.0),
        _series_row("installed_gw", "all_ai", HORIZON, 75.5),
        _series_row("installed_gw", "generative", HORIZON, 40.0),
        _series_row("inference_share_energy", "generative", HORIZON, 0.12),
    ]
    metrics = {"schema_version": 2, "series": series,
               "metrics": {"crossover_year_accelerator_hours": {"value": 2028.0, "unit": "year"},
                           "crossover_year_energy": {"value": 2031.0, "unit": "year"}}}
    metrics.update(over)
    return metrics


def test_point_from_metrics_reads_the_right_p50s():
    point = rev.point_from_metrics("2026-03", "archived", _metrics(), NOW, HORIZON)
    assert point == {"partition": "2026-03", "basis": "archived", "inference_share_now": 0.41,
                     "inference_share_horizon": 0.63, "installed_gw_horizon": 75.5, "crossover_year": 2028.0,
                     "now_year": NOW, "horizon_year": HORIZON, "draws": None}
    assert set(point) == set(COLUMNS)


def test_point_from_metrics_other_years():
    point = rev.point_from_metrics("2026-03", "rebuilt", _metrics(), HORIZON - 1, HORIZON)
    assert point["inference_share_now"] == 0.55
    assert point["installed_gw_horizon"] == 75.5


def test_point_from_metrics_without_series_is_none():
    old = {"schema_version": 1, "metrics": {"crossover_year_accelerator_hours": {"value": 2028.0}}}
    assert rev.point_from_metrics("2025-01", "archived", old, NOW, HORIZON) is None
    assert rev.point_from_metrics("2025-01", "archived", _metrics(), 2040, 2041) is None  # none of the years
    assert rev.point_from_metrics("2025-01", "archived", _metrics(series=None), NOW, HORIZON) is None


def test_point_from_metrics_missing_pieces_are_none():
    m = _metrics()
    m["series"] = [r for r in m["series"] if not (r["metric"] == "installed_gw" and r["year"] == HORIZON)]
    m["series"] = [{**r, "p50": float("nan")} if (r["scope"], r["year"]) == ("generative", NOW) else r
                   for r in m["series"]]
    del m["metrics"]["crossover_year_accelerator_hours"]
    point = rev.point_from_metrics("2026-03", "archived", m, NOW, HORIZON)
    assert point is not None  # the horizon share is there
    assert point["inference_share_now"] is None  # NaN P50 -> None
    assert point["inference_share_horizon"] == 0.63
    assert point["installed_gw_horizon"] is None
    assert point["crossover_year"] is None
    nan_cross = _metrics()
    nan_cross["metrics"]["crossover_year_accelerator_hours"]["value"] = float("nan")
    assert rev.point_from_metrics("p", "b", nan_cross, NOW, HORIZON)["crossover_year"] is None


def _demand(with_scope=True) -> pd.DataFrame:
    rows = []
    for year in range(NOW - 1, HORIZON + 1):
        share = 0.3 + 0.05 * (year - NOW)
        rows.append(("generative", year, "inference_share", "share_of_accelerator_hours", share))
        rows.append(("generative", year, "inference_share", "share_of_energy", share / 2))
        rows.append(("all_ai", year, "inference_share", "share_of_accelerator_hours", share + 0.2))
        rows.append(("all_ai", year, "installed", "gw", 10.0 * (year - 2020)))
        rows.append(("generative", year, "installed", "gw", 1.0 * (year - 2020)))
        rows.append(("all_ai", year, "installed", "h100e", 1e6 * year))
    frame = pd.DataFrame(rows, columns=["scope", "year", "bucket", "unit", "p50"])
    frame["scenario"] = "base"
    frame["p10"], frame["p90"] = frame["p50"] * 0.8, frame["p50"] * 1.2
    frame = frame[["scenario", "year", "bucket", "unit", "p10", "p50", "p90", "scope"]]
    return frame.sample(frac=1.0, random_state=5) if with_scope else frame.drop(columns="scope")


def _cross(acc_hours=2028.0):
    return pd.DataFrame({"unit": ["energy", "accelerator_hours", "spend"], "p50": [2033.0, acc_hours, 2027.0]})


def test_point_from_model():
    point = rev.point_from_model("2026-04", "rebuilt", _demand(), _cross(), NOW, HORIZON)
    assert point["partition"] == "2026-04" and point["basis"] == "rebuilt"
    assert point["inference_share_now"] == pytest.approx(0.30)
    assert point["inference_share_horizon"] == pytest.approx(0.50)
    assert point["installed_gw_horizon"] == pytest.approx(100.0)  # all_ai, not generative (10.0)
    assert point["crossover_year"] == 2028 and isinstance(point["crossover_year"], int)
    assert (point["now_year"], point["horizon_year"]) == (NOW, HORIZON)
    assert set(point) == set(COLUMNS)


def test_point_from_model_nan_or_absent_crossover_and_missing_years():
    assert rev.point_from_model("p", "b", _demand(), _cross(np.nan), NOW, HORIZON)["crossover_year"] is None
    no_cross = _cross().iloc[[0]]
    assert rev.point_from_model("p", "b", _demand(), no_cross, NOW, HORIZON)["crossover_year"] is None
    point = rev.point_from_model("p", "b", _demand(), _cross(), NOW, 2040)
    assert point["inference_share_horizon"] is None and point["installed_gw_horizon"] is None
    assert point["inference_share_now"] == pytest.approx(0.30)


def test_point_from_model_without_scope_column_is_generative():
    point = rev.point_from_model("p", "b", _demand(with_scope=False), _cross(), NOW, HORIZON)
    # every row counts as generative: the generative share rows are found, the all_ai GW is not
    assert point["installed_gw_horizon"] is None
    assert point["inference_share_horizon"] == pytest.approx(0.50)  # the first matching row


def _point(partition, now_share, horizon_share, gw, cross):
    return {"partition": partition, "basis": "archived", "inference_share_now": now_share,
            "inference_share_horizon": horizon_share, "installed_gw_horizon": gw, "crossover_year": cross,
            "now_year": NOW, "horizon_year": HORIZON}


def test_revisions_frame_sorts_by_partition():
    points = [_point("2026-03", 0.40, 0.60, 70.0, 2029), _point("2025-11", 0.35, 0.55, 60.0, None),
              _point("2026-01", 0.38, None, 65.0, 2028)]
    frame = rev.revisions_frame(points)
    assert list(frame.columns) == COLUMNS
    assert frame["partition"].tolist() == ["2025-11", "2026-01", "2026-03"]
    assert frame["installed_gw_horizon"].tolist() == [60.0, 65.0, 70.0]
    assert list(frame.index) == [0, 1, 2]
    assert rev.revisions_frame([]).empty and list(rev.revisions_frame([]).columns) == COLUMNS


def test_moved_first_last_change():
    points = [_point("2026-03", 0.40, 0.62, 70.0, None), _point("2025-11", 0.35, None, 60.0, None),
              _point("2026-01", 0.38, 0.58, 65.5, None), _point("2026-05", None, 0.61, 72.0, None)]
    out = rev.moved(rev.revisions_frame(points))
    assert set(out) == set(LABELS)
    first, last, change = out["inference_share_now"]
    assert (first, last) == (0.35, 0.40) and change == pytest.approx(0.05)  # 2026-05 is missing
    first, last, change = out["inference_share_horizon"]
    assert (first, last) == (0.58, 0.61) and change == pytest.approx(0.03)
    assert out["installed_gw_horizon"] == (60.0, 72.0, 12.0)
    assert out["crossover_year"] is None


def test_moved_crossover_year_change_in_years():
    points = [_point("2026-01", 0.3, 0.5, 1.0, 2030), _point("2026-02", 0.3, 0.5, 1.0, 2028)]
    out = rev.moved(rev.revisions_frame(points))
    assert out["crossover_year"] == (2030, 2028, -2)
    assert not any(isinstance(v, float) and math.isnan(v) for v in out["crossover_year"])
