"""Atomic brief archive: ``<briefs_dir>/YYYY-MM/`` appears complete or not at all."""

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        errno = ctypes.get_errno()
        if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: filesystem cannot exchange
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def write_archive(briefs_dir: Path, partition: str, files: dict[str, bytes]) -> Path:
    """Write ``files`` (relative path -> bytes) as ``briefs_dir/partition/`` in one atomic step.

    Files are written into a temporary folder beside the target and fsynced; the folder then
    replaces the old archive with one atomic rename (or exchange), so a reader or a crash never
    sees a half-written brief, and a failure before that leaves the old brief untouched.
    """
    briefs_dir.mkdir(parents=True, exist_ok=True)
    target = briefs_dir / partition
    staging = Path(tempfile.mkdtemp(prefix=f".{partition}.", dir=briefs_dir))
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(staging, 0o755)
        if not target.exists():
            os.rename(staging, target)
        elif _exchange(staging, target):
            shutil.rmtree(staging)
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{partition}.old.", dir=briefs_dir))
            os.rename(target, old / "brief")
            os.rename(staging, target)
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
