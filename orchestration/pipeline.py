"""The pipeline's steps as plain functions (no Dagster import).

The Dagster assets are thin wrappers over these, and the benchmark's plain-Python path calls the
same functions in the same order, so both do the same work. Every writer goes through
``warehouse.staged``: it writes a scratch copy and publishes only on success.
"""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.provenance import snapshot_hash
from models.roofline import ReferenceModel, accelerator_roofline, released_by
from orchestration import warehouse
from orchestration.partitions import month_end
from orchestration.settings import DBT_PROJECT_DIR, Settings, code_version
from orchestration.sources.landing import LandedFile
from orchestration.sources import registry
from orchestration.sources.fetch import SourceUnavailableError
from orchestration.sources.tabular import ParseResult, empty_result
from reports.archive import write_archive
from reports.brief import BriefInputs, RenderedBrief, render_brief
from reports.delivery import (
    BriefArchive,
    DeliveryError,
    DeliveryReport,
    Ledger,
    MailSettings,
    OutboxTransport,
    SmtpTransport,
    compose,
    compose_alert,
    deliver,
)

ROOFLINE_TABLE = "accelerator_roofline"


@dataclass(frozen=True)
class IngestResult:
    source: str
    landed: LandedFile | None
    parsed: ParseResult
    unavailable: str = ""  # why nothing could be loaded (no fresh file and no last good one)


def ingest_source(
    settings: Settings, source: str, run_id: str, publish: bool, mode: str | None = None
) -> IngestResult:
    """Fetch (per source mode), land and parse ``source``, and load ``raw.<source>`` into the
    run's scratch copy of the warehouse.

    ``publish``: publish right away (an ingest-only run) or leave it to the warehouse build of the
    same run, which publishes raw tables and dbt models together when its blocking tests pass.
    A source with nothing to load (live-only in bundled mode, or unavailable with no last good
    file) loads as an empty table of the same schema, so the warehouse still builds; an
    unavailable source says why in ``unavailable``.
    """
    spec = registry.get_source(source).spec
    unavailable = ""
    try:
        landed, parsed = registry.ingest(source, settings, mode)
    except SourceUnavailableError as exc:
        landed, parsed, unavailable = None, empty_result(spec), str(exc)
    with warehouse.staged(settings.duckdb_path, run_id, publish_on_success=publish) as scratch:
        warehouse.write_raw(scratch, spec, parsed.frame, parsed.quarantine, landed)
    return IngestResult(source=source, landed=landed, parsed=parsed, unavailable=unavailable)


def dbt_executable() -> str:
    """The dbt of this interpreter's environment (dbt need not be on PATH)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment for dbt: the warehouse path, always absolute, and no tracking."""
    return {
        "FLOPCAST_DUCKDB": str(settings.duckdb_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def dbt_args(command: str, settings: Settings) -> list[str]:
    """A dbt command against the scratch copy of the warehouse (the profile reads the
    `duckdb_path` var). The var is the same for every run of one FLOPCAST_HOME, so dbt's partial
    parsing survives from `flopcast prepare` to each build (a changed var or profile forces a
    full re-parse)."""
    scratch = warehouse.scratch_path(settings.duckdb_path)
    return [command, "--vars", json.dumps({"duckdb_path": str(scratch)})]


def run_dbt(command: str, settings: Settings) -> None:
    """Run dbt as a subprocess from the project folder (the plain-Python path and `prepare`)."""
    subprocess.run(
        [dbt_executable(), *dbt_args(command, settings), "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, env={**os.environ, **dbt_env(settings)}, check=True,
        stdout=subprocess.DEVNULL,
    )


def run_dbt_build(settings: Settings, run_id: str) -> None:
    """The plain-Python twin of the Dagster dbt step: build into scratch, publish if green."""
    with warehouse.staged(settings.duckdb_path, run_id):
        run_dbt("build", settings)


def load_data_sources(settings: Settings) -> pd.DataFrame:
    return warehouse.read_frame(settings.duckdb_path, "select * from marts.dim_data_source")


def compute_roofline(
    settings: Settings, partition: str, run_id: str, model: ReferenceModel | None = None
) -> pd.DataFrame:
    """Roofline of the chips released by the partition's month end -> ``model.accelerator_roofline``."""
    model = model or ReferenceModel()
    accelerators = warehouse.read_frame(settings.duckdb_path, "select * from marts.dim_accelerator")
    sources = load_data_sources(settings)
    result = accelerator_roofline(released_by(accelerators, month_end(partition)), model)
    result = result.assign(snapshot_hash=snapshot_hash(sources))
    with warehouse.staged(settings.duckdb_path, run_id) as scratch:
        warehouse.write_model_table(scratch, ROOFLINE_TABLE, result, partition)
    return result


def build_brief(settings: Settings, partition: str, scenario: str = "base") -> tuple[Path, RenderedBrief]:
    """Render the partition's brief from the model outputs and archive it atomically."""
    roofline = warehouse.read_frame(
        settings.duckdb_path,
        f"select * exclude (partition) from model.{ROOFLINE_TABLE} where partition = ? "
        "order by decode_tokens_per_s_batch1 desc nulls last, accelerator_id",
        [partition],
    )
    if roofline.empty:
        raise ValueError(f"no model outputs for partition {partition}: materialise the model first")
    sources = load_data_sources(settings)
    inputs = BriefInputs(
        partition=partition,
        as_of=month_end(partition),
        roofline=roofline.drop(columns=["snapshot_hash"]),
        data_sources=sources,
        snapshot_hash=str(roofline["snapshot_hash"].iloc[0]),
        code_version=code_version(),
        scenario=scenario,
    )
    rendered = render_brief(inputs)
    target = write_archive(settings.briefs_dir, partition, rendered.archive_files())
    return target, rendered


def ledger_path(settings: Settings) -> Path:
    return settings.home / "delivery" / "ledger.jsonl"


def transport_for(settings: Settings, mail: MailSettings):
    """SMTP when a host is configured, otherwise the outbox folder (.eml files)."""
    return SmtpTransport(mail.smtp) if mail.smtp else OutboxTransport(settings.outbox_dir)


def deliver_brief(
    settings: Settings,
    mail: MailSettings,
    partition: str,
    *,
    to: str | None = None,
    resend: bool = False,
    retries: int = 3,
    backoff_s: float = 2.0,
) -> DeliveryReport:
    """Email the archived brief of ``partition`` to the configured recipients, once each.

    ``to``: a test send to that one address, which neither reads nor writes the ledger of the
    real recipients.
    """
    archive = BriefArchive.load(settings.briefs_dir / partition)
    recipients = [to] if to else list(mail.recipients)
    if not recipients:
        raise DeliveryError("no recipients: set FLOPCAST_MAIL_TO (comma-separated) or use --to ADDR")
    ledger = None if to else Ledger(ledger_path(settings))
    return deliver(archive, recipients, mail.sender, transport_for(settings, mail), ledger,
                   resend=resend, retries=retries, backoff_s=backoff_s)


def preview_delivery(settings: Settings, mail: MailSettings, partition: str) -> Path:
    """Render the message the first recipient would get to ``outbox/preview/`` and return its path."""
    archive = BriefArchive.load(settings.briefs_dir / partition)
    recipient = mail.recipients[0] if mail.recipients else "recipient@example.invalid"
    message = compose(archive, mail.sender, recipient, note="preview")
    return Path(OutboxTransport(settings.outbox_dir / "preview").send(message))


def send_alert(settings: Settings, mail: MailSettings, subject: str, body: str) -> str | None:
    """Email the operator (FLOPCAST_OPERATOR_EMAIL); None when no operator is configured."""
    if not mail.operator:
        return None
    message = compose_alert(mail.sender, mail.operator, subject, body)
    return transport_for(settings, mail).send(message)


def brief_is_missing(settings: Settings, partition: str) -> bool:
    return not (settings.briefs_dir / partition / "brief.pdf").exists()
