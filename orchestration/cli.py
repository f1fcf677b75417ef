"""`flopcast` command line: thin wrappers over Dagster materialisation of asset selections.

    flopcast brief [--month YYYY-MM] [--scenario FILE]   whole pipeline for one month; prints the PDF path
    flopcast ingest [--mode M] [--mirror DIR] [--source NAME]   sources -> landing -> raw
    flopcast ingest --mode live --refresh-bundled [--source NAME]   update data/publishers/
    flopcast deliver [--month M] [--to ADDR] [--resend] [--preview]   email the brief
    flopcast ui [--port N]               the Dagster UI (webserver + daemon) on localhost
    flopcast bench [--quick] [--baseline REF]  Dagster vs plain Python; this checkout vs REF (see bench/)

Dagster is imported only inside the subcommands that need it, so `--help` is instant.

A failure is one line on stderr, `flopcast: error: <what>`, naming the file, variable, argument or
failing check (a dbt test with its failing rows; an OS error with its path and reason), and a
non-zero exit. Without `-v` nothing else reaches stderr from a run: Dagster's console log is off
(its events stay in the instance, for the UI) and stray output during the run is dropped.
"""

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

from common.clock import utc_now_iso
from common.processes import skip_exit_collection
from common.signals import stop_on_signals
from common.fs import atomic_write_bytes, describe_os_error
from orchestration.partitions import available_partition, latest_complete_month
from orchestration.run_outcome import outcome_of_failed_run, run_failure_summary
from orchestration.settings import PROJECT_ROOT, SOURCE_MODES, Settings, load_settings
from orchestration.steps.warehouse_build import DBT_MANIFEST, manifest_is_stale, parse_dbt_project
from orchestration.warehouse import RunInProgressError, RunLock

DAGSTER_YAML_TEMPLATE = PROJECT_ROOT / "orchestration" / "dagster.yaml"


class CliError(RuntimeError):
    """A failure to report as one clear line and a non-zero exit."""


def put_venv_on_path() -> None:
    """Tools of this environment (dbt, dagster) first on PATH, for code that looks them up by name
    (e.g. `DbtProject.prepare_if_dev()` under `dagster dev`)."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def ensure_dagster_home(settings: Settings) -> Path:
    """A persistent DAGSTER_HOME under $FLOPCAST_HOME with the project's instance config
    (telemetry and the first-visit pop-up off), kept equal to the project's file, so a change to
    it reaches existing homes. An existing DAGSTER_HOME in the environment wins, and its
    dagster.yaml is the operator's: written only if missing."""
    own = not os.environ.get("DAGSTER_HOME")
    home = Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    template = DAGSTER_YAML_TEMPLATE.read_bytes()
    if not config.exists() or (own and config.read_bytes() != template):
        atomic_write_bytes(config, template)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def ensure_dbt_manifest(settings: Settings, force: bool = False) -> Path:
    """Parse the dbt project if its manifest is missing or stale (`make` runs `flopcast prepare`
    first; a `flopcast` run straight after a pull re-parses here)."""
    return parse_dbt_project(settings) if force or manifest_is_stale() else DBT_MANIFEST


def console_logging(verbose: bool) -> dict:
    """Dagster's console log: everything with --verbose, else nothing (the CLI prints the outcome
    from the run's events; the events stay in the instance for the UI)."""
    level = "DEBUG" if verbose else "CRITICAL"
    return {"loggers": {"console": {"config": {"log_level": level}}}}


@contextlib.contextmanager
def quiet_run(verbose: bool):
    """Around a Dagster run: without --verbose, what the run prints (Dagster's log, dbt's echo,
    Python warnings) is dropped, so the command's own lines are all the user sees."""
    if verbose:
        yield
        return
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def _month(value: str) -> str:
    try:
        return available_partition(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_brief(args: argparse.Namespace) -> int:
    settings = load_settings()
    month = args.month or latest_complete_month()
    scenario, name = None, None  # the model asset's default (models.config.BASE_SCENARIO)
    if args.scenario:  # validated first: a clear message before any work
        from models.config import ScenarioError, load_scenario

        path = Path(args.scenario).expanduser().resolve()
        try:
            scenario, name = str(path), load_scenario(path).name
        except (ScenarioError, OSError) as exc:
            detail = describe_os_error(exc) if isinstance(exc, OSError) else _one_line(exc)
            raise CliError(f"scenario {args.scenario}: {detail}") from None
    ensure_dagster_home(settings)
    ensure_dbt_manifest(settings)
    started, started_at = time.monotonic(), utc_now_iso()
    with RunLock(settings.lock_path):
        print(f"flopcast: building the brief for {month} (home {settings.home})", file=sys.stderr)
        if scenario:
            print(f"flopcast: scenario {name} ({scenario}), overriding base's drivers it names", file=sys.stderr)
        try:
            result = _execute_brief_job(month, args.verbose, scenario)
        except KeyboardInterrupt:
            raise CliError(f"the brief for {month} was stopped by an interrupt; "
                           + outcome_of_failed_run(settings, started_at)) from None
    if not result.success:
        raise CliError(f"the brief for {month} was not built ({run_failure_summary(result)}); "
                       + outcome_of_failed_run(settings, started_at))
    pdf = settings.briefs_dir / month / "brief.pdf"
    print(f"flopcast: done in {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(pdf)
    return 0


def run_job(job_name: str | None, verbose: bool, selection: list[list[str]] | None = None,
            ops: dict | None = None, partition_key: str | None = None):
    """Run a job of the project's Definitions in this process (None: the implicit asset job of
    every asset), on the DAGSTER_HOME instance; Dagster imported and run inside ``quiet_run``.
    A SQLite instance keeps its connections for the run (``orchestration.event_log``)."""
    run_config = {**console_logging(verbose), **({"ops": ops} if ops else {})}
    with quiet_run(verbose):
        from dagster import AssetKey, DagsterInstance

        from orchestration.definitions import defs
        from orchestration.event_log import fast_event_writes

        job = defs.resolve_job_def(job_name) if job_name else defs.resolve_implicit_global_asset_job_def()
        with DagsterInstance.get() as instance, fast_event_writes(instance):
            return job.execute_in_process(
                partition_key=partition_key, instance=instance, raise_on_error=False, run_config=run_config,
                asset_selection=[AssetKey(path) for path in selection] if selection else None)


def _execute_brief_job(month: str, verbose: bool, scenario: str | None = None):
    ops = {"demand_model": {"config": {"scenario": scenario}}} if scenario else None
    return run_job("brief_job", verbose, ops=ops, partition_key=month)


def cmd_refresh_bundled(args: argparse.Namespace) -> int:
    """Maintainers: download fresh copies of the publishers' files into data/publishers/."""
    from orchestration.sources.publishers import VendoredCopyError
    from orchestration.sources.registry import refresh_bundled

    if args.mode != "live":
        raise CliError("--refresh-bundled downloads from the publishers: use it with --mode live")
    settings = load_settings()
    print(f"flopcast: refreshing the vendored publishers' files in {settings.publishers_dir}",
          file=sys.stderr)
    try:
        for line in refresh_bundled(settings, args.source):
            print(f"  {line}")
    except (KeyError, VendoredCopyError) as exc:
        raise CliError(str(exc).strip('"')) from None
    print("flopcast: manifest updated; review `git diff data/publishers` and commit", file=sys.stderr)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from orchestration.sources.registry import SOURCES

    if args.refresh_bundled:
        return cmd_refresh_bundled(args)
    if args.mode:
        os.environ["FLOPCAST_SOURCE_MODE"] = args.mode
    if args.mirror:
        mirror = Path(args.mirror).expanduser().resolve()
        if not mirror.is_dir():
            raise CliError(f"--mirror {args.mirror}: not a folder")
        os.environ["FLOPCAST_MIRROR_DIR"] = str(mirror)
    settings = load_settings()  # mirror mode without a mirror folder fails here, naming the variable
    names = args.source or list(SOURCES)
    unknown = sorted(set(names) - set(SOURCES))
    if unknown:
        raise CliError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    ensure_dagster_home(settings)
    ensure_dbt_manifest(settings)
    started = time.monotonic()
    with RunLock(settings.lock_path):
        print(f"flopcast: ingesting {len(names)} source(s) in mode {settings.source_mode} "
              f"(home {settings.home})", file=sys.stderr)
        result = run_job(None, args.verbose, selection=[["raw", name] for name in names])
    for event in result.get_asset_materialization_events():
        meta = {k: v.value for k, v in event.materialization.metadata.items()}
        state = ("UNAVAILABLE" if meta.get("unavailable") else "not loaded" if not meta.get("loaded") else
                 f"{meta.get('mode')}{', STALE' if meta.get('stale') else ''}")
        print(f"  {event.asset_key.path[-1]:<36} {meta.get('dagster/row_count', 0):>7} rows"
              f"  {meta.get('quarantined_rows', 0):>4} quarantined  ({state})")
    if not result.success:
        raise CliError(f"ingest failed ({run_failure_summary(result)}); "
                       "raw tables that failed were left as they were")
    print(f"flopcast: done in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    from orchestration.steps.delivery import deliver_brief, preview_delivery
    from reports.mail_settings import DeliveryError, mail_settings_from_env, parse_mail_settings

    settings = load_settings()
    month = args.month or latest_complete_month()
    try:
        mail = mail_settings_from_env(dict(os.environ))
        if args.preview:
            print(preview_delivery(settings, mail, month))
            return 0
        if args.to:
            parse_mail_settings(mail_to=args.to)  # validates the address
            report = deliver_brief(settings, mail, month, to=args.to)
        elif not mail.recipients:
            raise CliError("no recipients: set FLOPCAST_MAIL_TO (comma-separated) or use --to ADDR")
        else:
            with RunLock(settings.lock_path):
                report = _materialize_delivery(month, args.resend, args.verbose)
    except DeliveryError as exc:
        raise CliError(str(exc)) from None
    for recipient, where in report.sent.items():
        print(f"  sent     {recipient}  ({where})")
    for recipient in report.skipped:
        print(f"  skipped  {recipient}  (already delivered; --resend to send again)")
    for recipient, error in report.failed.items():
        print(f"  FAILED   {recipient}  {error}")
    if not report.ok:
        raise CliError(f"delivery of {month} incomplete: {report.summary()}")
    print(f"flopcast: {report.summary()}", file=sys.stderr)
    return 0


def _materialize_delivery(month: str, resend: bool, verbose: bool):
    """`flopcast deliver` for the real recipients: the delivery asset, run through Dagster (so the
    UI shows it), in one process; `--resend` goes through the plain path, which skips the ledger
    check."""
    from orchestration.steps.delivery import deliver_brief
    from reports.delivery import DeliveryReport
    from reports.mail_settings import mail_settings_from_env

    settings = load_settings()
    if resend:
        return deliver_brief(settings, mail_settings_from_env(dict(os.environ)), month, resend=True)
    ensure_dagster_home(settings)
    ensure_dbt_manifest(settings)
    result = run_job("monthly_brief_job", verbose, selection=[["delivery", "brief_email"]], partition_key=month)
    report = DeliveryReport()
    for event in result.all_events:
        metadata = None
        if event.is_step_materialization:
            metadata = event.step_materialization_data.materialization.metadata
        elif event.is_step_failure and event.step_failure_data.user_failure_data:
            metadata = event.step_failure_data.user_failure_data.metadata
        if metadata and "recipients" in metadata:
            outcome = metadata["recipients"].value
            report.sent.update({r: "sent" for r in outcome["sent"]})
            report.skipped[:] = outcome["skipped"]
            report.failed.update(outcome["failed"])
    if not result.success and report.ok:
        raise CliError(f"delivery of {month} failed: {run_failure_summary(result)}")
    return report


def cmd_ui(args: argparse.Namespace) -> int:
    settings = load_settings()
    ensure_dagster_home(settings)
    ensure_dbt_manifest(settings)
    put_venv_on_path()
    os.environ["FLOPCAST_DUCKDB"] = str(settings.duckdb_path)
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"),
               "-h", args.host, "-p", str(args.port)]
    print(f"flopcast: Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME "
          f"{os.environ['DAGSTER_HOME']})", file=sys.stderr)
    os.chdir(PROJECT_ROOT)
    os.execv(command[0], command)
    return 0  # not reached


def cmd_prepare(args: argparse.Namespace) -> int:
    settings = load_settings()
    ensure_dagster_home(settings)
    print(ensure_dbt_manifest(settings, force=True))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.run import main as bench_main

    return bench_main((["--quick"] if args.quick else []) + [f"--only={o}" for o in args.only or []]
                      + ([f"--baseline={args.baseline}"] if args.baseline else [])
                      + ([f"--runs={args.runs}"] if args.runs else []))


class Parser(argparse.ArgumentParser):
    """A usage error is one line too (the argument and what is wrong with it), exit status 2."""

    def error(self, message: str):
        self.exit(2, f"flopcast: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="flopcast", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    brief = sub.add_parser("brief", help="run the whole pipeline for one month and print the PDF path")
    brief.add_argument("--month", type=_month, help="partition YYYY-MM (default: latest complete month)")
    brief.add_argument("--scenario", metavar="FILE", help="a scenario YAML overriding the base scenario's drivers it names")
    brief.add_argument("-v", "--verbose", action="store_true", help="show Dagster's and dbt's full log")
    brief.set_defaults(func=cmd_brief)

    ingest = sub.add_parser("ingest", help="fetch, land and load sources into raw (no warehouse build)")
    ingest.add_argument("--mode", choices=SOURCE_MODES, help="source mode for this run (default: FLOPCAST_SOURCE_MODE)")
    ingest.add_argument("--mirror", metavar="DIR", help="mirror folder (for --mode mirror)")
    ingest.add_argument("--source", action="append", metavar="NAME", help="only this source (repeatable)")
    ingest.add_argument("--refresh-bundled", action="store_true",
                        help="maintainers, with --mode live: download fresh copies of the publishers' "
                             "files into data/publishers/ and update its manifest (no ingest)")
    ingest.add_argument("-v", "--verbose", action="store_true")
    ingest.set_defaults(func=cmd_ingest)

    deliver = sub.add_parser("deliver", help="email the month's brief (SMTP, or .eml files in the outbox)")
    deliver.add_argument("--month", type=_month, help="partition YYYY-MM (default: latest complete month)")
    deliver.add_argument("--to", metavar="ADDR", help="test send to this address only (ledger untouched)")
    deliver.add_argument("--resend", action="store_true", help="send again to recipients already delivered")
    deliver.add_argument("--preview", action="store_true", help="render the message to a file and print its path")
    deliver.add_argument("-v", "--verbose", action="store_true")
    deliver.set_defaults(func=cmd_deliver)

    ui = sub.add_parser("ui", help="serve the Dagster UI and daemon on localhost")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)

    prepare = sub.add_parser("prepare", help="parse the dbt project (manifest) and set up DAGSTER_HOME")
    prepare.set_defaults(func=cmd_prepare)

    bench = sub.add_parser("bench", help="time the Dagster pipeline against the plain-Python path")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions")
    bench.add_argument("--only", action="append", metavar="SECTION",
                       help="pipeline, mirror, model, render, ui or scale (repeatable; default all)")
    bench.add_argument("--baseline", metavar="GIT_REF",
                       help="also time `flopcast brief` at this git ref against this checkout")
    bench.add_argument("--runs", type=int, help="runs per row")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Ctrl-C, `kill -INT` and SIGTERM stop a run, also when the caller started it with SIGINT
    # ignored (a background job of a script inherits SIG_IGN; its dbt child would too), and the
    # stop is recorded for the publish point even where Dagster's own code swallows the exception.
    stop_on_signals()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("flopcast: error: stopped by an interrupt (SIGINT/SIGTERM) before the run published: "
              "the last good warehouse and brief are unchanged", file=sys.stderr)
        return 130
    except CliError as exc:
        print(f"flopcast: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # a read-only or full disk, a missing or unreadable file: path and reason
        print(f"flopcast: error: {describe_os_error(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a clear line instead of a traceback for expected failures
        if isinstance(exc, (RunInProgressError, ValueError)):
            print(f"flopcast: error: {_one_line(exc)}", file=sys.stderr)
            return 1
        raise
    finally:
        if argv is None:  # the program's own command line: the process exits next
            skip_exit_collection()


def _one_line(exc: Exception) -> str:
    """An exception's message on one line (a multi-line message, e.g. several scenario problems,
    joined with '; ')."""
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
