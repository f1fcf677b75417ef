"""Durable file writes. Readers see the old file or the new one, never a part, and once a write
returns, a crash keeps it: the file, then its folder entry, are fsynced.

OS errors name the path they concern, also where the system call named none (a failed write or
fsync on a full disk names no file), so the message says what could not be written, and why.
"""

import os
import tempfile
from pathlib import Path


def naming_path(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` if the system call did not."""
    if exc.filename is None and exc.errno is not None:
        return type(exc)(exc.errno, exc.strerror, str(path))
    return exc


def fsync_folder(folder: Path) -> None:
    """Make the folder's entries (a file created or renamed into it) survive a crash."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(handle, data: bytes) -> None:
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in place and fsync it: for files of a staging folder that is
    moved into place as a whole (``atomic_write_bytes`` for a file on its own)."""
    try:
        with open(path, "wb") as handle:
            _write_synced(handle, data)
    except OSError as exc:
        raise naming_path(exc, path) from None


def append_synced(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created with its folders if missing) and fsync it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab") as handle:
            _write_synced(handle, data)
    except OSError as exc:
        raise naming_path(exc, path) from None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, moved into place
    with ``os.replace``; a failure leaves the old file (or none) and no temporary file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise naming_path(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_synced(handle, data)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise naming_path(exc, path) from None
        raise
    try:
        fsync_folder(path.parent)
    except OSError as exc:
        raise naming_path(exc, path.parent) from None


def replace_synced(source: Path, target: Path) -> None:
    """Move the finished file ``source`` over ``target`` atomically, ``source`` fsynced first.
    Errors name ``source``."""
    try:
        with open(source, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(source, target)
        fsync_folder(target.parent)
    except OSError as exc:
        raise naming_path(exc, source) from None
