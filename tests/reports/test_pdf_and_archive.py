import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from reports.archive import write_archive
from reports.pdf import AssetsOnlyFetcher, render_pdf


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def loopback_server():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()


def test_fetcher_serves_assets_and_data_only(tmp_path):
    fetcher = AssetsOnlyFetcher()
    css = fetcher.fetch((fetcher.assets_dir / "brief.css").as_uri())
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/a.css", "file:///etc/passwd",
                (fetcher.assets_dir / ".." / "brief.py").as_uri(), "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_injected_markup_in_template_is_refused_by_the_fetcher(loopback_server):
    port, hits = loopback_server
    fetcher = AssetsOnlyFetcher()
    html = (f'<html><body><img src="http://127.0.0.1:{port}/a.png">'
            '<link rel="attachment" href="file:///etc/passwd"><p>hello</p></body></html>')
    pdf = render_pdf(html, fetcher)
    assert hits == []
    assert any("127.0.0.1" in u for u in fetcher.refused)
    assert "hello" in pdf_text(pdf)


def test_archive_is_replaced_whole_or_not_at_all(tmp_path):
    first = write_archive(tmp_path, "2025-06", {"brief.pdf": b"one", "metrics.json": b"{}"})
    assert (first / "brief.pdf").read_bytes() == b"one"

    with pytest.raises(TypeError):
        write_archive(tmp_path, "2025-06", {"brief.pdf": b"two", "metrics.json": object()})
    assert (first / "brief.pdf").read_bytes() == b"one"  # the failed write left the old brief
    second = write_archive(tmp_path, "2025-06", {"brief.pdf": b"two", "charts/x.csv": b"a\n"})
    assert (second / "brief.pdf").read_bytes() == b"two"
    assert not (second / "metrics.json").exists()  # the new archive replaced the old one whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-06"]  # no temp folders left


def test_render_runs_without_the_cyclic_collector_and_restores_it(monkeypatch):
    """WeasyPrint's allocations triggered collections over every object of the process (a fifth
    to a third of the render): the render pauses the collector and leaves it as it found it."""
    import gc

    from weasyprint import HTML

    seen = []
    original = HTML.write_pdf
    monkeypatch.setattr(HTML, "write_pdf", lambda self, *a, **k: seen.append(gc.isenabled()) or original(self, *a, **k))
    assert gc.isenabled()
    assert "hello" in pdf_text(render_pdf("<p>hello</p>"))
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        render_pdf("<p>hello</p>")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_the_whole_brief_renders_without_the_cyclic_collector(monkeypatch):
    """Charts and template as well as the PDF: matplotlib's artists are as many allocations."""
    import gc

    from reports import brief

    seen = []
    monkeypatch.setattr(brief, "_render_brief", lambda inputs: seen.append(gc.isenabled()) or "rendered")
    assert brief.render_brief(None) == "rendered"
    assert seen == [False] and gc.isenabled()


def test_pending_svg_images_draw_as_their_data_uris_do_and_are_never_fetched():
    """The brief's charts reach the PDF by a placeholder URL read when the layout gets there: the
    PDF reads as the one of the same HTML with the SVG as a data: URI, and nothing is fetched."""
    from reports.svg import lean_svg
    from reports.pdf import svg_data_uri

    svg = lean_svg('<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="50pt" viewBox="0 0 200 50">'
                   '<text x="10" y="30" style="font-size: 12px; font-family: \'DejaVu Sans\'">chart label</text></svg>')
    html = '<p>before</p><img src="{}" alt="chart"><p>after</p>'
    reads = []
    fetcher = AssetsOnlyFetcher()
    pending = render_pdf(html.format("flopcast-chart:x"), fetcher,
                         svg_images={"flopcast-chart:x": lambda: reads.append(1) or svg})
    inline = render_pdf(html.format(svg_data_uri(svg)))
    assert reads == [1] and fetcher.refused == []
    assert pdf_text(pending) == pdf_text(inline) and "chart label" in pdf_text(pending)
    assert len(PdfReader(io.BytesIO(pending)).pages) == 1
