"""Immutable, content-addressed landing files with provenance.

Layout (pinned): ``<landing_dir>/<source>/<sha256>.<ext>`` holds the bytes exactly as fetched,
``<sha256>.<ext>.json`` beside it records where they came from, and ``<source>/LATEST`` (JSON)
names the last good file; ``<source>/PREVIOUS`` the good file before it. Every write is atomic
(``common.fs.atomic_write_bytes``), so a crash never leaves a half-written landing file or pointer.
An unchanged file is stored once: landing the same bytes again only refreshes the pointer.

"Good" means published: inside a run (``pending_run``), landing a file writes a pending pointer,
``<landing_dir>/.pending/<run_id>/<source>.json``, and ``promote_pending`` moves the run's pointers
to ``LATEST`` only at the run's publish point, after every blocking check passed. A file that fails
the checks stays landed (its bytes are evidence) but never becomes the fallback. Outside a run
(library calls, tests) ``LATEST`` moves at once.

Every reuse verifies: ``latest`` checks the pointer parses, the file exists and its bytes hash to
its name; a pointer or file that fails falls back to ``PREVIOUS`` (the note says why), and with no
good file left raises ``LandingError`` naming the file.
"""

import contextvars
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from common.clock import utc_now_iso
from common.fs import atomic_write_bytes, fsync_folder, naming_path
from orchestration.faults import checkpoint

POINTER = "LATEST"
PREVIOUS = "PREVIOUS"
PENDING_DIR = ".pending"
_RUN: contextvars.ContextVar[str | None] = contextvars.ContextVar("landing_run", default=None)


class LandingError(ValueError):
    """No good landing file to reuse: the pointer or the file it names is unreadable or altered,
    and so is the previous one (the message names the file and what is wrong)."""


@dataclass(frozen=True)
class LandedFile:
    source: str
    path: Path
    sha256: str
    url: str
    licence: str
    mode: str
    fetched_at: str
    stale: bool = False
    note: str = ""
    vintage: str = ""  # the publisher's release the bytes belong to (vendored copies), if known
    attribution: str = ""  # the line the publisher's licence asks for (the source's, set at ingest)
    title: str = ""  # the publisher's name for the dataset (the source's, set at ingest)
    # The date (YYYY-MM-DD) the bytes were obtained from their publisher: the fetch date of a live
    # download, the manifest's date of a vendored copy; blank when unknown (a mirror folder's file).
    retrieved: str = ""

    def provenance(self) -> dict:
        record = asdict(self)
        record["path"] = self.path.name
        return record


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def land_bytes(
    landing_dir: Path,
    source: str,
    data: bytes,
    ext: str,
    *,
    url: str,
    licence: str,
    mode: str,
    fetched_at: str | None = None,
    note: str = "",
    vintage: str = "",
    retrieved: str = "",
) -> LandedFile:
    """Store ``data`` for ``source`` under its content hash and point ``LATEST`` at it (inside a
    ``pending_run``: a pending pointer, promoted at the run's publish point).

    ``note`` (optional) is recorded in the provenance, e.g. which mirror file the bytes came from.
    ``retrieved`` is when the publisher served the bytes; a live download's is its fetch date.
    """
    digest = sha256_bytes(data)
    fetched_at = fetched_at or utc_now_iso()
    folder = landing_dir / source
    target = folder / f"{digest}.{ext.lstrip('.')}"
    landed = LandedFile(
        source=source,
        path=target,
        sha256=digest,
        url=url,
        licence=licence,
        mode=mode,
        fetched_at=fetched_at,
        note=note,
        vintage=vintage,
        retrieved=retrieved or (fetched_at[:10] if mode == "live" else ""),
    )
    sidecar = target.with_name(target.name + ".json")
    if not target.exists():
        atomic_write_bytes(target, data)
    if not sidecar.exists():  # checked on its own: a failure between the two writes must heal
        atomic_write_bytes(sidecar, json.dumps(landed.provenance(), indent=2).encode())
        checkpoint("landing.before_latest")
    record = json.dumps(landed.provenance(), indent=2).encode()
    run_id = _RUN.get()
    if run_id is None:
        _point(folder, record)
    else:
        atomic_write_bytes(landing_dir / PENDING_DIR / run_id / f"{source}.json", record)
    return landed


def _point(folder: Path, record: bytes) -> None:
    """Point ``LATEST`` at ``record``'s file; the file it named before becomes ``PREVIOUS``."""
    pointer = folder / POINTER
    current = pointer.read_bytes() if pointer.exists() else None
    if current is not None and current != record:
        try:
            before = json.loads(current)["path"]
        except (ValueError, KeyError, TypeError):
            before = None  # a corrupt pointer is not a good file to go back to
        if before is not None and before != json.loads(record)["path"]:
            atomic_write_bytes(folder / PREVIOUS, current)
    atomic_write_bytes(pointer, record)


@contextmanager
def pending_run(run_id: str) -> Iterator[None]:
    """Within the block, landing writes pending pointers of ``run_id`` instead of ``LATEST``."""
    token = _RUN.set(run_id)
    try:
        yield
    finally:
        _RUN.reset(token)


def promote_pending(landing_dir: Path, run_id: str) -> list[str]:
    """The run's publish point: its pending pointers become ``LATEST`` (the sources it landed).
    Pending pointers of other runs (runs that died or failed before publishing) are removed.
    Returns the sources promoted."""
    pending_root = landing_dir / PENDING_DIR
    promoted = []
    mine = pending_root / run_id
    for pending in sorted(mine.glob("*.json")) if mine.is_dir() else ():
        source = pending.stem
        _point(landing_dir / source, pending.read_bytes())
        pending.unlink()
        promoted.append(source)
    discard_pending(landing_dir)
    return promoted


def discard_pending(landing_dir: Path) -> None:
    """Forget every pending pointer (nothing of those runs was published)."""
    pending_root = landing_dir / PENDING_DIR
    if pending_root.is_dir():
        try:
            shutil.rmtree(pending_root)
            fsync_folder(landing_dir)
        except OSError as exc:
            raise naming_path(exc, pending_root) from None


_FIELDS = {f.name for f in fields(LandedFile)}


def _read_pointer(pointer: Path) -> LandedFile:
    """The file ``pointer`` names, verified: the pointer parses, the file exists and its bytes
    hash to the sha256 in its name and record. Raises LandingError naming what is wrong."""
    try:
        record = json.loads(pointer.read_bytes())
        if not isinstance(record, dict) or not {"path", "sha256", "source"} <= record.keys():
            raise ValueError("missing fields")
        record = {key: value for key, value in record.items() if key in _FIELDS}
        path = pointer.parent / os.path.basename(str(record.pop("path")))
    except (OSError, ValueError, TypeError) as exc:
        raise LandingError(f"{pointer}: not a readable landing pointer ({exc})") from None
    if not path.is_file():
        raise LandingError(f"{pointer}: names {path.name}, which does not exist")
    digest = sha256_bytes(path.read_bytes())
    if digest != record["sha256"] or not path.name.startswith(digest):
        raise LandingError(f"{path}: content does not match its sha256 (altered on disk: hashes to {digest[:12]}...)")
    return LandedFile(path=path, **record)


def latest(landing_dir: Path, source: str) -> LandedFile | None:
    """The last good landing file of ``source`` (verified; see the module docstring), or None if
    nothing was ever landed. Falls back to ``PREVIOUS`` when ``LATEST`` or its file is bad."""
    folder = landing_dir / source
    pointer = folder / POINTER
    if not pointer.exists():
        return None
    try:
        return _read_pointer(pointer)
    except LandingError as problem:
        if not (folder / PREVIOUS).exists():
            raise LandingError(f"{problem}; no earlier good file to fall back to") from None
        try:
            previous = _read_pointer(folder / PREVIOUS)
        except LandingError as also:
            raise LandingError(f"{problem}; and the previous one: {also}") from None
        return replace(previous, note=f"{problem}; using the previous good file")


def mark_stale(landed: LandedFile, note: str) -> LandedFile:
    """The same file, flagged as a fallback (the fresh fetch failed)."""
    return replace(landed, stale=True, note=note)
