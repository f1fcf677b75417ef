"""Atomic brief archive: ``<briefs_dir>/YYYY-MM/`` appears complete or not at all."""

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from common.fs import naming_path, write_synced

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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned(briefs_dir: Path, partition: str) -> None:
    """Remove the temp folders of writers that died (killed between staging and the swap), so
    crashed runs do not pile up copies of the brief. A folder's name carries its writer's pid.
    A writer killed between the two renames of the fallback swap left the previous brief in its
    ``.old.`` folder and none in place: that brief is put back first."""
    target = briefs_dir / partition
    for folder in sorted(briefs_dir.glob(f".{partition}.*")):
        pid = folder.name[len(partition) + 2:].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        saved = folder / "brief"
        if folder.name.startswith(f".{partition}.{pid}.old.") and saved.is_dir() and not target.exists():
            os.rename(saved, target)
        shutil.rmtree(folder, ignore_errors=True)


def write_archive(briefs_dir: Path, partition: str, files: dict[str, bytes],
                  before_swap: Callable[[], None] | None = None) -> Path:
    """Write ``files`` (relative path -> bytes) as ``briefs_dir/partition/`` in one atomic step.

    Files are written into a temporary folder beside the target and fsynced; the folder then
    replaces the old archive with one atomic rename (or exchange), so a reader or a crash never
    sees a half-written brief, and a failure before that leaves the old brief untouched.
    ``before_swap`` (optional) is called when the new archive is staged, before the swap.
    OS errors (disk full, read-only storage) name the file that could not be written.
    """
    target = briefs_dir / partition
    path = briefs_dir
    try:
        briefs_dir.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(briefs_dir, partition)
        staging = Path(tempfile.mkdtemp(prefix=f".{partition}.{os.getpid()}.", dir=briefs_dir))
    except OSError as exc:
        raise naming_path(exc, path) from None
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            write_synced(path, data)
        path = target
        os.chmod(staging, 0o755)
        if before_swap is not None:
            before_swap()
        if not target.exists():
            os.rename(staging, target)
        elif _exchange(staging, target):
            shutil.rmtree(staging)
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{partition}.{os.getpid()}.old.", dir=briefs_dir))
            os.rename(target, old / "brief")
            try:
                os.rename(staging, target)
            except BaseException:
                os.rename(old / "brief", target)  # put the previous brief back
                old.rmdir()
                raise
            shutil.rmtree(old)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise naming_path(exc, path) from None
        raise
    return target
