"""Dagster resources: thin wrappers over the plain-Python settings and warehouse modules."""

import os
import shutil

from dagster import ConfigurableIOManager, ConfigurableResource, EnvVar, InitResourceContext
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from orchestration.dbt_project import dbt_project
from orchestration.settings import Settings, load_settings
from orchestration.steps.warehouse_build import dbt_executable
from orchestration.warehouse import RunLock
from reports.mail_settings import MAIL_ENV, PLAIN_MAIL_ENV, MailSettings, parse_mail_settings


class WarehouseResource(ConfigurableResource):
    """Paths of the run state, and the run lock held for the length of a run.

    With the in-process executor the resource is set up once per run, so the cross-process lock
    (``$FLOPCAST_HOME/run.lock``) serialises whole runs, not just steps.
    """

    lock_timeout_s: float = 0.0
    _lock: RunLock | None = PrivateAttr(default=None)

    @property
    def settings(self) -> Settings:
        return load_settings()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._lock = RunLock(self.settings.lock_path, timeout_s=self.lock_timeout_s)
        self._lock.acquire()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


class FlopcastDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that takes dbt's version from the locked package metadata instead of
    running ``dbt --version`` (~4 s per dbt step), and skips the in-process adapter that
    dagster-dbt would otherwise build for every invocation (a second import of all of dbt)."""

    @property
    def _cli_version(self) -> version.Version:  # type: ignore[override]
        from importlib.metadata import version as installed

        return version.parse(installed("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # type: ignore[override]
        return None


def dbt_cli_resource() -> FlopcastDbtCliResource:
    """The project's dbt, the one way it runs: the dbt asset, the plain-Python path and `flopcast
    prepare` all use it.

    Where util-linux's ``setpriv`` is found (Linux), dbt starts under ``setpriv --pdeathsig KILL``:
    the kernel kills dbt when the process that started it dies. A run killed during its dbt build
    (a SIGKILL does not reach the children) would otherwise leave dbt writing the scratch
    warehouse after the run lock is gone, while the next run makes its copy there. The backstop
    (no setpriv, or a parent killed before dbt's death signal was set): ``warehouse.run_scratch``
    refuses to reset a scratch copy that a running process still names.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return FlopcastDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
    return FlopcastDbtCliResource(project_dir=dbt_project, dbt_executable=setpriv,
                                  global_config_flags=["--pdeathsig", "KILL", "--", dbt_executable()])


class MailResource(ConfigurableResource):
    """Mail settings, one field per variable of ``MAIL_ENV`` and ``PLAIN_MAIL_ENV``. Built with
    ``EnvVar`` for every variable that is set, so the Dagster UI shows the variable's name, never
    its value (the password in particular)."""

    smtp_host: str = ""
    smtp_port: str = ""
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = ""
    mail_from: str = ""
    mail_to: str = ""
    operator_email: str = ""
    smtp_ca_file: str = ""
    ui_url: str = ""

    def mail_settings(self) -> MailSettings:
        # A plain setting the resource was not given (empty) is read from the process environment.
        return parse_mail_settings(**{field: getattr(self, field) for field in MAIL_ENV},
                                   **{field: getattr(self, field) or None for field in PLAIN_MAIL_ENV})

    @classmethod
    def from_env(cls, environ=None) -> "MailResource":
        env = os.environ if environ is None else environ
        return cls(**{field: EnvVar(var) for field, var in {**MAIL_ENV, **PLAIN_MAIL_ENV}.items() if env.get(var)})


class TablesInWarehouseIOManager(ConfigurableIOManager):
    """For assets whose data is a table in the warehouse (the dbt models): there is nothing to
    store or load in Python, so outputs are not pickled to DAGSTER_HOME (the default IO manager
    would write one file per dbt model per run)."""

    def handle_output(self, context, obj) -> None:
        if obj is not None:
            raise TypeError(f"{context.asset_key.to_user_string()}: expected no Python value, got {type(obj).__name__}")

    def load_input(self, context):
        raise TypeError(f"{context.asset_key.to_user_string()} lives in DuckDB: read it from the warehouse")
