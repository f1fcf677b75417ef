"""The DuckDB warehouse: one writer, staged writes, publish only green.

Plain Python (no Dagster): the Dagster resource and the plain-Python bench path share it.

- ``RunLock``: a file lock (``filelock``) under ``$FLOPCAST_HOME`` that serialises runs across
  processes.
- ``staged(published, run_id)``: every write goes to the run's scratch copy beside the published
  file; a failed block discards the copy, so the published warehouse stays as it was. The copy
  replaces the published file atomically (``publish``: ``os.replace``) at the run's one publish
  point (``orchestration.steps.publish``), after every blocking check passed and the brief is
  archived; the steps before it read the copy (``working_copy``).
- Readers open the published file read-only and never hold it across a write.
"""

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
from filelock import FileLock, Timeout

from common.clock import utc_now_iso
from common.fs import naming_path, replace_synced
from orchestration.sources.landing import LandedFile
from orchestration.sources.tabular import DUCKDB_TYPES, TableSpec

SCHEMAS = ("raw", "staging", "intermediate", "marts", "model")


class RunInProgressError(RuntimeError):
    """Another flopcast run holds the run lock."""


class RunLock:
    """An exclusive, cross-process lock held for the length of a run: ``filelock`` (``flock``)
    on ``path``, which the kernel drops when the holder dies, so a killed run never wedges the
    next one.

    ``timeout_s`` = 0 fails at once with ``RunInProgressError``; a positive value waits that long,
    trying again every ``poll_s``. Re-entrant within a process, across threads (one lock object
    per path): the CLI takes the lock before the Dagster run starts, and the run's resource
    taking it again only counts. The holder writes its pid into the file, and the error names it.
    """

    def __init__(self, path: Path, timeout_s: float = 0.0, poll_s: float = 0.2):
        self.path = path.resolve()
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self._lock = FileLock(self.path, mode=0o644, thread_local=False, is_singleton=True,
                              on_acquired=_record_holder)
        self._held = False

    def acquire(self) -> None:
        try:
            self._lock.acquire(timeout=self.timeout_s, poll_interval=self.poll_s)
        except Timeout:
            holder = _read_holder(self.path)
            raise RunInProgressError(
                f"another flopcast run is in progress (lock {self.path}"
                f"{'; held by ' + holder if holder else ''}); "
                "wait for it to finish or try again later"
            ) from None
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _record_holder(fd: int) -> None:
    """Write the holder record into the lock file just taken (first the record, then cut to
    length: a reader never sees an empty file mid-rewrite)."""
    record = json.dumps({"pid": os.getpid(), "since": utc_now_iso()}).encode()
    os.pwrite(fd, record, 0)
    os.ftruncate(fd, len(record))


def _read_holder(path: Path, attempts: int = 20, pause_s: float = 0.05) -> str:
    """The holder record of a lock held by another process. The holder writes it just after
    taking the lock, so a loser that arrives in that instant (empty file, or the record of an
    earlier holder that has exited) waits briefly for the current one."""
    text = ""
    for _ in range(attempts):
        try:
            text = path.read_bytes()[:512].decode(errors="replace").strip()
            os.kill(int(json.loads(text)["pid"]), 0)
            return text
        except PermissionError:  # alive, owned by another user
            return text
        except (OSError, ValueError, TypeError, KeyError):  # no such process, or no record yet
            pass
        time.sleep(pause_s)
    return text


def scratch_path(published: Path) -> Path:
    return published.with_name(published.stem + ".scratch" + published.suffix)


def _marker(published: Path) -> Path:
    return scratch_path(published).with_suffix(".run")


def run_scratch(published: Path, run_id: str) -> Path:
    """The scratch copy for ``run_id``: made from the published warehouse at the run's first
    write, then reused by the run's later writers until it is published or discarded."""
    scratch, marker = scratch_path(published), _marker(published)
    if scratch.exists() and marker.exists() and marker.read_text() == run_id:
        return scratch
    _refuse_if_still_written(scratch)
    published.parent.mkdir(parents=True, exist_ok=True)
    _remove_db(scratch)
    try:
        if published.exists():
            shutil.copyfile(published, scratch)
        marker.write_text(run_id)
    except OSError as exc:  # e.g. disk full: leave no partial copy taking up the space
        discard(published)
        raise naming_path(exc, scratch) from None
    return scratch


def _refuse_if_still_written(scratch: Path) -> None:
    """Refuse to reset the scratch copy while a process of an earlier run still writes it: a run
    killed during its dbt build can leave dbt running (a SIGKILL does not reach the children;
    ``resources.dbt_cli_resource`` has the kernel kill dbt with its parent where it can, and this
    is the backstop), and dbt would write into the next run's copy. dbt names the scratch path on
    its command line (``--vars``); Linux only (``/proc``)."""
    plain, quoted = os.fsencode(str(scratch)), json.dumps(str(scratch)).encode()
    holders = []
    for entry in Path("/proc").glob("[0-9]*") if Path("/proc/self").exists() else ():
        if int(entry.name) == os.getpid():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg == plain or quoted in arg for arg in args):
            holders.append(f"pid {entry.name} ({' '.join(os.fsdecode(a) for a in args[:3])} ...)")
    if holders:
        raise RunInProgressError(
            f"another flopcast run is in progress: {'; '.join(holders)} still writes {scratch} "
            "(left running by a run that was killed); wait for it to finish or stop it, then run again"
        )


def working_copy(published: Path, run_id: str | None) -> Path:
    """Where a step of ``run_id`` reads the warehouse: the run's scratch copy when an earlier step
    of the run staged writes there (not published until the run's publish point), else the
    published file."""
    scratch, marker = scratch_path(published), _marker(published)
    if run_id and scratch.exists() and marker.exists() and marker.read_text() == run_id:
        return scratch
    return published


def publish(published: Path) -> None:
    """Atomically replace the published warehouse with the scratch copy."""
    scratch = scratch_path(published)
    wal = scratch.with_name(scratch.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{scratch} still has a write-ahead log: a connection was left open")
    replace_synced(scratch, published)
    _marker(published).unlink(missing_ok=True)


def discard(published: Path) -> None:
    _remove_db(scratch_path(published))
    _marker(published).unlink(missing_ok=True)


@contextmanager
def staged(published: Path, run_id: str | None = None, publish_on_success: bool = True) -> Iterator[Path]:
    """Yield the run's scratch copy to write to; on success publish it (or leave it for a later
    step of the same run), on failure discard it so the published warehouse stays as it was."""
    scratch = run_scratch(published, run_id or uuid.uuid4().hex)
    try:
        yield scratch
    except BaseException:
        discard(published)
        raise
    if publish_on_success:
        try:
            publish(published)
        except BaseException:
            discard(published)
            raise


def _remove_db(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


# DuckDB turns a SIGINT (Ctrl-C, or SIGTERM, which Dagster maps to it) that arrives during a query
# into this ordinary error, which a step's retry policy would retry: the run went on and published.
QUERY_INTERRUPTED = "Query interrupted"


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to ``path``, closed on leaving. An interrupt that DuckDB caught during a query
    is raised again as KeyboardInterrupt: the run stops instead of retrying the step."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    except RuntimeError as exc:
        if str(exc) == QUERY_INTERRUPTED:
            raise KeyboardInterrupt(f"{path}: {QUERY_INTERRUPTED}") from None
        raise
    finally:
        con.close()


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


PROVENANCE_COLUMNS = {
    "_landing_sha256": "varchar",
    "_landing_url": "varchar",
    "_licence": "varchar",
    "_source_mode": "varchar",
    "_fetched_at": "varchar",
    "_stale": "boolean",
    "_vintage": "varchar",
    "_note": "varchar",
    "_attribution": "varchar",
    "_title": "varchar",
    "_retrieved": "varchar",
}


def raw_table_ddl(spec: TableSpec) -> str:
    """Column list of ``raw.<source>``: the spec's typed columns plus the provenance stamp, so an
    empty table (a source not loaded yet) has the same schema as a full one."""
    columns = [f'"{c.name}" {DUCKDB_TYPES[c.kind]}' for c in spec.columns]
    columns += [f"{name} {kind}" for name, kind in PROVENANCE_COLUMNS.items()]
    return ", ".join(columns)


def with_provenance(frame: pd.DataFrame, landed: LandedFile | None) -> pd.DataFrame:
    """Stamp every raw row with the landing file it came from, so any number traces back."""
    if landed is None:
        return frame.assign(**{name: None for name in PROVENANCE_COLUMNS})
    return frame.assign(
        _landing_sha256=landed.sha256,
        _landing_url=landed.url,
        _licence=landed.licence,
        _source_mode=landed.mode,
        _fetched_at=landed.fetched_at,
        _stale=landed.stale,
        _vintage=landed.vintage,
        _note=landed.note,
        _attribution=landed.attribution,
        _title=landed.title,
        _retrieved=landed.retrieved,
    )


def write_raw(
    db_path: Path,
    spec: TableSpec,
    frame: pd.DataFrame,
    quarantine: pd.DataFrame,
    landed: LandedFile | None,
) -> None:
    """Replace ``raw.<source>`` and the source's rows in ``raw.quarantine`` in one transaction."""
    source = _ident(spec.source)
    with connect(db_path) as con:
        ensure_schemas(con)
        con.execute("begin transaction")
        con.execute(f"create or replace table raw.{source} ({raw_table_ddl(spec)})")
        con.register("incoming", with_provenance(frame, landed))
        con.execute(f"insert into raw.{source} by name select * from incoming")
        con.unregister("incoming")
        con.execute(
            "create table if not exists raw.quarantine (source varchar, file varchar, "
            "row_number bigint, column_name varchar, value varchar, reason varchar)"
        )
        con.execute("delete from raw.quarantine where source = ?", [spec.source])
        if len(quarantine):
            con.register("incoming_q", quarantine.astype({"row_number": "int64"}))
            con.execute(
                "insert into raw.quarantine select source, file, row_number, column_name, "
                "value, reason from incoming_q"
            )
            con.unregister("incoming_q")
        con.execute("commit")


def replace_partition(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, partition: str) -> None:
    """Replace the rows of ``partition`` in ``model.<name>`` (other partitions are kept), in one
    transaction. A table whose columns changed (a new model version) is recreated: rows of other
    partitions from the older version are dropped (their archived briefs stay as they were)."""
    table = _ident(name)
    rows = frame.assign(partition=partition)
    ensure_schemas(con)
    con.execute("begin transaction")
    con.register("incoming", rows)
    existing = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'model' and table_name = ?",
        [table]).fetchall()}
    if existing and existing != set(rows.columns):
        con.execute(f"create or replace table model.{table} as select * from incoming limit 0")
    else:
        con.execute(f"create table if not exists model.{table} as select * from incoming limit 0")
    con.execute(f"delete from model.{table} where partition = ?", [partition])
    con.execute(f"insert into model.{table} by name select * from incoming")
    con.unregister("incoming")
    con.execute("commit")


def model_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'model' order by 1").fetchall()]


def read_frame(db_path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    with connect(db_path, read_only=True) as con:
        return con.execute(sql, params or []).df()


def table_facts(db_path: Path, relations: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Row count and column types (in order) of each ``(schema, name)`` relation that exists in
    ``db_path``: ``{relation: {"rows": int, "columns": [(name, type), ...]}}``. One read-only
    connection, one query for the columns and one for the counts."""
    with connect(db_path, read_only=True) as con:
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, kind in con.execute(
                "select table_schema, table_name, column_name, data_type from information_schema.columns "
                "order by table_schema, table_name, ordinal_position").fetchall():
            columns.setdefault((schema, table), []).append((column, kind))
        present = [r for r in dict.fromkeys(relations) if r in columns]
        if not present:
            return {}
        counts = con.execute(" union all ".join(
            f"select {i} as i, count(*) from {_ident(schema)}.{_ident(table)}"
            for i, (schema, table) in enumerate(present))).fetchall()
    return {present[i]: {"rows": int(n), "columns": columns[present[i]]} for i, n in counts}
