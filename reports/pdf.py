"""HTML -> PDF with WeasyPrint, fetching nothing but the project's own assets and data: URIs."""

import base64
import contextlib
import gc
import mimetypes
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from weasyprint import HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.images import SVGImage
from weasyprint.layout import LayoutContext
from weasyprint.text.fonts import FontConfiguration
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


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


class PendingSVG(SVGImage):
    """An SVG image WeasyPrint takes by its URL from the images it is given, read (``read()``) only
    when the layout first asks for its size: what WeasyPrint makes of the same SVG as a data: URI
    in an ``<img>``, made later. ``context``: a layout context on the document's font configuration
    (the SVG's text is laid out with it); its image loader loads nothing."""

    def __init__(self, read: Callable[[], str], url_fetcher: URLFetcher, context: LayoutContext):  # noqa: D107
        self._read, self._fetcher, self._layout_context, self._image = read, url_fetcher, context, None

    def _svg_image(self) -> SVGImage:
        if self._image is None:
            svg = self._read()
            self._image = SVGImage(ElementTree.fromstring(svg.encode()), svg_data_uri(svg), self._fetcher,
                                   self._layout_context)
        return self._image

    def get_intrinsic_size(self, image_resolution, font_size):
        return self._svg_image().get_intrinsic_size(image_resolution, font_size)

    def draw(self, stream, concrete_width, concrete_height, style):
        return self._svg_image().draw(stream, concrete_width, concrete_height, style)


def _no_image(**_):
    return None


def render_pdf(html: str, fetcher: AssetsOnlyFetcher | None = None,
               svg_images: dict[str, Callable[[], str]] | None = None) -> bytes:
    """Render ``html`` (relative URLs resolve inside the assets folder) to PDF bytes.

    ``<meta name=...>`` tags become PDF metadata (title, description, keywords and custom ones).
    ``svg_images``: URL -> a function giving the SVG of the ``<img>`` with that ``src``, called when
    the layout reaches it (charts still being drawn); those URLs are never fetched.
    """
    fetcher = fetcher or AssetsOnlyFetcher()
    fonts = FontConfiguration()
    context = LayoutContext(None, _no_image, fonts, CounterStyle(), None)
    images = {url: PendingSVG(read, fetcher, context) for url, read in (svg_images or {}).items()}
    with collector_paused():
        document = HTML(string=html, base_url=fetcher.assets_dir.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(custom_metadata=True, presentational_hints=True, cache=images, font_config=fonts)
