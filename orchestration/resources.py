"""Dagster resources: thin wrappers over the plain-Python settings and warehouse modules."""

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from packaging import version
from pydantic import PrivateAttr

from orchestration.settings import Settings, load_settings
from orchestration.warehouse import RunLock


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
