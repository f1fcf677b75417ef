"""Epoch AI, AI Companies: disclosed usage (tokens, users) and compute spend.

- ``epoch_ai_companies_usage_reports``  https://epoch.ai/data/ai_companies_usage_reports.csv
- ``epoch_ai_companies_compute_spend``  https://epoch.ai/data/ai_companies_compute_spend.csv

Upstream dates are ISO; a copy re-saved through a spreadsheet has M/D/YYYY dates and numbers like
1.33E+11 — both parse. ``date`` is the date (or period end) the figure refers to;
``report_date`` is when it was disclosed (the as-of rule reads it). Amounts are in USD as published.
"""

from orchestration.sources.epoch_hardware import EPOCH_ATTRIBUTION, EPOCH_LICENCE
from orchestration.sources.fetch import SourceDescriptor
from orchestration.sources.tabular import Column, TableSpec

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


def _opt(name: str, kind: str, *aliases: str) -> Column:
    return Column(name, kind, required=False, aliases=aliases)


USAGE_SPEC = TableSpec(
    source=USAGE.name,
    key=("id", "date"),
    columns=(
        Column("id", "text", nullable=False, aliases=("Id", "ID")),
        Column("company", "text", nullable=False, aliases=("Company",)),
        _opt("product", "text", "Product"),
        Column("date", "date", nullable=False, aliases=("Date",)),
        Column("report_date", "date", aliases=("Report date",)),
        Column("active_users", "number", aliases=("Active users",)),
        _opt("active_users_time_period", "text", "Active users time period"),
        Column("tokens_per_day", "number", aliases=("Daily tokens",)),
        _opt("messages_per_day", "number", "Daily messages"),
        _opt("confidence", "text", "Confidence"),
        _opt("source_type", "text", "Source type"),
        _opt("source_1_url", "text", "Source 1", "Source"),
        _opt("source_2_url", "text", "Source 2"),
        _opt("graph_note", "text", "Graph note"),
        _opt("notes", "text", "Notes"),
        _opt("exclude_from_graph_view", "bool", "Exclude from graph view"),
    ),
)

COMPUTE_SPEND_SPEC = TableSpec(
    source=COMPUTE_SPEND.name,
    key=("id",),
    columns=(
        Column("id", "text", nullable=False, aliases=("Id", "ID")),
        Column("company", "text", nullable=False, aliases=("Company",)),
        Column("amount_usd", "number", aliases=("Amount", "Amount (USD)")),
        Column("category", "text", aliases=("Category",)),
        _opt("period_type", "text", "Period type"),
        Column("date", "date", nullable=False, aliases=("Date",)),
        Column("report_date", "date", aliases=("Report date",)),
        _opt("inference_compute_spend_usd", "number", "Inference compute spend"),
        _opt("rd_compute_spend_usd", "number", "R&D compute spend"),
        _opt("total_compute_spend_usd", "number", "Total compute spend"),
        _opt("confidence", "text", "Confidence"),
        _opt("source_type", "text", "Source Type", "Source type"),
        _opt("notes", "text", "Notes"),
        _opt("exclude_from_graph_view", "bool", "Exclude from graph view"),
    ),
)
