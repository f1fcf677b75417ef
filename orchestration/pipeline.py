"""The pipeline's steps as plain functions (no Dagster import).

The Dagster assets are thin wrappers over these, and the benchmark's plain-Python path calls the
same functions in the same order, so both do the same work. Every writer goes through
``warehouse.staged``: it writes a scratch copy and publishes only on success.
"""

import ctypes
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from models.config import BASE_SCENARIO, BUNDLED_SCENARIOS, load_scenario
from models.inputs import MART_INPUTS, ModelInputs
from models.provenance import snapshot_hash
from models.run import DEFAULT_DRAWS, DEFAULT_SEED, run_headlines, run_model
from orchestration import warehouse
from orchestration.faults import checkpoint
from orchestration.partitions import month_end, previous_partition
from orchestration.settings import DBT_PROJECT_DIR, Settings, code_version
from orchestration.sources.landing import LandedFile
from orchestration.sources import registry
from orchestration.sources.fetch import SourceUnavailableError
from orchestration.sources.tabular import ParseResult, empty_result
from reports.archive import write_archive
from reports import revisions
from reports.brief import RenderedBrief, render_brief
from reports.delivery import DeliveryReport, Ledger, deliver
from reports.mail_message import BriefArchive, compose, compose_alert
from reports.mail_settings import DeliveryError, MailSettings
from reports.mail_transport import OutboxTransport, SmtpTransport
from reports.inputs import BriefInputs
from reports.metrics import build_metrics

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


_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent(parent: int) -> None:
    """In the dbt child, before exec (Linux): SIGKILL it when its parent dies. A run killed during
    its dbt build would otherwise leave dbt writing the scratch warehouse after the run lock is
    gone, into the next run's copy (dbt reopens the path for every model)."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def run_dbt(command: str, settings: Settings) -> None:
    """Run dbt as a subprocess from the project folder (the plain-Python path and `prepare`)."""
    subprocess.run(
        [dbt_executable(), *dbt_args(command, settings), "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR, env={**os.environ, **dbt_env(settings)}, check=True,
        stdout=subprocess.DEVNULL,
        preexec_fn=functools.partial(_die_with_parent, os.getpid()) if _LIBC is not None else None,
    )


def run_dbt_build(settings: Settings, run_id: str) -> None:
    """The plain-Python twin of the Dagster dbt step: build into scratch, publish if green."""
    with warehouse.staged(settings.duckdb_path, run_id):
        run_dbt("build", settings)
        checkpoint("dbt.before_publish")


def load_data_sources(settings: Settings) -> pd.DataFrame:
    return warehouse.read_frame(settings.duckdb_path, "select * from marts.dim_data_source")


def load_model_inputs(settings: Settings) -> ModelInputs:
    with warehouse.connect(settings.duckdb_path, read_only=True) as con:
        frames = {field: con.execute(f"select * from marts.{mart}").df() for field, mart in MART_INPUTS.items()}
    return ModelInputs(**frames)


def scenario_name(scenario: str | Path) -> str:
    """The name a scenario's rows carry: a bundled name, or a user file's stem (or its `name`)."""
    return scenario if str(scenario) in BUNDLED_SCENARIOS else load_scenario(scenario).name


def run_demand_model(
    settings: Settings,
    partition: str,
    run_id: str,
    scenario: str | Path = BASE_SCENARIO,
    draws: int | None = None,
    seed: int = DEFAULT_SEED,
) -> dict[str, pd.DataFrame]:
    """The demand model for the partition's as-of date: the main scenario plus the bundled ones
    for the scenario table. Every output table goes to ``model.<name>`` (rows of the partition
    replaced), published in one step. Returns the tables."""
    draws = draws or settings.model_draws or DEFAULT_DRAWS
    inputs = load_model_inputs(settings)
    digest = snapshot_hash(load_data_sources(settings))
    as_of = month_end(partition)
    main = run_model(inputs, scenario=str(scenario), as_of=as_of, seed=seed, draws=draws, snapshot_hash=digest)
    # The side scenarios feed the scenario table; the chips are rated once, under the main one.
    others = [run_model(inputs, scenario=name, as_of=as_of, seed=seed, draws=draws, snapshot_hash=digest,
                        rate_hardware=False)
              for name in BUNDLED_SCENARIOS if name != main.scenario]
    side_tables = [o.tables() for o in others]
    tables: dict[str, pd.DataFrame] = {}
    for name, frame in main.tables().items():
        tables[name] = pd.concat([frame, *(t[name] for t in side_tables if name in t)], ignore_index=True)
    tables["methodology"] = pd.DataFrame([
        {"scenario": o.scenario, "seed": o.seed, "snapshot_hash": o.snapshot_hash, "text": o.methodology}
        for o in (main, *others)])
    tables["run"] = pd.DataFrame([{"scenario": main.scenario, "seed": seed, "snapshot_hash": digest,
                                   "as_of": as_of, "draws": draws, "main": True}])
    with warehouse.staged(settings.duckdb_path, run_id) as scratch:
        with warehouse.connect(scratch) as con:
            for name, frame in tables.items():
                warehouse.replace_partition(con, name, frame, partition)
        checkpoint("model.before_publish")
    return tables


# Every mart the brief reads (besides the model tables): its asset declares them as dependencies.
BRIEF_MARTS = ("dim_data_source", "dim_accelerator", "dim_datacenter_campus", "fct_mlperf_throughput",
               "fct_market_signals", "fct_installed_base")


def build_brief(settings: Settings, partition: str) -> tuple[Path, RenderedBrief]:
    """Render the partition's brief from the model tables and archive it atomically."""
    with warehouse.connect(settings.duckdb_path, read_only=True) as con:
        tables = {name: con.execute(f"select * exclude (partition) from model.{name} where partition = ?",
                                    [partition]).df()
                  for name in warehouse.model_tables(con)}
        run = tables.get("run")
        if run is None or run.empty:
            raise ValueError(f"no model outputs for partition {partition}: materialise the model first")
        campuses = con.execute(
            "select * from marts.dim_datacenter_campus where coalesce(announced_on, first_operational_on) "
            "<= ? or (announced_on is null and first_operational_on is null)", [month_end(partition)]).df()
        mlperf = con.execute(MLPERF_SUMMARY_SQL, [month_end(partition)]).df()
        market = con.execute("select * from marts.fct_market_signals where disclosed_on <= ? "
                             "order by series, calendar_year, calendar_quarter", [month_end(partition)]).df()
        installed_base = con.execute(
            "select * from marts.fct_installed_base where as_of_date = (select max(as_of_date) from "
            "marts.fct_installed_base where as_of_date <= ?)", [month_end(partition)]).df()
    main = run[run["main"]].iloc[0]
    methodology = tables.pop("methodology")
    inputs = BriefInputs(
        partition=partition,
        as_of=month_end(partition),
        scenario=str(main["scenario"]),
        seed=int(main["seed"]),
        snapshot_hash=str(main["snapshot_hash"]),
        code_version=code_version(),
        model=tables,
        methodology=str(methodology.loc[methodology["scenario"] == main["scenario"], "text"].iloc[0]),
        data_sources=load_data_sources(settings),
        campuses=campuses,
        mlperf=mlperf,
        market=market,
        installed_base=installed_base,
        previous=previous_metrics(settings, partition),
    )
    if inputs.previous is None:
        inputs = replace(inputs, previous=rebuild_previous_metrics(settings, inputs))
    inputs = replace(inputs, revisions=revision_points(settings, inputs))
    rendered = render_brief(inputs)
    target = write_archive(settings.briefs_dir, partition, rendered.archive_files(),
                           before_swap=lambda: checkpoint("archive.before_swap"))
    return target, rendered


# The measured side of the hardware section: best published llama2-70b Offline throughput per
# accelerator, per chip in the latest round published by the as-of date.
MLPERF_SUMMARY_SQL = """
    with ranked as (
        select m.mlperf_round as round, m.accelerator_id, a.accelerator_name, m.model, m.scenario,
               m.tokens_per_s_per_accelerator as throughput_per_accelerator,
               'tokens/s per accelerator' as units, m.submitter,
               row_number() over (partition by m.accelerator_id
                                  order by m.round_published_on desc, m.tokens_per_s_per_accelerator desc) as pick
        from marts.fct_mlperf_throughput m
        join marts.dim_accelerator a using (accelerator_id)
        where m.model like 'llama2-70b%' and m.scenario = 'Offline'
          and m.tokens_per_s_per_accelerator is not null and not m.is_mixed_accelerators
          and m.round_published_on <= ?
    )
    select * exclude (pick) from ranked where pick = 1
    order by throughput_per_accelerator desc limit 10
"""


def rebuild_previous_metrics(settings: Settings, current: BriefInputs) -> dict | None:
    """When the month before has no archived brief: its metrics rebuilt as of its own month end
    from the same warehouse (as-of rule; main scenario only, same seed and draws), marked
    ``rebuilt``, so even a first brief says what changed. None before the first partition or
    for a user scenario file (its path is not recorded)."""
    previous = previous_partition(current.partition)
    if previous is None or current.scenario not in BUNDLED_SCENARIOS:
        return None
    as_of = month_end(previous)
    draws = settings.model_draws or DEFAULT_DRAWS
    out = run_model(load_model_inputs(settings), scenario=current.scenario, as_of=as_of, seed=current.seed,
                    draws=draws, snapshot_hash=current.snapshot_hash)
    market = current.market
    if len(market):
        market = market[pd.to_datetime(market["disclosed_on"]) <= pd.Timestamp(as_of)]
    metrics = build_metrics(replace(current, partition=previous, as_of=as_of, model=out.tables(),
                                    market=market, previous=None))
    metrics["rebuilt"] = True
    return metrics


REVISION_DRAWS = 10_000  # per rebuilt month of the revisions chart: a tenth of a brief's draws


def revision_points(settings: Settings, current: BriefInputs) -> list[dict]:
    """The headline figures of this brief and the months before it (``settings.revision_months``
    in all, 12 by default): each month's archived
    metrics.json where it exists, else (the month before: the rebuilt previous metrics) a rebuild
    as of that month's end from the same warehouse - the calibrated Monte Carlo alone, main
    scenario, REVISION_DRAWS draws (the brief's own if fewer) - so the chart never doubles the
    run time. A user scenario
    file (not recorded) gets archived months only."""
    demand = current.model["demand"]
    demand = demand[demand["scenario"] == current.scenario]
    cross = current.model["crossover_summary"]
    cross = cross[cross["scenario"] == current.scenario]
    now, horizon = current.as_of.year, int(demand["year"].max())
    points = [revisions.point_from_model(current.partition, "this brief", demand, cross, now, horizon)]
    model_inputs, scenario = None, None
    partition = current.partition
    for _ in range(settings.revision_months - 1):
        partition = previous_partition(partition)
        if partition is None:
            break
        try:
            archived = archived_metrics(settings, partition)
        except (OSError, ValueError):  # an unreadable old archive: that month is rebuilt, the brief goes on
            archived = None
        point = revisions.point_from_metrics(partition, "archived", archived, now, horizon) if archived else None
        if point is None and current.previous and current.previous.get("partition") == partition:
            basis = "rebuilt" if current.previous.get("rebuilt") else "archived"
            point = revisions.point_from_metrics(partition, basis, current.previous, now, horizon)
        if point is None and current.scenario in BUNDLED_SCENARIOS:
            if model_inputs is None:
                model_inputs, scenario = load_model_inputs(settings), load_scenario(current.scenario)
            draws = min(REVISION_DRAWS, settings.model_draws or DEFAULT_DRAWS)  # never finer than the brief
            rebuilt, rebuilt_cross = run_headlines(model_inputs, scenario, month_end(partition), current.seed,
                                                   draws, current.snapshot_hash)
            point = revisions.point_from_model(partition, "rebuilt", rebuilt, rebuilt_cross, now, horizon, draws)
        if point is not None:
            points.append(point)
    return points


def archived_metrics(settings: Settings, partition: str) -> dict | None:
    """The archived metrics.json of a partition's brief, if that brief exists."""
    path = settings.briefs_dir / partition / "metrics.json"
    return json.loads(path.read_text()) if path.exists() else None


def previous_metrics(settings: Settings, partition: str) -> dict | None:
    """The archived metrics.json of the month before, if that brief exists."""
    previous = previous_partition(partition)
    return None if previous is None else archived_metrics(settings, previous)


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
                   resend=resend, retries=retries, backoff_s=backoff_s,
                   after_send=lambda: checkpoint("delivery.after_send"),
                   note="test copy" if to else "")


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
