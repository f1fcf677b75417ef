"""The brief as an email, composed from the archive of one partition (``brief.pdf`` +
``metrics.json``): subject and HTML + text body from templates, the headline and the key
takeaways in the body, the PDF attached; and the plain-text operator alert. Plain Python
(stdlib ``email``, Jinja), no Dagster.

``metrics.json`` is read as untrusted text (an archive written before bidi controls were stripped at
render, or edited by hand): ``compose`` strips its bidirectional controls before using it, every
value the templates output is stripped again (the environment's ``finalize``: the note too), and so
are the alert's subject and body, so no control reorders what the reader sees in the subject or
either body."""

import hashlib
import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from common.exports import finalize_text, strip_bidi, without_bidi
from reports.formatting import format_number, format_percent, format_si
from reports.mail_settings import DeliveryError

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"], default_for_string=autoescape, default=autoescape),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, finalize=finalize_text,
    )
    env.filters.update(num=format_number, si=format_si, pct=format_percent)
    return env


@dataclass(frozen=True)
class BriefArchive:
    """What delivery needs from ``briefs/YYYY-MM/``."""

    partition: str
    pdf: bytes
    metrics: dict

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @classmethod
    def load(cls, folder: Path) -> "BriefArchive":
        pdf, metrics = folder / "brief.pdf", folder / "metrics.json"
        if not pdf.exists() or not metrics.exists():
            raise DeliveryError(f"no complete brief in {folder} (build it first: flopcast brief)")
        return cls(partition=folder.name, pdf=pdf.read_bytes(), metrics=json.loads(metrics.read_text()))


HEADLINE_METRIC = "inference_share_accelerator_hours_now"


def headline(metrics: dict) -> str:
    """The subject's headline: the current year's generative inference share of accelerator-hours
    and its change since the last brief ('inference 48% of accelerator-hours (+3.1 pts)')."""
    metric = metrics.get("metrics", {}).get(HEADLINE_METRIC)
    if not metric or metric.get("value") is None:
        return "training vs inference"
    text = f"inference {100 * metric['value']:.0f}% of generative accelerator-hours"
    if metric.get("year"):
        text += f" in {metric['year']}"
    change = next((c for c in metrics.get("changes", []) if c.get("name") == HEADLINE_METRIC), None)
    if change and change.get("delta") not in (None, "", "new", "changed"):
        text += f" ({change['delta'].replace(' points', ' pts')})"
    elif metrics.get("changes") == [] and metrics.get("previous_partition"):
        text += " (unchanged)"
    return text


def top_changes(metrics: dict, n: int = 3) -> list[str]:
    """The first ``n`` changes since the last brief, as one line each."""
    return [f"{c['label']}: {c['before']} -> {c['after']}" + (f" ({c['delta']})" if c.get("delta") else "")
            for c in metrics.get("changes", [])[:n]]


def compose(archive: BriefArchive, sender: str, recipient: str, note: str = "") -> EmailMessage:
    """The brief as an email: subject and bodies from templates, the PDF attached."""
    metrics = without_bidi(archive.metrics)
    context = {
        "partition": archive.partition,
        "takeaways": metrics.get("takeaways", []),
        "snapshot_hash": metrics.get("snapshot_hash", ""),
        "scenario": metrics.get("scenario", ""),
        "note": note,
        "headline": headline(metrics),
        "changes": top_changes(metrics),
    }
    subject = _environment(False).get_template("email_subject.txt.j2").render(**context).strip()
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="flopcast.local")
    message["X-Flopcast-Partition"] = archive.partition
    message["X-Flopcast-PDF-SHA256"] = archive.pdf_sha256
    message.set_content(_environment(False).get_template("email.txt.j2").render(**context))
    message.add_alternative(_environment(True).get_template("email.html.j2").render(**context),
                            subtype="html")
    message.add_attachment(archive.pdf, maintype="application", subtype="pdf",
                           filename=f"flopcast-brief-{archive.partition}.pdf")
    return message


# The partition header of operator alerts: they are not about one brief, and each is its own file
ALERTS = "alerts"


def compose_alert(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text operator alert (no attachment)."""
    message = EmailMessage()
    message["Subject"] = f"[flopcast alert] {' '.join(strip_bidi(subject).split())}"
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="flopcast.local")
    message["X-Flopcast-Partition"] = ALERTS
    message.set_content(strip_bidi(body))
    return message
