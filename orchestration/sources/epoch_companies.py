"""Epoch AI, AI Companies: disclosed usage (tokens, users) and compute spend.

- ``epoch_ai_companies_usage_reports``  https://epoch.ai/data/ai_companies_usage_reports.csv
- ``epoch_ai_companies_compute_spend``  https://epoch.ai/data/ai_companies_compute_spend.csv

Upstream dates are ISO; a copy re-saved through a spreadsheet has M/D/YYYY dates and numbers like
1.33E+11 — both parse. ``date`` is the date (or period end) the figure refers to;
``report_date`` is when it was disclosed (the as-of rule reads it). Amounts are in USD as published.
"""

from orchestration.sources.epoch_hardware import EPOCH_ATTRIBUTION, EPOCH_LICENCE
from orchestration.sources.fetch import SourceDescriptor

USAGE = SourceDescriptor(
    name="epoch_ai_companies_usage_reports",
    title="Epoch AI, AI Companies: usage reports",
    url="https://epoch.ai/data/ai_companies_usage_reports.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/ai_companies_usage_reports.csv", "epoch/ai_companies_usage_reports*.csv"),
)

COMPUTE_SPEND = SourceDescriptor(
    name="epoch_ai_companies_compute_spend",
    title="Epoch AI, AI Companies: compute spend",
    url="https://epoch.ai/data/ai_companies_compute_spend.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/ai_companies_compute_spend.csv", "epoch/ai_companies_compute_spend*.csv"),
)
DESCRIPTORS = (USAGE, COMPUTE_SPEND)
