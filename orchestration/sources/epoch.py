"""Epoch AI's datasets (https://epoch.ai/data, CC BY 4.0): where each file comes from and how a
mirror names it. Their columns, with the headers Epoch used in each release, are declared in dbt's
source ``raw`` (``raw_schema``); values stay in Epoch's units and as published.
"""

from orchestration.sources.fetch import SourceDescriptor

LICENCE = "CC BY 4.0"
ATTRIBUTION = "Data: Epoch AI, CC BY 4.0, epoch.ai/data"
AI_MODELS_ZIP = "https://epoch.ai/data/ai_models.zip"


def _epoch(name: str, title: str, url: str, *patterns: str, member: str | None = None) -> SourceDescriptor:
    return SourceDescriptor(name=name, title=title, url=url, zip_member=member, licence=LICENCE,
                            attribution=ATTRIBUTION, ext="csv", mirror_patterns=patterns)


def _ai_models(name: str, member: str, title: str) -> SourceDescriptor:
    stem = member.removesuffix(".csv")
    return _epoch(name, title, AI_MODELS_ZIP, f"epoch/{member}", "epoch/ai_models.zip",
                  f"epoch/{stem}*.csv", member=member)


# Machine Learning Hardware: one row per accelerator (FLOP/s, bytes, byte/s, W, USD). The schema
# drifts between releases: the Nov-2025 file names memory 'Memory size per board (Byte)' (later
# 'Memory (bytes)'), has no 'Notes' column and orders the columns differently; columns are mapped
# by name. Epoch's derived columns (energy efficiency, price-performance) hold 'inf' and are left
# out: they are recomputed downstream. Headline figures as published (dense/sparse is dbt's job).
ML_HARDWARE = _epoch("epoch_ml_hardware", "Epoch AI, Machine Learning Hardware",
                     "https://epoch.ai/data/ml_hardware.zip", "epoch/ml_hardware.csv",
                     "epoch/ml_hardware.zip", "epoch/ml_hardware*.csv", member="ml_hardware.csv")

# AI Models: three tables from one zip; the frontier one adds inference, post-training and
# synthetic-data compute, compute bounds and chip-hours. Values in Epoch's units (FLOP,
# parameters, hours, W, USD of the stated year). The training-dataset-size column has been renamed
# between releases ('(datapoints)', '(gradients)', '(total)', '(DEPRECATED) ... (datapoints)');
# whichever is present lands in training_dataset_size (its unit is whatever that release counted).
# The frontier file's bare 'Training dataset size' column holds model names: not an alias.
AI_MODELS = (
    _ai_models("epoch_notable_ai_models", "notable_ai_models.csv", "Epoch AI, Notable AI Models"),
    _ai_models("epoch_frontier_ai_models", "frontier_ai_models.csv", "Epoch AI, Frontier AI Models"),
    _ai_models("epoch_large_scale_ai_models", "large_scale_ai_models.csv", "Epoch AI, Large-Scale AI Models"),
)

# AI Companies: disclosed usage (tokens, users) and compute spend. Upstream dates are ISO; a copy
# re-saved through a spreadsheet has M/D/YYYY dates and numbers like 1.33E+11, and both parse.
# `date` is the date (or period end) a figure refers to; `report_date` is when it was disclosed
# (the as-of rule reads it). Amounts in USD as published.
AI_COMPANIES = tuple(
    _epoch(f"epoch_ai_companies_{table}", f"Epoch AI, AI Companies: {title}",
           f"https://epoch.ai/data/ai_companies_{table}.csv", f"epoch/ai_companies_{table}.csv",
           f"epoch/ai_companies_{table}*.csv")
    for table, title in (("usage_reports", "usage reports"), ("compute_spend", "compute spend")))

# GPU Clusters: one row per cluster (or phase): H100 equivalents, chips, power (MW), cost (USD),
# owner, location, dates. No key: Epoch lists several anonymised systems with identical rows, and
# de-duplication ('Possible Duplicate', 'Superseded by') is a modelling choice made downstream.
# 'Decommissioned Date' is text: Epoch sometimes gives only a month ('2021-07').
GPU_CLUSTERS = _epoch("epoch_gpu_clusters", "Epoch AI, GPU Clusters", "https://epoch.ai/data/gpu_clusters.csv",
                      "epoch/gpu_clusters.csv", "epoch/gpu_clusters*.csv")

# Frontier Data Centers: sites and their build-out timelines, as published: latitude/longitude as
# text (degrees-minutes-seconds), owner/user fields with Epoch's '#confident'/'#speculative' tags,
# costs in billions of 2025 USD, power in MW, areas in square feet, water in million gallons/day.
DATA_CENTERS = tuple(
    _epoch(f"epoch_{table}", title, f"https://epoch.ai/data/data_centers/{table}.csv",
           f"epoch/{table}.csv", f"epoch/{table}*.csv")
    for table, title in (("data_centers", "Epoch AI, Frontier Data Centers"),
                         ("data_center_timelines", "Epoch AI, Frontier Data Centers: timelines")))

DESCRIPTORS = (ML_HARDWARE, *AI_MODELS, *AI_COMPANIES, GPU_CLUSTERS, *DATA_CENTERS)
