"""The publishers' files vendored with the project: ``data/publishers/`` and its manifest.

Plain Python (no Dagster, no dbt). The folder is laid out like a mirror folder (one sub-folder per
publisher, the publishers' file names), so ``--mode mirror --mirror data/publishers`` finds the same
files; ``MANIFEST.json`` lists every file once, with the source it serves, the publisher's URL,
when and how it was obtained, its licence and attribution line, and its SHA-256 and size. The files
are byte-for-byte what the publisher served (never edited or sliced); a copy that went through a
spreadsheet says so in its ``note``.

``bundled`` mode lands these copies through the same connectors as ``mirror`` and ``live``; ``live``
falls back to them (flagged stale) when a download fails and no landing file is left. A file whose
bytes do not match the manifest, or a manifest entry without its file, is a ``VendoredCopyError``
naming the file and the entry: the run stops before anything is published.

The maintainer's refresh (``flopcast ingest --mode live --refresh-bundled``) is
``registry.refresh_bundled``: it downloads each source, checks it parses, and calls
``replace_vendored`` here.
"""

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from common.fs import atomic_write_bytes
from orchestration.sources.landing import sha256_bytes

if TYPE_CHECKING:
    from orchestration.sources.fetch import SourceDescriptor

MANIFEST_NAME = "MANIFEST.json"
MANIFEST_SCHEMA_VERSION = 1


class VendoredCopyError(RuntimeError):
    """The vendored copy or its manifest is broken (checksum, missing file, unreadable manifest)."""


@dataclass(frozen=True)
class VendoredFile:
    """One manifest entry. ``path`` is relative to the publishers folder (e.g.
    ``epoch/ml_hardware.csv``); ``url`` is the publisher's download (``#member`` for a zip member);
    ``retrieved`` (ISO date) is when the project obtained this copy; ``vintage`` is the publisher's
    release the bytes belong to, as far as it is known."""

    path: str
    source: str
    publisher: str
    title: str
    url: str
    licence: str
    attribution: str
    retrieved: str
    vintage: str
    sha256: str
    bytes: int
    note: str = ""


_REQUIRED = [f.name for f in fields(VendoredFile) if f.name != "note"]


def manifest_path(publishers_dir: Path) -> Path:
    return publishers_dir / MANIFEST_NAME


def load_manifest(publishers_dir: Path) -> dict[str, VendoredFile]:
    """The manifest's entries by source name. A missing folder or manifest is an empty manifest
    (nothing vendored); an unreadable one, an incomplete entry, a source listed twice or an entry
    whose file is missing is a ``VendoredCopyError`` naming the manifest and the entry."""
    path = manifest_path(publishers_dir)
    if not path.exists():
        return {}
    label = f"{path.parent.name}/{path.name}"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VendoredCopyError(f"{label}: not a readable manifest ({exc})") from None
    entries = document.get("files") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise VendoredCopyError(f"{label}: expected an object with a 'files' list")
    found: dict[str, VendoredFile] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{label}, entry {number}"
        if not isinstance(entry, dict):
            raise VendoredCopyError(f"{where}: not an object")
        missing = [name for name in _REQUIRED if entry.get(name) in (None, "")]
        if missing:
            raise VendoredCopyError(f"{where}: missing {', '.join(missing)}")
        unknown = set(entry) - {f.name for f in fields(VendoredFile)}
        if unknown:
            raise VendoredCopyError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        record = VendoredFile(**entry)
        where = f"{where} ({record.path})"
        if record.source in found:
            raise VendoredCopyError(f"{where}: source {record.source!r} is listed twice")
        target = _inside(publishers_dir, record.path, where)
        if not target.is_file():
            raise VendoredCopyError(f"{where}: the file {record.path} is missing")
        found[record.source] = record
    return found


def _inside(publishers_dir: Path, relative: str, where: str) -> Path:
    target = (publishers_dir / relative).resolve()
    if not target.is_relative_to(publishers_dir.resolve()):
        raise VendoredCopyError(f"{where}: path {relative!r} is outside the publishers folder")
    return target


def read_vendored(publishers_dir: Path, source: str) -> tuple[bytes, VendoredFile] | None:
    """The vendored bytes of ``source`` checked against the manifest, or None when the source has
    no vendored copy. A size or SHA-256 mismatch is a ``VendoredCopyError`` naming the file."""
    entry = load_manifest(publishers_dir).get(source)
    if entry is None:
        return None
    path = _inside(publishers_dir, entry.path, entry.path)
    label = f"data/publishers/{entry.path}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise VendoredCopyError(f"{label}: {exc}") from None
    digest = sha256_bytes(data)
    if digest != entry.sha256 or len(data) != entry.bytes:
        raise VendoredCopyError(
            f"{label}: fails its checksum (manifest {entry.sha256[:16]}..., {entry.bytes} bytes; "
            f"file {digest[:16]}..., {len(data)} bytes): the vendored copy was altered or truncated; "
            "restore it from git or refresh it with `flopcast ingest --mode live --refresh-bundled`")
    return data, entry


def write_manifest(publishers_dir: Path, entries: Iterable[VendoredFile]) -> Path:
    """Write the manifest (sorted by path) atomically."""
    document = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "about": ("The publishers' files, byte-for-byte as served, vendored as flopcast's offline "
                  "default. Each entry: the source it serves, the publisher's URL, when the copy "
                  "was obtained, the publisher's release, licence, attribution, SHA-256 and size."),
        "files": [asdict(e) for e in sorted(entries, key=lambda e: e.path)],
    }
    path = manifest_path(publishers_dir)
    atomic_write_bytes(path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
    return path


def vendored_path(descriptor: "SourceDescriptor") -> str:
    """Where a refreshed copy of ``descriptor`` goes: the mirror layout's publisher folder (the
    first mirror pattern's folder) and the publisher's file name (the zip member, else the URL's
    last path segment)."""
    folder = descriptor.mirror_patterns[0].split("/", 1)[0] if descriptor.mirror_patterns else "other"
    name = descriptor.zip_member or descriptor.url.rstrip("/").rsplit("/", 1)[-1]
    return f"{folder}/{name}"


def replace_vendored(publishers_dir: Path, entries: dict[str, VendoredFile],
                     descriptor: "SourceDescriptor", data: bytes, *, retrieved: str,
                     note: str) -> VendoredFile:
    """Write ``data`` as the vendored copy of ``descriptor`` (atomically) and return its new
    manifest entry, also stored in ``entries``. The caller writes the manifest once all sources are
    done, then removes a copy kept under an older name (the old entry's path)."""
    relative = vendored_path(descriptor)
    atomic_write_bytes(_inside(publishers_dir, relative, relative), data)
    entry = VendoredFile(
        path=relative, source=descriptor.name, publisher=descriptor.title.split(",")[0],
        title=descriptor.title, url=descriptor.landed_url, licence=descriptor.licence,
        attribution=descriptor.attribution or descriptor.licence, retrieved=retrieved,
        vintage=f"as served on {retrieved}", sha256=sha256_bytes(data), bytes=len(data), note=note,
    )
    entries[descriptor.name] = entry
    return entry

