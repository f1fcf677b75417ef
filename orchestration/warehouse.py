"""The DuckDB warehouse: one writer, staged writes, publish only green.

Plain Python (no Dagster): the Dagster resource and the plain-Python bench path share it.

- ``RunLock``: a file lock under ``$FLOPCAST_HOME`` that serialises runs across processes.
- ``staged(published)``: every write goes to a scratch copy beside the published file; the copy
  replaces the published file atomically (``os.replace``) only when the block ends without an
  exception, so a failed step leaves the last good warehouse exactly as it was.
- Readers open the published file read-only and never hold it across a write.
"""

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.sources.landing import LandedFile, utc_now_iso

SCHEMAS = ("raw", "staging", "intermediate", "marts", "model")


class RunInProgressError(RuntimeError):
    """Another flopcast run holds the run lock."""


class RunLock:
    """An exclusive, cross-process lock held for the length of a run (``flock`` on a file).

    ``timeout_s`` = 0 fails at once with ``RunInProgressError``; a positive value waits that long.
    The kernel drops the lock when the holder dies, so a killed run never wedges the next one.
    """

    def __init__(self, path: Path, timeout_s: float = 0.0, poll_s: float = 0.2):
        self.path = path
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 512, 0).decode(errors="replace").strip()
                    os.close(fd)
                    raise RunInProgressError(
                        f"another flopcast run is in progress (lock {self.path}"
                        f"{'; held by ' + holder if holder else ''}); "
                        "wait for it to finish or try again later"
                    ) from None
                time.sleep(self.poll_s)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": utc_now_iso()}).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def scratch_path(published: Path) -> Path:
    return published.with_name(published.stem + ".scratch" + published.suffix)


@contextmanager
def staged(published: Path) -> Iterator[Path]:
    """Yield a scratch copy of ``published`` to write to; publish it only if the block succeeds."""
    published.parent.mkdir(parents=True, exist_ok=True)
    scratch = scratch_path(published)
    _remove_db(scratch)
    if published.exists():
        shutil.copyfile(published, scratch)
    try:
        yield scratch
        wal = scratch.with_name(scratch.name + ".wal")
        if wal.exists():
            raise RuntimeError(f"{scratch} still has a write-ahead log: a connection was left open")
        with open(scratch, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(scratch, published)
    finally:
        _remove_db(scratch)


def _remove_db(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


PROVENANCE_COLUMNS = ("_landing_sha256", "_landing_url", "_licence", "_source_mode",
                      "_fetched_at", "_stale")


def with_provenance(frame: pd.DataFrame, landed: LandedFile) -> pd.DataFrame:
    """Stamp every raw row with the landing file it came from, so any number traces back."""
    return frame.assign(
        _landing_sha256=landed.sha256,
        _landing_url=landed.url,
        _licence=landed.licence,
        _source_mode=landed.mode,
        _fetched_at=landed.fetched_at,
        _stale=landed.stale,
    )


def write_raw(
    db_path: Path,
    landed: LandedFile,
    frame: pd.DataFrame,
    quarantine: pd.DataFrame,
) -> None:
    """Replace ``raw.<source>`` and the source's rows in ``raw.quarantine`` in one transaction."""
    source = _ident(landed.source)
    with connect(db_path) as con:
        ensure_schemas(con)
        con.execute("begin transaction")
        con.register("incoming", with_provenance(frame, landed))
        con.execute(f"create or replace table raw.{source} as select * from incoming")
        con.unregister("incoming")
        con.execute(
            "create table if not exists raw.quarantine (source varchar, file varchar, "
            "row_number bigint, column_name varchar, value varchar, reason varchar)"
        )
        con.execute("delete from raw.quarantine where source = ?", [landed.source])
        if len(quarantine):
            con.register("incoming_q", quarantine.astype({"row_number": "int64"}))
            con.execute(
                "insert into raw.quarantine select source, file, row_number, column_name, "
                "value, reason from incoming_q"
            )
            con.unregister("incoming_q")
        con.execute("commit")


def write_model_table(db_path: Path, name: str, frame: pd.DataFrame, partition: str) -> None:
    """Replace the rows of ``partition`` in ``model.<name>`` (other partitions are kept)."""
    table = _ident(name)
    rows = frame.assign(partition=partition)
    with connect(db_path) as con:
        ensure_schemas(con)
        con.execute("begin transaction")
        con.register("incoming", rows)
        con.execute(f"create table if not exists model.{table} as select * from incoming limit 0")
        con.execute(f"delete from model.{table} where partition = ?", [partition])
        con.execute(f"insert into model.{table} by name select * from incoming")
        con.unregister("incoming")
        con.execute("commit")


def read_frame(db_path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    with connect(db_path, read_only=True) as con:
        return con.execute(sql, params or []).df()
