"""Bounded reads of a publisher's bytes: a file, a download body, a zip member.

Plain Python. ``ReadLimits`` (from ``FLOPCAST_MAX_FILE_BYTES``, ``FLOPCAST_MAX_DECOMPRESSED_BYTES``,
``FLOPCAST_MAX_DECOMPRESSION_RATIO``) caps what one file may take: a bigger mirror file is refused
from its size before it is read, a body or a zip member is read in chunks and refused one chunk
past the cap, so a 1.5 GB file or a zip bomb costs at most the cap in memory. Each refusal is a
non-retryable ``FetchError``, which the caller treats like a failed download (fallback to the
last good file).
"""

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


class FetchError(RuntimeError):
    """One attempt to get fresh bytes failed. ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class ReadLimits:
    """The most one file may take: ``max_file_bytes`` read from a mirror or a download,
    ``max_decompressed_bytes`` inflated from a zip member, and ``max_decompression_ratio``
    (inflated / compressed size of the member). Defaults: the settings' defaults."""

    max_file_bytes: int = 64 * 2**20
    max_decompressed_bytes: int = 64 * 2**20
    max_decompression_ratio: float = 100.0

    @classmethod
    def from_settings(cls, settings) -> "ReadLimits":
        """From a ``Settings`` (its ``max_*`` fields)."""
        return cls(settings.max_file_bytes, settings.max_decompressed_bytes,
                   settings.max_decompression_ratio)


def read_capped(handle, cap: int) -> bytes:
    """At most ``cap + 1`` bytes of ``handle``, read in chunks (one more than ``cap``: too big)."""
    parts: list[bytes] = []
    size = 0
    while size <= cap:
        part = handle.read(min(_CHUNK, cap + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def read_file_capped(path: Path, label: str, cap: int) -> bytes:
    """The bytes of ``path``: refused (``FetchError``) from its size when over ``cap``, and read in
    chunks to at most ``cap`` in case it grows while being read."""
    try:
        size = path.stat().st_size
        if size > cap:
            raise FetchError(f"{label}: {size:,} bytes, more than the {cap:,} read "
                             "(FLOPCAST_MAX_FILE_BYTES)", retryable=False)
        with path.open("rb") as handle:
            data = read_capped(handle, cap)
    except OSError as exc:
        raise FetchError(f"{label}: {exc}", retryable=False) from exc
    if len(data) > cap:
        raise FetchError(f"{label}: more than {cap:,} bytes (FLOPCAST_MAX_FILE_BYTES)", retryable=False)
    return data


def extract_member(data: bytes, member: str, label: str, limits: ReadLimits = ReadLimits()) -> bytes:
    """The bytes of ``member`` (matched by full name, else by base name) from zip ``data``.

    A truncated or corrupt archive (CRC included) is a retryable ``FetchError``; a missing member
    is not retryable, nor is a member that inflates past ``limits`` (size or ratio: inflated in
    chunks and refused at the cap, whatever size the archive declares).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            match = member if member in names else next(
                (n for n in names if n.rsplit("/", 1)[-1] == member), None)
            if match is None:
                raise FetchError(
                    f"{label}: zip has no member {member!r} (members: {', '.join(names) or 'none'})",
                    retryable=False,
                )
            packed = max(archive.getinfo(match).compress_size, 1)
            cap = min(limits.max_decompressed_bytes, int(packed * limits.max_decompression_ratio))
            with archive.open(match) as handle:
                content = read_capped(handle, cap)
    except FetchError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError,
            NotImplementedError, OSError) as exc:
        raise FetchError(f"{label}: not a readable zip archive ({exc})") from exc
    if len(content) > limits.max_decompressed_bytes:
        raise FetchError(f"{label}: member {member!r} inflates to more than "
                         f"{limits.max_decompressed_bytes:,} bytes (FLOPCAST_MAX_DECOMPRESSED_BYTES)",
                         retryable=False)
    if len(content) > cap:
        raise FetchError(f"{label}: member {member!r} inflates more than {limits.max_decompression_ratio:g} "
                         f"times its {packed:,} compressed bytes (FLOPCAST_MAX_DECOMPRESSION_RATIO): "
                         "a zip bomb?", retryable=False)
    return content
