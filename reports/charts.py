"""Charts as SVG (matplotlib, text kept as text so the PDF stays searchable).

One style for every chart: greyscale-safe palette (neighbours differ in lightness; no hatching, whose
patterns cost the PDF renderer more than the rest of a chart), units on the
axes, a caption in the template. Each function takes the exact frame that is archived as the
chart's CSV, so a reader can rebuild any chart from `charts/*.csv`.
"""

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogFormatter, MaxNLocator, NullLocator  # noqa: E402
import pandas as pd  # noqa: E402

from models.buckets import BUCKETS, bucket_label  # noqa: E402
from reports.formatting import driver_text  # noqa: E402
from reports.svg import lean_svg  # noqa: E402

STYLE = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.5,
    "legend.frameon": False,
    "svg.hashsalt": "flopcast",
    # Titles at a fixed height: no top axis labels to dodge, and the automatic placement measured
    # every tick label of a panel again (a third of the small multiples' time).
    "axes.titley": 1.0,
}
INK = "#1f3b5c"
ACCENT = "#c0504d"
# Training buckets in blues, inference in warm tones; lightness steps keep them apart in greyscale.
BUCKET_COLOURS = dict(zip(BUCKETS, ("#0b2e4f", "#2f5f8a", "#6b94bd", "#98b6d6",
                                    "#f7e2cc", "#e3a46b", "#c0504d", "#7a2a27"), strict=True))


def _to_svg(fig, pad: float = 1.08) -> str:
    """The figure as SVG text, laid out once to fit its labels (no second "tight bbox" pass);
    ``pad`` (font sizes) is the margin around them (matplotlib's default 1.08)."""
    fig.tight_layout(pad=pad)
    # tight_layout leaves a placeholder layout engine on the figure, and savefig draws a figure
    # with any engine twice (a layout pass without output, then the SVG): none, one draw.
    fig.set_layout_engine(None)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return lean_svg(buffer.getvalue())


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class PowerOfTenFormatter(LogFormatter):
    """Log-axis labels as plain text, 10²⁴ and 3×10²⁴ (the default writes TeX that matplotlib
    parses per label: a quarter of the chart time, for the same glyphs)."""

    def _num_to_string(self, x, vmin, vmax):
        exponent = int(np.floor(np.log10(x) + 1e-9))
        coefficient = round(x / 10.0 ** exponent)
        power = "10" + str(exponent).translate(SUPERSCRIPT)
        return power if coefficient == 1 else f"{coefficient}×{power}"


def _whiskers(p50: np.ndarray, p10: np.ndarray, p90: np.ndarray) -> np.ndarray:
    """P10-P90 whisker lengths around the P50 bar; never negative (quantiles of a near-constant
    series can cross by a rounding error, and a missing one draws no whisker)."""
    return np.nan_to_num(np.clip(np.vstack([p50 - p10, p90 - p50]), 0.0, None))


def demand_panels(data: pd.DataFrame, unit_label: str, first_projected_year: int) -> str:
    """Two panels over the years: left, the total (P50 line, P10-P90 band, log scale); right, the
    split of the P50 by bucket as stacked shares (columns = buckets, index = year; `total_p10`,
    `total_p50`, `total_p90` for the band)."""
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(6.6, 2.6), gridspec_kw={"width_ratios": [1, 1.35]})
        years = data.index.to_numpy()
        left.fill_between(years, data["total_p10"], data["total_p90"], color="#c9d6e3", label="P10-P90")
        left.plot(years, data["total_p50"], color=INK, linewidth=1.4, label="P50")
        left.set_yscale("log")
        left.yaxis.set_major_formatter(PowerOfTenFormatter(labelOnlyBase=False))
        left.yaxis.set_minor_formatter(PowerOfTenFormatter(labelOnlyBase=False))
        if np.log10(data["total_p90"].max() / data["total_p10"].min()) > 3:
            left.yaxis.set_minor_locator(NullLocator())  # 8 unlabelled ticks a decade: clutter, and slow
        left.set_ylabel(unit_label)
        left.set_title("total, all buckets", fontsize=7.5)
        buckets = [b for b in BUCKET_COLOURS if b in data.columns]
        shares = data[buckets].div(data[buckets].sum(axis=1), axis=0) * 100
        right.stackplot(years, [shares[b].to_numpy(float) for b in buckets],
                                 labels=[bucket_label(b) for b in buckets],
                                 colors=[BUCKET_COLOURS[b] for b in buckets], linewidth=0.3, edgecolor="white")
        right.set_ylim(0, 100)
        right.set_ylabel("share of the P50, %")
        right.set_title("split by bucket", fontsize=7.5)
        right.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=6)
        for ax in (left, right):
            ax.axvline(first_projected_year - 0.5, color="#555555", linewidth=0.8, linestyle="--")
            ax.set_xticks(years[::2])
        left.legend(loc="upper left", fontsize=6)
        return _to_svg(fig)


def tornado(data: pd.DataFrame, base: float, value_label: str) -> str:
    """One bar per driver from the output at its P10 to the output at its P90, widest on top."""
    with plt.rc_context(STYLE):
        rows = data.iloc[::-1]
        fig, ax = plt.subplots(figsize=(6.4, 0.24 * len(rows) + 0.8))
        y = np.arange(len(rows))
        low = rows[["share_at_p10", "share_at_p90"]].min(axis=1).to_numpy(float)
        high = rows[["share_at_p10", "share_at_p90"]].max(axis=1).to_numpy(float)
        ax.barh(y, high - low, left=low, color=INK, height=0.6)
        ax.axvline(base, color=ACCENT, linewidth=1)
        ax.set_yticks(y, [driver_text(d) for d in rows["driver"]])
        ax.set_xlabel(value_label)
        ax.margins(x=0.03)  # the widest bar does not touch the frame
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{round(100 * v, 6):g}%"))  # 70%, 72.5%
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        return _to_svg(fig, pad=1.6)  # long driver labels: room so the PDF's font does not clip them


def fit_scatter(data: pd.DataFrame, label_ids: set[str]) -> str:
    """Training-fit score (x) vs inference-fit score (y), one point per chip; filled where the
    rental price is on-demand, hollow where it is a spot or other listing; only ``label_ids``
    are named, so labels stay readable."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 2.7))
        on_demand = data["price_basis"].eq("on_demand")
        ax.scatter(data.loc[on_demand, "training_fit_score"], data.loc[on_demand, "inference_fit_score"],
                   s=16, color=INK, label="on-demand price")
        ax.scatter(data.loc[~on_demand, "training_fit_score"], data.loc[~on_demand, "inference_fit_score"],
                   s=16, facecolors="none", edgecolors=INK, label="spot or other price")
        for _, row in data[data["accelerator_id"].isin(label_ids)].iterrows():
            ax.annotate(row["accelerator_name"], (row["training_fit_score"], row["inference_fit_score"]),
                        fontsize=5.8, xytext=(3, 2), textcoords="offset points")
        ax.plot([0, 1], [0, 1], color="#999999", linewidth=0.6, linestyle="--")
        ax.set_xlim(-0.02, 1.2)  # room for the labels of chips near 1
        ax.set_ylim(-0.02, 1.08)
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])  # the scores run 0-1; no tick in the labels' margin
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.set_xlabel("training fit (0-1): dense BF16 FLOP per $ and per W")
        ax.set_ylabel("inference fit (0-1): tokens per $, per J")
        ax.legend(loc="lower right", fontsize=6)
        return _to_svg(fig)


def _paired_bars(data: pd.DataFrame, layers: tuple[tuple[str, str, str], ...], ylabel: str, height: float) -> str:
    """Two bars per year, one per (column prefix, legend label, colour): P50 bars with P10-P90
    whiskers from ``<prefix>_p10/_p50/_p90``."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, height))
        years = data["year"].to_numpy()
        width = 0.38
        for offset, (layer, label, colour) in zip((-width / 2, width / 2), layers):
            p50 = data[f"{layer}_p50"].to_numpy(float)
            err = _whiskers(p50, data[f"{layer}_p10"].to_numpy(float), data[f"{layer}_p90"].to_numpy(float))
            ax.bar(years + offset, p50, width, color=colour, label=f"{label} (P50, P10-P90)",
                   yerr=err, error_kw={"linewidth": 0.6, "capsize": 1.5})
        ax.set_ylabel(ylabel)
        ax.set_xticks(years)
        ax.legend(loc="upper left", fontsize=6.5)
        return _to_svg(fig)


def power_by_layer(data: pd.DataFrame) -> str:
    """Installed GW per year for the training and inference layers (P50 bars, P10-P90 whiskers)."""
    return _paired_bars(data, (("training", "training", "#2f5f8a"), ("inference", "inference", "#e3a46b")),
                        "installed power, GW (incl. cooling)", 2.5)


def market_signals(series: list[dict]) -> str:
    """Small multiples of the observed market series: one panel each, quarters as points joined
    only between consecutive quarters (a gap stays a gap), incomplete quarters hollow."""
    n = max(len(series), 1)
    cols = 2 if n <= 4 else 3
    rows = (n + cols - 1) // cols
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(6.4, (1.9 if cols == 2 else 1.7) * rows), squeeze=False)
        for ax, s in zip(axes.flat, series):
            x = np.asarray(s["x"], dtype=float)
            y = np.asarray(s["y"], dtype=float) / s["scale"]
            complete = np.asarray(s["complete"], dtype=bool)
            breaks = np.concatenate([[0], np.nonzero(np.diff(x) > s["step"] * 1.01)[0] + 1, [len(x)]])
            for a, b in zip(breaks[:-1], breaks[1:]):
                ax.plot(x[a:b], y[a:b], color="#2f5f8a", linewidth=1.0)
            ax.scatter(x[complete], y[complete], s=6, color="#2f5f8a", zorder=3)
            ax.scatter(x[~complete], y[~complete], s=10, facecolors="none", edgecolors="#c0504d", zorder=3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5 if cols == 2 else 4))
            title = s["title"] if cols == 2 else s["title"].split(" (")[0]
            ax.set_title(textwrap.fill(title, 44 if cols == 2 else 34), fontsize=7 if cols == 2 else 6.5)
            ax.set_ylabel(s["ylabel"], fontsize=6.5)
            ax.tick_params(labelsize=6)
        for ax in list(axes.flat)[len(series):]:
            ax.axis("off")
        return _to_svg(fig)


# IT layers in blues, facility layers in warm tones; lightness steps keep them apart in greyscale.
LAYER_COLOURS = ("#0b2e4f", "#3d6e9c", "#7fa6cc", "#c6d9ea", "#e3a46b", "#8c3b2e")


def capex_by_layer(data: pd.DataFrame, labels: dict[str, str]) -> str:
    """Capex per year stacked by layer (P50s; the layers of a group are fixed shares of one
    per-draw total) with the P10-P90 whisker of the total, USD billion."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 2.1))
        years = data["year"].to_numpy()
        bottom = np.zeros(len(years))
        for (name, label), colour in zip(labels.items(), LAYER_COLOURS):
            values = data[f"{name}_p50"].to_numpy(float) / 1e9
            ax.bar(years, values, 0.6, bottom=bottom, color=colour, edgecolor="white", linewidth=0.3, label=label)
            bottom += values
        p50 = data["capex_total_p50"].to_numpy(float) / 1e9
        err = _whiskers(p50, data["capex_total_p10"].to_numpy(float) / 1e9,
                        data["capex_total_p90"].to_numpy(float) / 1e9)
        ax.errorbar(years, p50, yerr=err, fmt="none", ecolor="#444444", elinewidth=0.6, capsize=1.5,
                    label="total P10-P90")
        ax.set_ylabel("capex, USD billion per year")
        ax.set_xticks(years)
        ax.legend(loc="upper left", fontsize=6, ncol=2)
        return _to_svg(fig)


def two_layers(data: pd.DataFrame) -> str:
    """Working AI power per year in remote campuses vs near users (P50 bars, P10-P90 whiskers)."""
    return _paired_bars(data, (("campus", "remote campuses: training, batch inference", "#2f5f8a"),
                               ("near_users", "near users: serving", "#e3a46b")),
                        "working power,\nGW (incl. cooling)", 1.8)


def revisions(data: pd.DataFrame, labels: dict[str, str]) -> str:
    """The headline figures per monthly partition: one small panel each, archived months filled,
    rebuilt months hollow."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(labels), figsize=(6.6, 1.7), squeeze=False)
        x = np.arange(len(data))
        rebuilt = (data["basis"] == "rebuilt").to_numpy()
        for ax, (column, label) in zip(axes.flat, labels.items()):
            y = pd.to_numeric(data[column], errors="coerce").to_numpy(float)
            scale = 100.0 if column.startswith("inference_share") else 1.0
            ax.plot(x, y * scale, color="#2f5f8a", linewidth=0.9)
            ax.scatter(x[~rebuilt], y[~rebuilt] * scale, s=7, color="#2f5f8a", zorder=3)
            ax.scatter(x[rebuilt], y[rebuilt] * scale, s=9, facecolors="none", edgecolors="#c0504d", zorder=3)
            ax.set_title(label, fontsize=6.2)
            ax.set_xticks(x[::3])
            ax.set_xticklabels([p[2:] for p in data["partition"].iloc[::3]], fontsize=5.5)
            ax.tick_params(axis="y", labelsize=5.5)
            if column == "crossover_year":
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        return _to_svg(fig)
