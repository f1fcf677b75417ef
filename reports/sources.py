"""The brief's data sources as a reader sees them: which sources loaded and their vintage, the
front page's one-line summary of it, and reader-facing names for the bundled tables."""

import re

import pandas as pd

from reports.formatting import records


VINTAGE_COLUMNS = ("source_name", "title", "source_mode", "vintage", "retrieved_on", "fetched_at", "row_count",
                   "is_stale", "landing_url", "landing_sha256", "licence")


def data_vintage(data_sources: pd.DataFrame) -> list[dict]:
    """Which sources loaded, their vintage, when their publisher served them (``retrieved_on``,
    ISO date; None where not recorded) and when they landed, rows and staleness, sorted by name
    (the sources page and metrics.json state the same list)."""
    frame = data_sources.reindex(columns=list(VINTAGE_COLUMNS)).sort_values("source_name")
    retrieved = pd.to_datetime(frame["retrieved_on"], errors="coerce")
    frame["retrieved_on"] = retrieved.dt.strftime("%Y-%m-%d").where(retrieved.notna(), None)
    rows = records(frame)
    for record in rows:
        record["row_count"] = int(record["row_count"] or 0)
        record["is_stale"] = bool(record["is_stale"])
    return rows


def vintage_summary(data_vintage: list[dict]) -> str:
    """One line for the front page: how many sources, and the vintage of each publisher group."""
    groups: dict[str, list[str]] = {}
    for src in data_vintage:
        name = str(src.get("source_name", ""))
        group = ("flopcast compilation" if name.startswith("snapshot_") else
                 name.split("_")[0].replace("epoch", "Epoch AI").replace("mlperf", "MLPerf")
                 .replace("openrouter", "OpenRouter"))
        vintage = str(src.get("vintage") or "").split(" (")[0]
        for prefix in ("flopcast compilation, ", "Epoch AI ", "MLPerf Inference "):
            vintage = vintage.removeprefix(prefix)
        if vintage and vintage not in groups.setdefault(group, []):
            groups[group].append(vintage)
    stale = sum(1 for src in data_vintage if src.get("is_stale"))
    parts = [f"{group}: {', '.join(sorted(v)[-2:])}" for group, v in groups.items() if v]
    return (f"{len(data_vintage)} sources ({stale} stale)" + (" · " + "; ".join(parts) if parts else ""))


# Reader-facing names of the bundled tables and marts a basis or source may name (the PDF never
# shows a project-internal file or table name; each bundled row carries its publisher's URL).
TABLE_LABELS = {
    "training_runs": "training runs", "accelerators": "accelerator specifications",
    "token_volumes": "token-volume disclosures", "rental_prices": "cloud rental listings",
    "published_splits": "published training/inference splits", "datacenter_campuses": "data-centre campuses",
    "accelerator_shipments": "accelerator shipments", "company_financials": "company financials",
    "lab_compute_spend": "AI labs' compute spend", "installed_base": "installed-base estimate",
}
_INTERNAL = re.compile(r"\b(?:fct|dim|stg|int)_([a-z0-9_]+)")


def reader_text(text: str) -> str:
    """Internal table names replaced by what they hold (``fct_training_runs`` -> 'training runs')."""
    return _INTERNAL.sub(lambda m: TABLE_LABELS.get(m.group(1), m.group(1).replace("_", " ")), str(text))


def reader_basis(basis: str) -> str:
    """A driver's basis as the brief prints it: primary sources as given; a bundled table by what it
    holds (its rows cite their publishers, section 9); a fit described, not named by its table."""
    basis = str(basis).strip()
    if basis.startswith("source:"):
        return basis.removeprefix("source:").strip()
    if basis.startswith("snapshot:"):
        table, _, rest = basis.removeprefix("snapshot:").strip().partition(",")
        label = TABLE_LABELS.get(table.strip(), table.strip().replace("_", " "))
        return f"Bundled {label} (each row cites its publisher){': ' + reader_text(rest.strip()) if rest else ''}"
    if basis.startswith("fit:"):
        return "Fitted to the data as of the brief's date: " + reader_text(basis.removeprefix("fit:").strip())
    return reader_text(basis)


def reader_source(source: dict) -> dict:
    """A data source row as the sources page prints it: a bundled table by what it holds."""
    out = dict(source)
    name, url = str(source.get("source_name", "")), str(source.get("landing_url") or "")
    if name.startswith("snapshot_"):
        table = name.removeprefix("snapshot_")
        out["display_name"] = f"flopcast compilation: {TABLE_LABELS.get(table, table.replace('_', ' '))}"
        out["display_url"] = "public sources, one URL and retrieval date per row"
    else:
        out["display_name"] = str(source.get("title") or "") or name.replace("_", " ")
        out["display_url"] = url
    return out
