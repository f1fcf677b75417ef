"""Fast writes of a run's events to a local (SQLite) Dagster instance, for the runs the CLI
executes in its own process (`flopcast brief`, `ingest`, `deliver`).

Dagster's ``SqliteEventLogStorage`` makes a new SQLAlchemy engine and SQLite connection for every
write and closes it after the commit. With WAL journaling, closing the last connection to a
database checkpoints the WAL into it and fsyncs: every event costs an engine, a connection, a
statement compile (the compiled-statement cache belongs to the engine thrown away) and two or three
fsyncs, once in the run's shard and, for asset and check events, again in the cross-run index
shard. A full `flopcast brief` stores about 1,400 events (each dbt model's materialization, each
dbt test's planned and final evaluation), so this was the largest part of the Dagster overhead:
replaying one run's 1,389 events into a fresh instance took 10-41 s (the machine's disk busy with
another job), 2-4 s with the connections kept as below.

``fast_event_writes(instance)`` keeps, for the length of the run, one engine per shard with one
open connection (SQLAlchemy's QueuePool), sets ``synchronous=NORMAL`` on those connections (WAL
mode: a commit is a write to the WAL, which is fsync'd at checkpoints) and remembers which tables
the index shard has (Dagster asks before every check and tagged asset event, each time on a new
engine). A committed event
survives the process being killed, SIGKILL included; an OS crash or a power cut can lose the last
events of the run (the database stays consistent). On exit the engines are disposed; the last close
checkpoints the WAL as before. Rows are written by Dagster's own code, unchanged, so the UI, the
sensors and the CLI read them as before. Any other event storage (Postgres, in-memory) is left as
it is, and so is a Dagster whose SQLite storage no longer looks as expected.
"""

import contextlib
from collections.abc import Iterator

SYNCHRONOUS = "NORMAL"


def _sqlite_event_storage(instance):
    """The instance's SQLite event storage, when it has the private parts this module relies on."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    storage = getattr(instance, "_event_storage", None)
    if type(storage) is not SqliteEventLogStorage:
        return None
    needed = ("_connect", "_initdb", "_initialized_dbs", "_db_lock", "conn_string_for_shard", "has_table")
    if not all(hasattr(storage, name) for name in needed) or "_connect" in vars(storage):
        return None  # another Dagster, or already fast
    return storage


@contextlib.contextmanager
def fast_event_writes(instance) -> Iterator[None]:
    """Within the block, ``instance``'s SQLite event storage reuses one connection per shard
    (see the module docstring); outside it, Dagster's own behaviour."""
    storage = _sqlite_event_storage(instance)
    if storage is None:
        yield
        return
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import QueuePool

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS

    engines = {}

    def engine_for(shard: str):
        engine = engines.get(shard)
        if engine is None:
            engine = create_engine(
                storage.conn_string_for_shard(shard), poolclass=QueuePool, pool_size=1, max_overflow=2,
                # one thread at a time (the storage's lock), not always the thread that connected
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
            event.listen(engine, "connect", _set_synchronous)
            engines[shard] = engine
        if shard not in storage._initialized_dbs:
            storage._initdb(engine)
            storage._initialized_dbs.add(shard)
        return engine

    @contextlib.contextmanager
    def _connect(shard: str):
        # as SqliteEventLogStorage._connect, with the engine kept instead of made and disposed
        with storage._db_lock:
            with engine_for(shard).connect() as conn:
                with conn.begin():
                    yield conn

    tables = set()
    has_table = storage.has_table

    def has_table_once(name: str) -> bool:
        # Dagster asks before every check and tagged asset event, on a new engine each time; a
        # table does not go away during a run, so a yes is kept
        if name not in tables and has_table(name):
            tables.add(name)
        return name in tables

    storage._connect = _connect  # shadow the methods on this object only
    storage.has_table = has_table_once
    try:
        yield
    finally:
        del storage._connect, storage.has_table
        with storage._db_lock:
            for engine in engines.values():
                engine.dispose()


def _set_synchronous(dbapi_connection, _record) -> None:
    dbapi_connection.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
