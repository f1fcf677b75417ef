import io
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pandas as pd
import pytest
from pypdf import PdfReader

from models.roofline import ReferenceModel, accelerator_roofline
from reports.archive import write_archive
from reports.brief import BriefInputs, render_brief
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


def _inputs(names: list[str], notes: str = "") -> BriefInputs:
    chips = pd.DataFrame({
        "accelerator_id": ["nvidia-h100-sxm", "chip-b", "chip-c"],
        "accelerator_name": names,
        "vendor": ["nvidia", "acme", "acme"],
        "release_date": pd.to_datetime(["2022-03-22", "2024-01-01", "2024-02-01"]),
        "bf16_dense_flop_per_s": [9.894e14, 2e15, 1e14],
        "memory_bytes": [8e10, 1.92e11, 1e8],
        "memory_bandwidth_bytes_per_s": [3.35e12, 8e12, 1e13],
    })
    sources = pd.DataFrame([{
        "source_name": "snapshot_accelerators", "landing_sha256": "ab" * 32,
        "landing_url": "data/snapshot/accelerators.csv" + notes, "licence": "CC BY 4.0",
        "source_mode": "bundled", "fetched_at": "2026-11-01T00:00:00Z", "is_stale": False, "row_count": 3,
    }])
    return BriefInputs(
        partition="2025-06", as_of=date(2025, 6, 30),
        roofline=accelerator_roofline(chips, ReferenceModel()), data_sources=sources,
        snapshot_hash="cd" * 32, code_version="test",
    )


def test_brief_states_computed_numbers():
    rendered = render_brief(_inputs(["H100 SXM", "Chip B", "Chip C"]))
    text = pdf_text(rendered.pdf)
    assert "295 FLOP/" in text and "47.9 tokens/s" in text
    assert "Key takeaways" in text and "Sources" in text and "Methodology" in text
    assert rendered.metrics["metrics"]["reference_decode_tokens_per_s_batch1"]["value"] == pytest.approx(47.857, abs=1e-3)
    assert rendered.metrics["schema_version"] == 1 and rendered.metrics["partition"] == "2025-06"
    assert set(rendered.archive_files()) == {"brief.pdf", "brief.html", "metrics.json", "charts/decode_ceiling.csv"}
    meta = PdfReader(io.BytesIO(rendered.pdf)).metadata
    assert "2025-06" in meta.title and "cd" * 32 in meta.get("/Keywords", "")


def test_markup_in_data_renders_as_text_and_fetches_nothing(loopback_server):
    port, hits = loopback_server
    hostile = [
        f'<img src="http://127.0.0.1:{port}/pixel.png">H100',
        '<link rel=attachment href="file:///etc/passwd">B',
        "<script>alert(1)</script>C",
    ]
    rendered = render_brief(_inputs(hostile, notes=f'<img src="http://127.0.0.1:{port}/n.png">'))
    assert hits == []
    assert rendered.refused_urls == []  # escaped: never even seen as a URL
    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert "<script>alert(1)</script>C" in pdf_text(rendered.pdf).replace("\n", "")


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
