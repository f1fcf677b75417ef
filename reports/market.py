"""The brief's market-signals page: observed quarterly series (latest vintage as of the date,
gaps and incomplete quarters marked, restatements footnoted, never interpolated) and the yearly
observations the model stands on (disclosed tokens, accelerators shipped).

Pure functions over the market mart rows and a :class:`reports.inputs.ModelView`-like view.
"""

import pandas as pd

from reports import implications
from reports.formatting import format_count, format_usd


MARKET_SCALE = {"USD": (1e9, "USD billion"), "USD/h": (1.0, "USD per hour"), "H100e": (1e6, "million H100e"),
                "tokens/day": (1e12, "trillion tokens/day")}


# Yearly observations the model stands on, shown beside the quarterly market series.
YEARLY_MARKET_SERIES = (
    {"series": "disclosed_tokens_per_day", "column": "disclosed_tokens_per_day", "unit": "tokens/day",
     "label": "Disclosed tokens per day (providers that publish), yearly level", "detail": "",
     "title": "Disclosed tokens per day, yearly", "ylabel": "trillion tokens/day", "scale": 1e12},
    {"series": "accelerator_shipments", "column": "shipped_h100e", "unit": "H100e",
     "label": "AI accelerators shipped, yearly (vendors with a published figure that year, H100-equivalents)",
     "detail": "company disclosures, analysts and Epoch AI, as the brief's date could know them",
     "title": "Accelerators shipped, yearly", "ylabel": "million H100e", "scale": 1e6},
)


# A quarter's value must rest on at least this many components (listings, companies) before the
# table compares it with another quarter: one listing is an anecdote, not a market price.
MIN_COMPONENTS_TO_COMPARE = {"h100_rental_price": 3}


def quarter_runs(q_indices) -> str:
    """Quarters (index year*4 + quarter-1) as runs: '2019 Q1-2022 Q4, 2024 Q2'."""
    qs, runs = sorted(int(q) for q in q_indices), []
    for q in qs:
        if runs and q == runs[-1][1] + 1:
            runs[-1][1] = q
        else:
            runs.append([q, q])
    label = lambda q: f"{q // 4} Q{q % 4 + 1}"  # noqa: E731
    return ", ".join(label(a) if a == b else f"{label(a)}-{label(b)}" for a, b in runs)


def market_context(market: pd.DataFrame, view, as_of=None) -> tuple[list[dict], list[dict], pd.DataFrame]:
    """Per observed series: latest quarter, change over the quarter and the year (only against a
    reported quarter resting on enough components: a gap stays a gap, never interpolated), the
    panel data, and the CSV frame. A quarter still running at ``as_of`` (default: the latest
    disclosure in ``market``) is drawn hollow and named in progress. Disclosed token volumes
    (yearly levels the model stands on) join as a yearly panel."""
    rows, panels, frames = [], [], []
    market = implications.latest_vintages(market)
    if market is not None and not market.empty:
        m = market.copy()
        m["q_index"] = m["calendar_year"].astype(int) * 4 + m["calendar_quarter"].astype(int) - 1
        cut = (pd.Timestamp(as_of) if as_of is not None else
               pd.to_datetime(m["disclosed_on"]).max() if "disclosed_on" in m else None)
        quarter_end = pd.PeriodIndex.from_fields(year=m["calendar_year"].astype(int),
                                                  quarter=m["calendar_quarter"].astype(int), freq="Q").end_time
        m["in_progress"] = (quarter_end > cut) if cut is not None else False  # the calendar quarter, not the
        # series' period_end (a rental quarter's is its latest listing)
        if "components" not in m:
            m["components"] = float("nan")
        for series, g in m.sort_values("q_index").groupby("series", sort=False):
            g = g.reset_index(drop=True)
            last = g.iloc[-1]
            floor = MIN_COMPONENTS_TO_COMPARE.get(str(series), 0)
            comparable = g[pd.to_numeric(g["components"], errors="coerce").fillna(0) >= floor]
            by_q = comparable.set_index("q_index")["value"]
            prev_q, prev_y = by_q.get(last["q_index"] - 1), by_q.get(last["q_index"] - 4)
            thin = bool(floor) and not float(last["components"]) >= floor
            span = range(int(g["q_index"].min()), int(g["q_index"].max()) + 1)
            gaps = [q for q in span if q not in set(g["q_index"])]
            incomplete = [int(r.q_index) for r in g.itertuples() if not bool(r.is_complete)]
            in_progress = [int(r.q_index) for r in g.itertuples() if bool(r.in_progress)]
            restated = [f"{int(r.calendar_year)} Q{int(r.calendar_quarter)} (first reported "
                        f"{_market_value(r.first_reported_value, str(r.unit))})"
                        for r in g.itertuples() if _flag(getattr(r, "is_restated", False))]
            scale, ylabel = MARKET_SCALE.get(str(last["unit"]), (1.0, str(last["unit"])))
            def change(back: int, before) -> str:
                if thin:  # the latest quarter rests on too few listings
                    return f"n/a (fewer than {floor} listings)"
                if before is None and last["q_index"] - back in set(g["q_index"]):  # the earlier one does
                    return f"n/a (fewer than {floor} listings then)"
                return _pct_change(last["value"], before)

            rows.append({
                "series": str(series), "label": str(last["label"]), "quarter": f"{int(last['calendar_year'])} Q{int(last['calendar_quarter'])}",
                "latest": _market_value(last["value"], str(last["unit"])),
                "change_q": change(1, prev_q), "change_y": change(4, prev_y),
                "detail": str(last.get("detail") or ""),
                "notes": "; ".join(filter(None, [
                    f"no figure for {quarter_runs(gaps)} (gap, not interpolated)" if gaps else "",
                    f"incomplete: {quarter_runs(incomplete)}" if incomplete else "",
                    f"in progress at the brief's date: {quarter_runs(in_progress)}" if in_progress else "",
                    f"changes compare quarters with at least {floor} listings" if floor else "",
                    f"restated: {', '.join(restated[-4:])}" if restated else ""])),
            })
            panels.append({"title": str(last["label"]), "ylabel": ylabel, "scale": scale, "step": 0.25,
                           "x": (g["q_index"] / 4.0).tolist(), "y": g["value"].tolist(),
                           "complete": (g["is_complete"].astype(bool) & ~g["in_progress"]).tolist()})
            frames.append(g.drop(columns=["q_index", "in_progress"]))
    observed = view.tables.get("observed_series", pd.DataFrame())
    for spec in YEARLY_MARKET_SERIES:
        if not len(observed) or spec["column"] not in observed:
            continue
        yearly = observed.dropna(subset=[spec["column"]]).sort_values("year")
        if not len(yearly):
            continue
        last = yearly.iloc[-1]
        prev = yearly.iloc[-2][spec["column"]] if len(yearly) > 1 else None
        basis = last.get("token_basis") if spec["column"] == "disclosed_tokens_per_day" else None
        rows.append({"series": spec["series"], "label": spec["label"],
                     "quarter": f"{int(last['year'])}" + (f" ({basis})" if basis else ""),
                     "latest": _market_value(last[spec["column"]], spec["unit"]),
                     "change_q": "n/a (yearly)", "change_y": _pct_change(last[spec["column"]], prev),
                     "detail": (f"{int(last['token_providers'])} providers" if basis else spec["detail"]), "notes": ""})
        complete = ((yearly["token_basis"] != "nowcast").tolist() if basis else [True] * len(yearly))
        panels.append({"title": spec["title"], "ylabel": spec["ylabel"], "scale": spec["scale"], "step": 1.0,
                       "x": yearly["year"].astype(float).tolist(), "y": yearly[spec["column"]].tolist(),
                       "complete": complete})
        keep = ["year", spec["column"]] + (["token_basis"] if basis else [])
        frames.append(yearly[keep].assign(series=spec["series"]))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return rows, panels, frame


def _flag(value) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def _market_value(value, unit: str) -> str:
    if unit == "USD":
        return format_usd(value)
    if unit == "USD/h":
        return f"${float(value):.2f}/h"
    return format_count(value, unit)


def _pct_change(now, before) -> str:
    if before is None or pd.isna(before) or not before:
        return "n/a (no figure)"
    return f"{100 * (float(now) / float(before) - 1):+.0f}%"
