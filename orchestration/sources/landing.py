"""Immutable, content-addressed landing files with provenance.

Layout (pinned): ``<landing_dir>/<source>/<sha256>.<ext>`` holds the bytes exactly as fetched,
``<sha256>.<ext>.json`` beside it records where they came from, and ``<source>/LATEST`` (JSON)
names the last good file. Every write is atomic (``common.fs.atomic_write_bytes``), so a crash
never leaves a half-written landing file or pointer.
An unchanged file is stored once: landing the same bytes again only refreshes ``LATEST``.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from common.clock import utc_now_iso
from common.fs import atomic_write_bytes
from orchestration.faults import checkpoint


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
) -> LandedFile:
    """Store ``data`` for ``source`` under its content hash and point ``LATEST`` at it.

    ``note`` (optional) is recorded in the provenance, e.g. which mirror file the bytes came from.
    """
    digest = sha256_bytes(data)
    folder = landing_dir / source
    target = folder / f"{digest}.{ext.lstrip('.')}"
    landed = LandedFile(
        source=source,
        path=target,
        sha256=digest,
        url=url,
        licence=licence,
        mode=mode,
        fetched_at=fetched_at or utc_now_iso(),
        note=note,
        vintage=vintage,
    )
    sidecar = target.with_name(target.name + ".json")
    if not target.exists():
        atomic_write_bytes(target, data)
    if not sidecar.exists():  # checked on its own: a failure between the two writes must heal
        atomic_write_bytes(sidecar, json.dumps(landed.provenance(), indent=2).encode())
        checkpoint("landing.before_latest")
    atomic_write_bytes(folder / "LATEST", json.dumps(landed.provenance(), indent=2).encode())
    return landed


def latest(landing_dir: Path, source: str) -> LandedFile | None:
    """The last good landing file of ``source``, or None if nothing was ever landed."""
    pointer = landing_dir / source / "LATEST"
    if not pointer.exists():
        return None
    record = json.loads(pointer.read_text())
    path = pointer.parent / record.pop("path")
    if not path.exists():
        return None
    return LandedFile(path=path, **record)


def mark_stale(landed: LandedFile, note: str) -> LandedFile:
    """The same file, flagged as a fallback (the fresh fetch failed)."""
    return replace(landed, stale=True, note=note)
