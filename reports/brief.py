"""The monthly brief: model outputs -> metrics, takeaways and template context -> HTML -> PDF.

Pure functions over DataFrames; no Dagster, no DuckDB. The Dagster brief asset and the plain
bench path both call ``render_brief``; ``orchestration.steps.brief.build_brief`` archives the result.
Every number the brief states is in ``metrics.json`` (:mod:`reports.metrics`, with the takeaways'
text), and the next month's "what changed" reads it.

Safe for readers (:mod:`common.exports`): untrusted text (names and labels from the data, the
previous brief's metrics) enters here, in ``render_brief``, and has its bidirectional controls
stripped there, so none reaches the HTML, the PDF (charts included), ``metrics.json`` or the email
composed from it; the Jinja environment strips them again from every value it outputs (its
``finalize``, beside autoescape), whatever a caller puts in the context. The chart CSVs are written
by ``common.exports.to_safe_csv``: text a spreadsheet would evaluate is neutralised.
"""

import functools
import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from common.exports import finalize_text, to_safe_csv, without_bidi
from reports import revisions
from reports.context import build_context, chart_placeholder
from reports.formatting import (driver_names_as_labels, driver_text, format_count, format_number, format_percent,
                                format_quantity, format_sci, format_si, format_usd, records)
from reports.inputs import BriefInputs
from reports.metrics import build_metrics, format_metric, what_changed
from reports.pdf import AssetsOnlyFetcher, collector_paused, render_pdf, svg_data_uri
from reports.takeaways import build_takeaways, year_text

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass
class RenderedBrief:
    """A rendered brief: its HTML, PDF, metrics.json content and chart data, ready to archive."""

    html: str
    pdf: bytes
    metrics: dict
    chart_csvs: dict[str, bytes] = field(default_factory=dict)
    refused_urls: list[str] = field(default_factory=list)
    chart_uris: dict[str, str] = field(default_factory=dict)  # data: URIs of the SVG charts

    def archive_files(self) -> dict[str, bytes]:
        files = {
            "brief.pdf": self.pdf,
            "brief.html": self.html.encode(),
            "metrics.json": (json.dumps(self.metrics, indent=2, sort_keys=True) + "\n").encode(),
        }
        files.update({f"charts/{name}.csv": data for name, data in self.chart_csvs.items()})
        return files


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize_text,
    )
    env.filters.update(num=format_number, si=format_si, pct=format_percent, metric=format_metric,
                       year=year_text, count=format_count, usd=format_usd, sci=format_sci, qty=format_quantity,
                       driver_label=driver_text, driver_names=driver_names_as_labels)
    return env


def render_html(context: dict) -> str:
    return _environment().get_template("brief.html.j2").render(**context)


def without_bidi_inputs(inputs: BriefInputs) -> BriefInputs:
    """``inputs`` with bidirectional controls stripped from every text in them (frames not copied
    where there is nothing to strip)."""
    return replace(inputs, **{f.name: without_bidi(getattr(inputs, f.name)) for f in fields(inputs)})


def chart_csv_files(chart_frames: dict) -> dict[str, bytes]:
    """The data behind each chart as CSV bytes, safe to open in a spreadsheet."""
    return {name: to_safe_csv(frame) for name, frame in chart_frames.items()}


def render_brief(inputs: BriefInputs) -> RenderedBrief:
    """Metrics, what changed, takeaways and template context -> HTML -> PDF (archiving is the caller's)."""
    with collector_paused():
        return _render_brief(inputs)


def _render_brief(inputs: BriefInputs) -> RenderedBrief:
    inputs = without_bidi_inputs(inputs)
    metrics = build_metrics(inputs)
    changes = what_changed(metrics, inputs.previous)
    metrics["takeaways"] = build_takeaways(inputs, metrics, changes)
    metrics["changes"] = changes
    metrics["revisions"] = records(revisions.revisions_frame(inputs.revisions))
    context, chart_frames = build_context(inputs, metrics, changes)
    drawing = context["chart_drawing"]
    try:
        # The charts are drawn by a child process meanwhile: the template and the PDF's layout get
        # placeholders, and the layout waits for a chart when it reaches it.
        html = render_html(context)
        fetcher = AssetsOnlyFetcher()
        pdf = render_pdf(html, fetcher, svg_images={
            chart_placeholder(name): functools.partial(drawing.__getitem__, name)
            for name, placeholder in context["charts"].items() if placeholder})
        uris = {name: svg_data_uri(svg) for name, svg in drawing.all().items()}
    finally:
        drawing.close()
    # The archived HTML carries the charts themselves (the PDF of it is the same).
    for name, uri in uris.items():
        html = html.replace(f'src="{chart_placeholder(name)}"', f'src="{uri}"')
    chart_csvs = chart_csv_files(chart_frames)
    return RenderedBrief(html=html, pdf=pdf, metrics=metrics, chart_csvs=chart_csvs, refused_urls=list(fetcher.refused),
                         chart_uris={name: uris.get(name, "") for name in context["charts"]})
