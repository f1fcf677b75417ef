"""HTML -> PDF with WeasyPrint, fetching nothing but the project's own assets and data: URIs."""

import contextlib
import gc
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS_DIR = Path(__file__).resolve().parent / "assets"


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector off for the block, as it was after it.

    Rendering allocates millions of short-lived objects (WeasyPrint's boxes, matplotlib's artists),
    and each allocation burst triggered collections that walked every object of the process too:
    a fifth to a third of the brief's render time. Reference counting still frees what is not in a
    cycle; the cycles the render leaves go at the next collection after it (peak memory of the
    2026-10 brief +23 MiB)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class AssetsOnlyFetcher(URLFetcher):
    """Serves ``data:`` URIs and files inside ``assets_dir``; refuses everything else.

    No http(s), no ``file://`` outside the assets folder (symlinks resolved first), no redirects.
    Refused URLs are recorded in ``refused`` so callers and tests can see what was attempted.
    """

    def __init__(self, assets_dir: Path = ASSETS_DIR):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)
        self.assets_dir = assets_dir.resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(self.assets_dir) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url!r}: the brief may only use its own assets")


def render_pdf(html: str, fetcher: AssetsOnlyFetcher | None = None) -> bytes:
    """Render ``html`` (relative URLs resolve inside the assets folder) to PDF bytes.

    ``<meta name=...>`` tags become PDF metadata (title, description, keywords and custom ones).
    """
    fetcher = fetcher or AssetsOnlyFetcher()
    with collector_paused():
        document = HTML(string=html, base_url=fetcher.assets_dir.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(custom_metadata=True, presentational_hints=True)
