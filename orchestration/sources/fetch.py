"""Getting a publisher's file into the landing area: source modes ``bundled | mirror | live``.

Plain Python (stdlib ``urllib`` for HTTP, ``tenacity`` for retries; no Dagster, no dbt).

- ``live``: HTTP GET with a timeout and retries with exponential backoff; a zip member is
  extracted in memory (a truncated or corrupt zip, or a missing member, is a failure). The bytes
  are checked by the caller's ``validate`` callback (normally: they parse to at least one row)
  before they are landed, so ``LATEST`` only ever names a good file.
- ``mirror``: the publisher's file is found by glob pattern in ``FLOPCAST_MIRROR_DIR`` (laid out
  like ``../shared/data``: one sub-folder per publisher, publisher file names). The mirror is only
  ever read, never written. The folder unset or missing is a ``MirrorFolderError`` naming the
  variable (the run stops; no source falls back to an empty table).
- ``bundled``: a snapshot table lands its file from ``data/snapshot``; a publisher's source lands
  its vendored copy from ``data/publishers`` (checked against the manifest, see ``publishers.py``);
  a source with neither returns its last good landing file, or None when it was never landed (the
  caller then loads an empty table).

Reads are bounded (``ReadLimits``, from ``FLOPCAST_MAX_FILE_BYTES``, ``FLOPCAST_MAX_DECOMPRESSED_BYTES``,
``FLOPCAST_MAX_DECOMPRESSION_RATIO``): a bigger file is refused from its size before it is read, a
zip member is inflated in chunks and refused once it passes the size or ratio cap.

A failed live or mirror fetch falls back to the last good landing file, then to the vendored copy,
flagged ``stale`` with a note saying why; with neither it raises ``SourceUnavailableError``. Landing itself is
atomic (see ``landing.py``): a failed or interrupted fetch never leaves a partial landing file.
"""

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from orchestration.settings import MIRROR_UNSET, SOURCE_MODES, Settings
from orchestration.sources.bounded import FetchError, ReadLimits, extract_member, read_capped, read_file_capped
from orchestration.sources.landing import LandedFile, land_bytes, latest, mark_stale
from orchestration.sources.publishers import VendoredCopyError, read_vendored
from orchestration.sources.tabular import SourceFormatError

USER_AGENT = "flopcast/0.1 (open AI-compute demand tracker; python-urllib)"

Validator = Callable[[bytes, str], object]


class SourceUnavailableError(RuntimeError):
    """No fresh file could be had and there is no last good landing file to fall back to."""


class MirrorFolderError(ValueError):
    """Mirror mode without a usable mirror folder: a configuration error that stops the run
    (not a per-source fallback, which would publish empty tables over good ones)."""


@dataclass(frozen=True)
class SourceDescriptor:
    """Where a public source lives and how to recognise its file.

    ``mirror_patterns`` are globs relative to the mirror folder, tried in order; the first pattern
    that matches wins, and among several matches the shortest file name (then alphabetical) is
    taken, so an exact publisher name beats a re-saved or older copy. A pattern may match a
    ``.zip``; then ``zip_member`` is extracted from it as for a download.
    ``verified=False`` marks a source whose format was documented but never seen in a real file.
    ``bundled_file`` names a file of the bundled snapshot (relative to ``settings.snapshot_dir``);
    a source with a bundled file and no ``url`` is snapshot-only and lands that file in any mode.
    """

    name: str
    title: str
    url: str
    licence: str
    ext: str
    mirror_patterns: tuple[str, ...]
    zip_member: str | None = None
    verified: bool = True
    bundled_file: str | None = None
    attribution: str = ""

    @property
    def landed_url(self) -> str:
        """The URL recorded in provenance: the download, plus ``#member`` for a zip member."""
        return f"{self.url}#{self.zip_member}" if self.zip_member else self.url


@dataclass(frozen=True)
class HttpOptions:
    """Download behaviour. ``timeout`` is per socket operation (connect, each read), in seconds;
    attempts = 1 + ``retries``; the wait before retry n (from 0) is
    ``min(backoff * 2**n, max_backoff)``."""

    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_bytes: int = ReadLimits.max_file_bytes
    user_agent: str = USER_AGENT


def file_label(landed: LandedFile) -> str:
    """How parse errors and quarantine rows name a landed file: its publisher URL."""
    return landed.url


# --- live ---------------------------------------------------------------------------------------

def http_get(url: str, options: HttpOptions = HttpOptions()) -> bytes:
    """One GET. Raises ``FetchError`` (retryable for timeouts, connection errors, 5xx, 408, 429
    and short reads; not for other 4xx or oversize bodies)."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http(s) URLs are fetched", retryable=False)
    request = urllib.request.Request(url, headers={"User-Agent": options.user_agent, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=options.timeout) as response:
            expected = response.headers.get("Content-Length")
            if expected is not None and expected.isdigit() and int(expected) > options.max_bytes:
                raise FetchError(f"{url}: {int(expected):,} bytes announced, more than the "
                                 f"{options.max_bytes:,} read (FLOPCAST_MAX_FILE_BYTES)", retryable=False)
            data = read_capped(response, options.max_bytes)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        retryable = exc.code >= 500 or exc.code in (408, 429)
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}", retryable=retryable) from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: {_describe(exc.reason)}") from exc
    except (TimeoutError, socket.timeout) as exc:
        raise FetchError(f"{url}: timed out after {options.timeout:g} s") from exc
    except http.client.IncompleteRead as exc:
        raise FetchError(f"{url}: connection closed early ({len(exc.partial)} bytes read)") from exc
    except (http.client.HTTPException, OSError) as exc:
        raise FetchError(f"{url}: {_describe(exc)}") from exc
    if len(data) > options.max_bytes:
        raise FetchError(f"{url}: larger than {options.max_bytes:,} bytes (FLOPCAST_MAX_FILE_BYTES)",
                         retryable=False)
    if expected is not None and expected.isdigit() and int(expected) != len(data):
        raise FetchError(f"{url}: truncated ({len(data)} of {expected} bytes)")
    return data


def _describe(reason: object) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    return f"{type(reason).__name__}: {reason}" if isinstance(reason, BaseException) else str(reason)


def fetch_live_bytes(
    descriptor: SourceDescriptor,
    options: HttpOptions = HttpOptions(),
    *,
    sleep: Callable[[float], None] = time.sleep,
    limits: ReadLimits = ReadLimits(),
) -> bytes:
    """Download ``descriptor.url`` (and extract its zip member), retrying transient failures
    (``options``: attempts and backoff; the download is capped at the smaller of
    ``options.max_bytes`` and ``limits.max_file_bytes``). The error of the last attempt names the
    earlier ones."""
    options = replace(options, max_bytes=min(options.max_bytes, limits.max_file_bytes))
    attempts = 1 + max(0, options.retries)
    errors: list[str] = []

    def attempt() -> bytes:
        try:
            data = http_get(descriptor.url, options)
            if descriptor.zip_member:
                data = extract_member(data, descriptor.zip_member, descriptor.url, limits)
            return data
        except FetchError as exc:
            errors.append(str(exc))
            raise

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=options.backoff, max=options.max_backoff),
        retry=retry_if_exception(lambda exc: isinstance(exc, FetchError) and exc.retryable),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except FetchError as exc:
        summary = errors[-1] if len(errors) == 1 else (
            f"{errors[-1]} (attempt {len(errors)} of {attempts}; earlier: " + "; ".join(errors[:-1]) + ")")
        raise FetchError(summary, retryable=exc.retryable) from exc


# --- mirror -------------------------------------------------------------------------------------

def check_mirror_dir(mirror_dir: Path | None) -> Path:
    """``mirror_dir`` when it is a folder, else ``MirrorFolderError`` naming the variable."""
    if mirror_dir is None:
        raise MirrorFolderError(MIRROR_UNSET)
    if not mirror_dir.is_dir():
        raise MirrorFolderError(f"FLOPCAST_MIRROR_DIR={str(mirror_dir)!r} (mirror mode): no such folder")
    return mirror_dir


def find_mirror_file(descriptor: SourceDescriptor, mirror_dir: Path) -> Path:
    """The mirror file for ``descriptor`` (see ``SourceDescriptor``), or ``FetchError``
    (``MirrorFolderError`` when the folder itself is missing)."""
    check_mirror_dir(mirror_dir)
    for pattern in descriptor.mirror_patterns:
        matches = sorted((p for p in mirror_dir.glob(pattern) if p.is_file()),
                         key=lambda p: (len(p.name), p.as_posix()))
        if matches:
            return matches[0]
    raise FetchError(
        f"no file matching {', '.join(descriptor.mirror_patterns)} in mirror folder {mirror_dir}",
        retryable=False,
    )


def read_mirror_bytes(descriptor: SourceDescriptor, mirror_dir: Path,
                      limits: ReadLimits = ReadLimits()) -> tuple[bytes, str]:
    """(bytes, path relative to the mirror) of the source's mirror file; the mirror is only read.
    A file over ``limits.max_file_bytes`` is refused from its size, without reading it."""
    path = find_mirror_file(descriptor, mirror_dir)
    relative = path.relative_to(mirror_dir).as_posix()
    data = read_file_capped(path, f"mirror file {relative}", limits.max_file_bytes)
    if descriptor.zip_member and path.suffix.lower() == ".zip":
        data = extract_member(data, descriptor.zip_member, f"mirror file {relative}", limits)
        relative = f"{relative}#{descriptor.zip_member}"
    return data, relative


# --- modes --------------------------------------------------------------------------------------

def land_vendored(descriptor: SourceDescriptor, settings: Settings, validate: Validator | None,
                  *, stale_because: str = "") -> LandedFile | None:
    """Land the vendored copy of ``descriptor`` (``data/publishers``, checked against its manifest),
    or None when the source has none. ``stale_because`` marks it as a fallback and says why."""
    found = read_vendored(settings.publishers_dir, descriptor.name)
    if found is None:
        return None
    data, entry = found
    label = f"data/publishers/{entry.path}"
    if validate is not None:  # labelled like mirror and live bytes: by the publisher's URL
        validate(data, descriptor.landed_url)
    note = f"vendored copy {label}, retrieved {entry.retrieved} ({entry.vintage})"
    landed = land_bytes(settings.landing_dir, descriptor.name, data, descriptor.ext, mode="bundled",
                        url=descriptor.landed_url, licence=descriptor.licence, note=note,
                        vintage=entry.vintage, retrieved=entry.retrieved)
    return mark_stale(landed, f"{stale_because}; using the {note}") if stale_because else landed


def _fallback(descriptor: SourceDescriptor, settings: Settings, what: str,
              validate: Validator | None = None) -> LandedFile:
    """The last good landing file, else the vendored copy, flagged stale with ``what``."""
    landing_dir = settings.landing_dir
    prior = latest(landing_dir, descriptor.name)
    if prior is not None:
        return mark_stale(
            prior,
            f"{what}; using the last good file, fetched {prior.fetched_at} ({prior.mode})",
        )
    try:
        vendored = land_vendored(descriptor, settings, validate, stale_because=what)
    except (VendoredCopyError, SourceFormatError) as exc:
        raise SourceUnavailableError(
            f"{descriptor.name}: {what}; no last good landing file, and the vendored copy is "
            f"unusable: {exc}") from exc
    if vendored is None:
        raise SourceUnavailableError(
            f"{descriptor.name}: {what}; and there is no last good landing file (looked in "
            f"{landing_dir / descriptor.name}) nor a vendored copy to fall back to"
        )
    return vendored


def resolve_mode(settings: Settings, mode: str | None) -> str:
    chosen = (mode or settings.source_mode).strip().lower()
    if chosen not in SOURCE_MODES:
        raise ValueError(f"source mode {chosen!r} is not one of {', '.join(SOURCE_MODES)}")
    return chosen


def acquire(
    descriptor: SourceDescriptor,
    settings: Settings,
    mode: str | None = None,
    *,
    http: HttpOptions | None = None,
    validate: Validator | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> LandedFile | None:
    """Land a fresh copy of ``descriptor`` in ``mode`` (default ``settings.source_mode``).

    Returns the landed file; a stale last good file (``stale=True``, ``note`` says why) when the
    fresh fetch failed; or None in bundled mode for a live-only source never landed before.
    ``validate(data, label)`` may raise ``SourceFormatError`` to reject fresh bytes before they
    are landed (treated like a failed download). Raises ``SourceUnavailableError`` when nothing
    usable exists.
    """
    chosen = resolve_mode(settings, mode)
    landing_dir = settings.landing_dir
    limits = ReadLimits.from_settings(settings)

    def land_checked(data: bytes, what: str, fresh_mode: str, note: str = "") -> LandedFile | None:
        """Land fresh bytes that parse; bytes that do not are treated like a failed fetch."""
        try:
            if validate is not None:
                validate(data, descriptor.landed_url)
        except SourceFormatError as exc:
            return _fallback(descriptor, settings, f"{what} rejected: {exc}", validate)
        return land_bytes(landing_dir, descriptor.name, data, descriptor.ext, mode=fresh_mode, note=note,
                          url=descriptor.landed_url, licence=descriptor.licence)

    if descriptor.bundled_file is not None and (chosen == "bundled" or not descriptor.url):
        # The project's own file: checked before it lands, and a bad one is an error (there is
        # nothing to fall back to that would be more right than fixing the file).
        data = (settings.snapshot_dir / descriptor.bundled_file).read_bytes()
        label = f"data/snapshot/{descriptor.bundled_file}"
        if validate is not None:
            validate(data, label)
        return land_bytes(landing_dir, descriptor.name, data, descriptor.ext, mode="bundled",
                          url=label, licence=descriptor.licence)
    if chosen == "bundled":
        vendored = land_vendored(descriptor, settings, validate)
        if vendored is not None:
            return vendored
        prior = latest(landing_dir, descriptor.name)
        if prior is None:
            return None
        return replace(prior, note=(f"bundled mode: no bundled copy of this source; reusing the "
                                    f"last landed file, fetched {prior.fetched_at} ({prior.mode})"))

    if chosen == "mirror":
        mirror_dir = check_mirror_dir(settings.mirror_dir)  # a config error: stops the run
        try:
            data, relative = read_mirror_bytes(descriptor, mirror_dir, limits)
        except FetchError as exc:
            return _fallback(descriptor, settings, f"mirror copy unusable: {exc}", validate)
        return land_checked(data, f"mirror file {relative}", "mirror", note=f"mirror copy: {relative}")

    try:
        data = fetch_live_bytes(descriptor, http or HttpOptions(), sleep=sleep, limits=limits)
    except FetchError as exc:
        return _fallback(descriptor, settings, f"live download failed: {exc}", validate)
    return land_checked(data, "live download", "live")
