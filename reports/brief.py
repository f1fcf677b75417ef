"""The brief: model outputs -> metrics and template context -> HTML -> PDF, plus its archive files.

Pure functions over DataFrames; no Dagster, no DuckDB. The Dagster brief asset and the plain
bench path both call ``render_brief`` and ``write_archive``.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports import charts
from reports.formatting import format_number, format_percent, format_si
from reports.pdf import AssetsOnlyFetcher, render_pdf

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
METRICS_SCHEMA_VERSION = 1
EPOCH_ATTRIBUTION = "Data: Epoch AI, CC BY 4.0, epoch.ai/data"


@dataclass(frozen=True)
class BriefInputs:
    partition: str
    as_of: date
    roofline: pd.DataFrame
    data_sources: pd.DataFrame
    snapshot_hash: str
    code_version: str
    scenario: str = "base"
    reference_accelerator_id: str = "nvidia-h100-sxm"
    table_rows: int = 15


@dataclass
class RenderedBrief:
    html: str
    pdf: bytes
    metrics: dict
    chart_csvs: dict[str, bytes] = field(default_factory=dict)
    refused_urls: list[str] = field(default_factory=list)

    def archive_files(self) -> dict[str, bytes]:
        files = {
            "brief.pdf": self.pdf,
            "brief.html": self.html.encode(),
            "metrics.json": (json.dumps(self.metrics, indent=2, sort_keys=True) + "\n").encode(),
        }
        files.update({f"charts/{name}.csv": data for name, data in self.chart_csvs.items()})
        return files


def _metric(value, unit: str, p10=None, p90=None) -> dict:
    clean = None if value is None or pd.isna(value) else float(value)
    return {"value": clean, "unit": unit, "p10": p10, "p90": p90}


def _reference_row(inputs: BriefInputs) -> pd.Series:
    match = inputs.roofline[inputs.roofline["accelerator_id"] == inputs.reference_accelerator_id]
    if match.empty:
        raise ValueError(
            f"reference accelerator {inputs.reference_accelerator_id!r} is not in the roofline "
            f"table for {inputs.partition} (released after the partition, or missing from the data)"
        )
    return match.iloc[0]


def single_chip_ranking(roofline: pd.DataFrame) -> pd.DataFrame:
    """Chips that hold the reference model's weights alone, fastest batch-1 decode first."""
    ranked = roofline[roofline["chips_to_hold_weights"] == 1].dropna(subset=["decode_tokens_per_s_batch1"])
    return ranked.sort_values(["decode_tokens_per_s_batch1", "accelerator_id"],
                              ascending=[False, True]).reset_index(drop=True)


def build_takeaways(inputs: BriefInputs) -> list[str]:
    """The key takeaways as plain sentences with their numbers: the PDF's first section, the
    email body, and ``metrics.json`` all carry these same words."""
    roofline = inputs.roofline
    reference = _reference_row(inputs)
    best = single_chip_ranking(roofline).iloc[0]
    vendors = sorted(roofline["vendor"].unique().tolist())
    name = reference["accelerator_name"]
    return [
        f"flopcast tracks {format_number(len(roofline))} accelerators released by "
        f"{inputs.as_of.isoformat()}, from {len(vendors)} vendors ({', '.join(vendors)}); every "
        "figure is dense and per chip.",
        f"{name}: dense BF16 {format_si(reference['bf16_dense_flop_per_s'], 'FLOP/s')} against "
        f"{format_si(reference['memory_bandwidth_bytes_per_s'], 'B/s')} of memory bandwidth, a ridge "
        f"point of {format_number(reference['ridge_point_flop_per_byte'])} FLOP/byte: a kernel must do "
        "about that many FLOP per byte it reads before the chip is compute-bound.",
        "Decoding one token at batch 1 reads every weight once (about 2 FLOP per byte at 8-bit), so "
        f"serving is memory-bound: the batch-1 ceiling for a {reference['reference_model']} model on "
        f"{name} is {format_number(reference['decode_tokens_per_s_batch1'])} tokens/s.",
        f"Among chips that hold the model alone, the fastest at batch-1 decode is "
        f"{best['accelerator_name']} at {format_number(best['decode_tokens_per_s_batch1'])} tokens/s, "
        f"{format_number(best['decode_tokens_per_s_batch1'] / reference['decode_tokens_per_s_batch1'], 2)}x "
        f"{name}: for inference, memory bandwidth, not peak FLOP/s, sets the pace.",
    ]


def build_metrics(inputs: BriefInputs) -> dict:
    """The numbers the brief states, as archived in ``metrics.json`` (pinned layout, extended
    with the takeaways' text)."""
    roofline = inputs.roofline
    reference = _reference_row(inputs)
    ranked = single_chip_ranking(roofline)
    metrics = {
        "accelerators_tracked": _metric(len(roofline), "count"),
        "reference_ridge_point_flop_per_byte": _metric(reference["ridge_point_flop_per_byte"], "FLOP/byte"),
        "reference_decode_tokens_per_s_batch1": _metric(reference["decode_tokens_per_s_batch1"], "tokens/s"),
        "best_decode_tokens_per_s_batch1": _metric(ranked["decode_tokens_per_s_batch1"].max(), "tokens/s"),
        "median_ridge_point_flop_per_byte": _metric(roofline["ridge_point_flop_per_byte"].median(), "FLOP/byte"),
    }
    return {
        "schema_version": METRICS_SCHEMA_VERSION,
        "partition": inputs.partition,
        "scenario": inputs.scenario,
        "snapshot_hash": inputs.snapshot_hash,
        "metrics": metrics,
        "takeaways": build_takeaways(inputs),
    }


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_number
    env.filters["si"] = format_si
    env.filters["pct"] = format_percent
    return env


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def build_context(inputs: BriefInputs, metrics: dict) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Template variables and the data behind each chart."""
    roofline = inputs.roofline
    reference = _reference_row(inputs)
    ranked = single_chip_ranking(roofline)
    table = ranked.head(inputs.table_rows).assign(
        release_date=lambda f: pd.to_datetime(f["release_date"]).dt.strftime("%Y-%m-%d")
    )
    sharded = roofline[roofline["chips_to_hold_weights"] > 1]
    chart_data = ranked.head(inputs.table_rows)[
        ["accelerator_id", "accelerator_name", "memory_bandwidth_bytes_per_s", "decode_tokens_per_s_batch1"]
    ].reset_index(drop=True)
    values = {name: m["value"] for name, m in metrics["metrics"].items()}
    context = {
        "partition": inputs.partition,
        "as_of": inputs.as_of.isoformat(),
        "scenario": inputs.scenario,
        "snapshot_hash": inputs.snapshot_hash,
        "code_version": inputs.code_version,
        "metrics": values,
        "takeaways": metrics["takeaways"],
        "reference": reference.to_dict(),
        "reference_model": str(reference["reference_model"]),
        "accelerators": table.to_dict(orient="records"),
        "sharded_names": sharded["accelerator_name"].tolist(),
        "decode_chart": _svg_data_uri(
            charts.decode_ceiling_bars(chart_data, highlight_id=inputs.reference_accelerator_id)
        ),
        "sources": inputs.data_sources.sort_values("source_name").to_dict(orient="records"),
        "epoch_attribution": EPOCH_ATTRIBUTION,
    }
    return context, {"decode_ceiling": chart_data}


def render_html(context: dict) -> str:
    return _environment().get_template("brief.html.j2").render(**context)


def render_brief(inputs: BriefInputs) -> RenderedBrief:
    metrics = build_metrics(inputs)
    context, chart_frames = build_context(inputs, metrics)
    html = render_html(context)
    fetcher = AssetsOnlyFetcher()
    pdf = render_pdf(html, fetcher)
    chart_csvs = {name: frame.to_csv(index=False).encode() for name, frame in chart_frames.items()}
    return RenderedBrief(html=html, pdf=pdf, metrics=metrics, chart_csvs=chart_csvs,
                         refused_urls=list(fetcher.refused))
