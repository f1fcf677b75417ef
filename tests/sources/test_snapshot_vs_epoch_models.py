"""The bundled snapshot's training runs checked against Epoch AI's Notable and Large-Scale AI Models
datasets, model by model, wherever both give training compute (the pairs, exclusions and method:
``epoch_comparison``).

Tolerance: a factor of 2 on training FLOP. Training compute is an estimate even when a developer
states it; legitimate methods differ (6ND vs GPU-hours x peak x utilisation, with utilisation
assumptions of 30-50%, counting restarts or post-training or not, MoE formulas such as
Hunyuan-Large's 9.59ND, geometric means of two methods) and move estimates by up to ~1.5-2x. A gap
beyond 2x has in practice meant a real error (wrong token count or parameter count, sparse vs dense
peak), which is what this test is for.
"""

from __future__ import annotations

import re

import pandas as pd

from orchestration.settings import PUBLISHERS_DIR
from orchestration.sources.registry import get_source
from tests.sources.epoch_comparison import (
    LARGE_SCALE_MODEL_MAP,
    MODEL_EXCLUSIONS,
    NOTABLE_MODEL_MAP,
    Comparison,
    number_or_none,
    report,
)

MODEL_FACTOR = 2.0
MIN_MATCHED_NOTABLE_MODELS = 40  # 42 pairs with FLOP on both sides, after exclusions
MIN_MATCHED_MODELS = 52          # 55 with the large-scale file
MAX_MODEL_MISMATCHES = 2         # unexplained ones; 0 when this file was written


def _model_comparisons(training_runs, epoch_models) -> tuple[list[Comparison], list[str]]:
    comparisons: list[Comparison] = []
    uncompared: list[str] = []
    for source, mapping in (("notable", NOTABLE_MODEL_MAP), ("large_scale", LARGE_SCALE_MODEL_MAP)):
        frame = epoch_models[source]
        for model_id, epoch_name in mapping.items():
            ours = number_or_none(training_runs.loc[model_id, "training_flop"])
            epoch = (number_or_none(frame.loc[epoch_name, "training_compute_flop"])
                     if epoch_name in frame.index else None)
            if ours is None or epoch is None:
                side = "ours" if ours is None else f"Epoch {source}"
                uncompared.append(f"{model_id} ({side} has no training FLOP)")
                continue
            ratio = max(ours, epoch) / min(ours, epoch)
            comparisons.append(Comparison(
                key=model_id, epoch_name=f"{source}: {epoch_name}", metric="training_flop",
                ours=ours, epoch=epoch, ok=ratio <= MODEL_FACTOR,
                excluded=MODEL_EXCLUSIONS.get(model_id, "")))
    return comparisons, uncompared


def test_training_runs_match_epoch(snapshot_training_runs, epoch_ai_models):
    comparisons, uncompared = _model_comparisons(snapshot_training_runs, epoch_ai_models)
    mismatches = report("training_runs.csv vs Epoch AI Models (training FLOP)", comparisons,
                         ratio=True)
    if uncompared:
        print("mapped but not compared:", "; ".join(uncompared))
    counted = [c for c in comparisons if not c.excluded]
    notable = sum(c.epoch_name.startswith("notable:") for c in counted)
    assert notable >= MIN_MATCHED_NOTABLE_MODELS, f"only {notable} notable models compared"
    assert len(counted) >= MIN_MATCHED_MODELS, f"only {len(counted)} models compared"
    assert len(mismatches) <= MAX_MODEL_MISMATCHES, (
        f"{len(mismatches)} training-FLOP mismatches beyond x{MODEL_FACTOR:g} (allowed "
        f"{MAX_MODEL_MISMATCHES}); check each against the paper/model card, then fix "
        "training_runs.csv or add a reasoned exclusion:\n" + "\n".join(mismatches))


def test_every_model_exclusion_is_still_needed(snapshot_training_runs, epoch_ai_models):
    comparisons, _ = _model_comparisons(snapshot_training_runs, epoch_ai_models)
    stale = [c.line(ratio=True) for c in comparisons if c.excluded and c.ok]
    absent = set(MODEL_EXCLUSIONS) - {c.key for c in comparisons}
    assert not stale and not absent, f"stale exclusions: {stale} {sorted(absent)}"


# Epoch's frontier-file name -> ours, where they differ beyond case and punctuation.
FRONTIER_NAMES = {"Llama Nemotron Ultra 253B": "Llama 3.1 Nemotron Ultra 253B"}
FRONTIER_FROM = "2023-01-01"  # older frontier models reach the warehouse from Epoch's file itself


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def test_every_recent_frontier_model_with_a_compute_figure_has_a_row(snapshot_training_runs):
    """Each model of Epoch AI's Frontier AI Models file published from 2023 on with a training
    compute figure has a row in training_runs.csv: with Epoch's figure, the project's own, or (a
    derivative of a model with its own row) an empty figure and Epoch's cumulative one in the notes."""
    frontier = get_source("epoch_frontier_ai_models").parse_bytes(
        (PUBLISHERS_DIR / "epoch/frontier_ai_models.csv").read_bytes(), "frontier_ai_models.csv").frame
    recent = frontier[frontier["training_compute_flop"].notna()
                      & (pd.to_datetime(frontier["publication_date"]) >= FRONTIER_FROM)]
    ours = {_name_key(n) for n in snapshot_training_runs["model_name"]}
    missing = [m for m in recent["model"] if _name_key(FRONTIER_NAMES.get(m, m)) not in ours]
    print(f"\n{len(recent)} frontier models from {FRONTIER_FROM} with a compute figure; missing: {missing}")
    assert len(recent) >= 17 and not missing, missing
    for epoch_name, our_name in FRONTIER_NAMES.items():  # a derivative: Epoch's cumulative figure noted
        row = snapshot_training_runs[snapshot_training_runs["model_name"] == our_name].iloc[0]
        figure = recent.loc[recent["model"] == epoch_name, "training_compute_flop"].iloc[0]
        assert pd.isna(row["training_flop"]) and f"{figure:.3g}".replace("e+", "e") in row["notes"]
