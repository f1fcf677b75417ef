"""Signals held back while a run publishes: the few renames that make a run's results visible
happen all or none, and a Ctrl-C or SIGTERM that arrives meanwhile is delivered right after."""

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def deferred_signals(signals: tuple[signal.Signals, ...] = STOP_SIGNALS) -> Iterator[None]:
    """Within the block, ``signals`` are recorded instead of handled; on leaving it the previous
    handlers come back and each recorded signal is raised once, so it acts as if it had arrived
    just after the block. Only the main thread can hold signals back (elsewhere a no-op).
    SIGKILL cannot be held back: what the block does must leave a consistent state at every
    instant on its own (each step is an atomic rename)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signo: signal.getsignal(signo) for signo in signals}
    for signo in signals:
        signal.signal(signo, lambda number, _frame: received.append(number))
    try:
        yield
    finally:
        for signo, handler in previous.items():
            signal.signal(signo, handler)
        for signo in dict.fromkeys(received):
            signal.raise_signal(signo)


_STOP = threading.Event()


def stop_on_signals(signals: tuple[signal.Signals, ...] = STOP_SIGNALS) -> None:
    """Make SIGINT and SIGTERM stop the process's run: each records that a stop was requested
    (``stop_requested``) and raises KeyboardInterrupt. The record survives code that swallows the
    exception (seen: an interrupt landing in Dagster's own code between steps, after which the
    run went on and published); the publish point checks it. Main thread only (a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _STOP.clear()

    def stop(_signo, _frame):
        _STOP.set()
        raise KeyboardInterrupt

    for signo in signals:
        signal.signal(signo, stop)


def stop_requested() -> bool:
    """Did this process receive SIGINT or SIGTERM since ``stop_on_signals``?"""
    return _STOP.is_set()
