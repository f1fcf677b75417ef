"""Chart text: log-axis labels are plain text (no TeX parsed per label), long panel titles wrap."""

import re

import numpy as np
import pandas as pd
import pytest

from reports import charts
from reports.chart_drawing import ChartsDrawing
from reports.svg import lean_svg

LOG_LABEL = re.compile(r">\s*((?:\d+×)?10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)\s*<")


@pytest.mark.parametrize(("value", "label"), [
    (1e24, "10²⁴"), (3e24, "3×10²⁴"), (1e-3, "10⁻³"), (1.0, "10⁰"), (2e7, "2×10⁷"), (1e30, "10³⁰"),
])
def test_power_of_ten_labels(value, label):
    assert charts.PowerOfTenFormatter()._num_to_string(value, 1, 10) == label


def _panel_frame(low: float, high: float) -> pd.DataFrame:
    years = np.arange(2019, 2031)
    total = np.geomspace(low, high, len(years))
    return pd.DataFrame({"total_p10": total * 0.5, "total_p50": total, "total_p90": total * 2,
                         "pretraining": total * 0.4, "serving_chat": total * 0.6}, index=years)


def test_log_axis_labels_are_text_not_tex():
    svg = charts.demand_panels(_panel_frame(1e24, 1e29), "FLOP per year (log scale)", 2026)
    labels = set(LOG_LABEL.findall(svg))
    assert {"10²⁵", "10²⁸"} <= labels, labels
    assert "mathdefault" not in svg and "DejaVuSans-Oblique" not in svg


def test_few_decades_keep_their_minor_labels():
    """Under three decades the minor ticks stay (they carry the only labels between two powers)."""
    svg = charts.demand_panels(_panel_frame(1e24, 4e24), "FLOP per year (log scale)", 2026)
    assert any("×" in label for label in LOG_LABEL.findall(svg))


def test_long_small_multiple_titles_wrap():
    quarter = {"x": [2025.0, 2025.25, 2025.5], "y": [1.0, 2.0, 3.0], "complete": [True, True, True],
               "scale": 1.0, "step": 0.25, "ylabel": "USD"}
    title = "H100 on-demand rental price, median listing"
    series = [dict(quarter, title=title if i == 0 else f"series {i}") for i in range(5)]
    svg = charts.market_signals(series)
    assert title not in svg  # one line would run past its panel (three panels a row)
    assert "H100 on-demand rental price," in svg and "median listing" in svg


def test_each_chart_is_drawn_once(monkeypatch):
    """tight_layout measures the labels without drawing; the SVG is then the only draw (savefig drew
    a figure left with tight_layout's placeholder engine twice: a discarded layout pass, then the SVG)."""
    from matplotlib.figure import Figure

    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or original(self, renderer))
    charts.demand_panels(_panel_frame(1e24, 1e29), "FLOP per year (log scale)", 2026)
    assert len(draws) == 1


def test_chart_svg_is_lean_and_draws_the_same():
    """No metadata, no style="" to parse, no id-only groups: fewer nodes for the PDF renderer, same
    texts and the same paint on every drawn element (the *{...} rule folded in where no own value)."""
    svg = charts.demand_panels(_panel_frame(1e24, 1e29), "FLOP per year (log scale)", 2026)
    assert "<metadata" not in svg and "style=" not in svg and "<style" not in svg
    assert not re.search(r'<g id="[^"]*">', svg)
    assert 'stroke-linecap="square"' in svg and 'stroke-linejoin="round"' in svg
    assert {"10²⁵", "10²⁸"} <= set(LOG_LABEL.findall(svg))

    raw = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>'
           '<g id="a"><g id="b"><path d="M 0 0 L 1 1" style="stroke: #000; stroke-linecap: square"/></g></g>'
           '<g id="c" clip-path="url(#p)"><text style="font-size: 6px; text-anchor: middle" '
           'transform="rotate(-0 1 2)">x</text><text transform="rotate(-90 1 2)">y</text></g>'
           '<defs><clipPath id="p"><rect width="1" height="1"/></clipPath></defs></svg>')
    lean = lean_svg(raw)
    assert '<path d="M 0 0 L 1 1" stroke-linejoin="round" stroke-linecap="square" stroke="#000"/>' in lean
    assert '<g id="c" clip-path="url(#p)"' in lean and 'id="a"' not in lean and 'id="b"' not in lean
    assert 'font-size="6px"' in lean and 'text-anchor="middle"' in lean and "rotate(-0" not in lean
    assert 'transform="rotate(-90 1 2)"' in lean
    assert lean.startswith('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">')
    import weasyprint.pdf.metadata  # noqa: F401 - registers ElementTree prefixes for the whole process
    assert lean_svg(raw) == lean
    unknown = raw.replace("*{stroke-linejoin", "path{stroke-linejoin")
    assert lean_svg(unknown) == unknown  # a stylesheet it does not know: untouched


def test_charts_are_drawn_by_a_forked_child_meanwhile():
    """The child draws every job in order while this process goes on; a failure comes back with its
    traceback; without fork each chart is drawn here when asked."""
    import os

    parent = os.getpid()
    drawing = ChartsDrawing({"a": lambda: f"<svg>{os.getpid()}</svg>", "b": lambda: "<svg>b</svg>"})
    assert "a" in drawing and "c" not in drawing
    drawn = drawing.all()
    assert list(drawn) == ["a", "b"] and drawn["b"] == "<svg>b</svg>"
    assert drawn["a"] != f"<svg>{parent}</svg>"  # drawn in another process
    drawing.close()  # twice is fine

    here = ChartsDrawing({"a": lambda: f"<svg>{os.getpid()}</svg>", "b": lambda: "<svg>b</svg>"}, fork=False)
    assert here["a"] == f"<svg>{parent}</svg>"

    def fail():
        raise ValueError("no data")

    broken = ChartsDrawing({"a": lambda: "<svg/>", "b": fail})
    assert broken["a"] == "<svg/>"
    with pytest.raises(RuntimeError, match="(?s)chart b failed.*ValueError: no data"):
        broken["b"]


def test_a_silent_child_is_stopped_and_its_charts_drawn_here():
    """A child that sends nothing (a lock inherited at fork, say) must not hold the brief forever:
    after the silence limit it is killed and the charts are drawn in this process."""
    import os
    import time

    parent = os.getpid()

    def stuck_in_a_child():
        if os.getpid() != parent:
            time.sleep(60)
        return f"<svg>{os.getpid()}</svg>"

    drawing = ChartsDrawing({"a": stuck_in_a_child, "b": lambda: "<svg>b</svg>"}, silence_s=0.5)
    child = drawing._child
    started = time.monotonic()
    assert drawing.all() == {"a": f"<svg>{parent}</svg>", "b": "<svg>b</svg>"}
    assert time.monotonic() - started < 30 and not child.is_alive()


def test_a_drawing_closed_early_ends_its_child_quietly(capfd):
    """The render failed before it read the charts: closing the drawing does not wait on a child
    blocked on a full pipe, and the child says nothing."""
    import threading

    drawing = ChartsDrawing({"a": lambda: "x" * 500_000, "b": lambda: "y" * 500_000})
    closing = threading.Thread(target=drawing.close, daemon=True)
    closing.start()
    closing.join(60)
    assert not closing.is_alive(), "close() waits for a child that waits for itself"
    assert "Traceback" not in capfd.readouterr().err


def test_the_drawing_child_dies_with_a_killed_parent(tmp_path):
    """A run SIGKILLed while its charts are drawn leaves no child drawing on (it would hold the run
    lock's file, inherited, and the next run would find the lock taken)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = ("import sys, time\nfrom reports.chart_drawing import ChartsDrawing\n"
              "d = ChartsDrawing({'a': lambda: time.sleep(60) or '', 'b': lambda: ''})\n"
              "print(d._child.pid, flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(charts.__file__).resolve().parents[1])
    try:
        child = int(parent.stdout.readline())
        assert os.path.exists(f"/proc/{child}")
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{child}") and time.monotonic() < deadline:
            with open(f"/proc/{child}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] in "ZX":
                    break  # dead, waiting for init to reap it
            time.sleep(0.05)
        else:
            assert not os.path.exists(f"/proc/{child}"), "the drawing child outlived its killed parent"
    finally:
        parent.kill()
        parent.wait()
