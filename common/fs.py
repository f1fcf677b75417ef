"""Durable file writes. Readers see the old file or the new one, never a part, and once a write
returns, a crash keeps it: the file, then its folder entry, are fsynced.

OS errors name the path they concern, also where the system call named none (a failed write or
fsync on a full disk names no file), so the message says what could not be written, and why;
``describe_os_error`` puts such an error in the one line the command line prints.
"""

import errno
import os
import tempfile
from pathlib import Path


def naming_path(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` if the system call did not."""
    if exc.filename is None and exc.errno is not None:
        return type(exc)(exc.errno, exc.strerror, str(path))
    return exc


# errno -> what the one-line error says after the path; the others say the system's own words
_WRITE_PROBLEMS = {
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device (disk full)",
    errno.EDQUOT: "disk quota exceeded",
}
_ACCESS_PROBLEMS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "is a folder, not a file",
}


def describe_os_error(exc: OSError) -> str:
    """One line naming the path and the reason: 'cannot write /x/y: read-only file system',
    'cannot access /x/y: permission denied'; the system's message where the errno is not one of
    these, and no path where none is known."""
    path = exc.filename
    if exc.filename2 is not None and exc.errno in _WRITE_PROBLEMS:
        path = exc.filename2  # a rename or copy: the target is what could not be written
    reason = (exc.strerror or str(exc)).strip()
    if exc.errno in _WRITE_PROBLEMS:
        reason = _WRITE_PROBLEMS[exc.errno]
        return f"cannot write {path}: {reason}" if path is not None else f"cannot write: {reason}"
    if exc.errno in _ACCESS_PROBLEMS:
        reason = _ACCESS_PROBLEMS[exc.errno]
    elif reason:
        reason = reason[0].lower() + reason[1:]
    return f"cannot access {path}: {reason}" if path is not None else reason


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
