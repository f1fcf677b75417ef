"""Charts as inline SVG (matplotlib, text kept as text so the PDF stays searchable)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

STYLE = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.5,
    "svg.hashsalt": "flopcast",
}
INK = "#1f3b5c"
ACCENT = "#c0504d"


def _to_svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def decode_ceiling_bars(data: pd.DataFrame, highlight_id: str | None = None) -> str:
    """Horizontal bars of batch-1 decode ceilings (tokens/s), one per chip, fastest on top."""
    with plt.rc_context(STYLE):
        rows = data.iloc[::-1]
        fig, ax = plt.subplots(figsize=(6.3, 0.22 * len(rows) + 0.9))
        colors = [ACCENT if a == highlight_id else INK for a in rows["accelerator_id"]]
        ax.barh(rows["accelerator_name"], rows["decode_tokens_per_s_batch1"], color=colors, height=0.65)
        ax.set_xlabel("batch-1 decode ceiling, tokens/s (memory bandwidth / weight bytes)")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        return _to_svg(fig)
