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

ZIP_URL = "https://epoch.ai/data/ai_models.zip"

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
