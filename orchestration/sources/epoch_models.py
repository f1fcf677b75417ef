"""Epoch AI, AI Models (https://epoch.ai/data/ai_models.zip): three tables from one zip.

- ``epoch_notable_ai_models``    member notable_ai_models.csv
- ``epoch_frontier_ai_models``   member frontier_ai_models.csv (adds inference, post-training
  and synthetic-data compute, compute bounds, chip-hours)
- ``epoch_large_scale_ai_models`` member large_scale_ai_models.csv

Values stay in Epoch's units (FLOP, parameters, hours, W, USD of the stated year). The
training-dataset-size column has been renamed between releases ('(datapoints)', '(gradients)',
'(total)', and '(DEPRECATED) ... (datapoints)'); whichever is present lands in
``training_dataset_size`` (its unit is whatever that release counted). Note: the frontier file's
bare 'Training dataset size' column holds model names, so it is deliberately not an alias.
"""

from orchestration.sources.epoch_hardware import EPOCH_ATTRIBUTION, EPOCH_LICENCE
from orchestration.sources.fetch import SourceDescriptor
from orchestration.sources.tabular import Column, TableSpec

ZIP_URL = "https://epoch.ai/data/ai_models.zip"

DATASET_SIZE_ALIASES = (
    "Training dataset size (gradients)",
    "Training dataset size (total)",
    "Training dataset size (datapoints)",
    "(DEPRECATED) Training dataset size (datapoints)",
    "Training dataset size (tokens)",
)


def _descriptor(name: str, member: str, title: str) -> SourceDescriptor:
    stem = member.removesuffix(".csv")
    return SourceDescriptor(
        name=name,
        title=title,
        url=ZIP_URL,
        zip_member=member,
        licence=EPOCH_LICENCE,
        attribution=EPOCH_ATTRIBUTION,
        ext="csv",
        mirror_patterns=(f"epoch/{member}", "epoch/ai_models.zip", f"epoch/{stem}*.csv"),
    )


NOTABLE = _descriptor("epoch_notable_ai_models", "notable_ai_models.csv",
                      "Epoch AI, Notable AI Models")
FRONTIER = _descriptor("epoch_frontier_ai_models", "frontier_ai_models.csv",
                       "Epoch AI, Frontier AI Models")
LARGE_SCALE = _descriptor("epoch_large_scale_ai_models", "large_scale_ai_models.csv",
                          "Epoch AI, Large-Scale AI Models")
DESCRIPTORS = (NOTABLE, FRONTIER, LARGE_SCALE)


def _opt(name: str, kind: str, *aliases: str) -> Column:
    return Column(name, kind, required=False, aliases=aliases)


# Required in every release: identity, date, and the numbers the demand model reads.
_CORE = (
    Column("model", "text", nullable=False, aliases=("Model",)),
    Column("organization", "text", aliases=("Organization",)),
    Column("publication_date", "date", nullable=False, aliases=("Publication date",)),
    Column("parameters", "number", aliases=("Parameters",)),
    Column("training_compute_flop", "number", aliases=("Training compute (FLOP)",)),
)

_COMMON = (
    _opt("domain", "text", "Domain"),
    _opt("task", "text", "Task"),
    _opt("training_dataset", "text", "Training dataset"),
    _opt("training_dataset_size", "number", *DATASET_SIZE_ALIASES),
    _opt("epochs", "number", "Epochs"),
    _opt("training_time_hours", "number", "Training time (hours)"),
    _opt("training_hardware", "text", "Training hardware"),
    _opt("hardware_quantity", "number", "Hardware quantity"),
    _opt("hardware_utilization_mfu", "number", "Hardware utilization (MFU)"),
    _opt("hardware_utilization_hfu", "number", "Hardware utilization (HFU)"),
    _opt("training_compute_cost_2023_usd", "number", "Training compute cost (2023 USD)"),
    _opt("training_compute_cost_cloud_usd", "number", "Training compute cost (cloud)"),
    _opt("training_compute_cost_upfront_usd", "number", "Training compute cost (upfront)"),
    _opt("training_power_draw_w", "number", "Training power draw (W)"),
    _opt("hardware_acquisition_cost_usd", "number", "Hardware acquisition cost"),
    _opt("base_model", "text", "Base model"),
    _opt("finetune_compute_flop", "number", "Finetune compute (FLOP)"),
    _opt("batch_size", "number", "Batch size"),
    _opt("numerical_format", "text", "Numerical format"),
    _opt("confidence", "text", "Confidence"),
    _opt("model_accessibility", "text", "Model accessibility"),
    _opt("training_code_accessibility", "text", "Training code accessibility"),
    _opt("organization_categorization", "text", "Organization categorization"),
    _opt("country", "text", "Country (of organization)"),
    _opt("notability_criteria", "text", "Notability criteria"),
    _opt("frontier_model", "bool", "Frontier model"),
    _opt("citations", "number", "Citations"),
    _opt("link", "text", "Link"),
    _opt("reference", "text", "Reference"),
    _opt("parameters_notes", "text", "Parameters notes"),
    _opt("training_compute_notes", "text", "Training compute notes"),
    _opt("dataset_size_notes", "text", "Dataset size notes"),
)

_FRONTIER_EXTRA = (
    _opt("inference_compute_flop", "number", "Inference compute (FLOP)"),
    _opt("post_training_compute_flop", "number", "Post-training compute (FLOP)"),
    _opt("distillation_or_synthetic_data_compute_flop", "number",
         "Distillation or synthetic data compute"),
    _opt("training_compute_lower_bound_flop", "number", "Training compute lower bound"),
    _opt("training_compute_upper_bound_flop", "number", "Training compute upper bound"),
    _opt("training_chip_hours", "number", "Training chip-hours"),
    _opt("training_compute_estimation_method", "text", "Training compute estimation method"),
    _opt("hardware_maker", "text", "Hardware maker"),
    _opt("hardware_release_date", "date", "Hardware release date"),
    _opt("knowledge_cutoff", "date", "Knowledge cutoff"),
    _opt("post_training_compute_notes", "text", "Post-training compute notes"),
    _opt("inference_compute_notes", "text", "Inference compute notes"),
)

NOTABLE_SPEC = TableSpec(source=NOTABLE.name, key=("model",), columns=_CORE + _COMMON)
FRONTIER_SPEC = TableSpec(source=FRONTIER.name, key=("model",),
                          columns=_CORE + _COMMON + _FRONTIER_EXTRA)
LARGE_SCALE_SPEC = TableSpec(source=LARGE_SCALE.name, key=("model",), columns=_CORE + _COMMON)
