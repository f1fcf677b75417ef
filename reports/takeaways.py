"""The brief's key takeaways, written from its metrics and what changed since the last brief."""

import pandas as pd

from models.buckets import BUCKETS, bucket_label
from reports.formatting import driver_text, format_count, format_number, format_percent, format_usd
from reports.inputs import BriefInputs, ModelView


def _range(p10, p90, fmt) -> str:
    return f"{fmt(p10)}-{fmt(p90)}"


def year_text(value) -> str:
    """A crossover year as the brief prints it (None: the model's draws do not cross by the horizon)."""
    return "after the horizon" if value is None else str(int(value))


def build_takeaways(inputs: BriefInputs, metrics: dict, changes: list[dict]) -> list[str]:
    """Three to five computed sentences with numbers and dates; the PDF's first page, the email
    body and ``metrics.json`` all carry these same words."""
    m = metrics["metrics"]
    view = ModelView(inputs)
    now, horizon = inputs.as_of.year, view.horizon
    hours_now, hours_h = m["inference_share_accelerator_hours_now"], m["inference_share_accelerator_hours_horizon"]
    flop_now = m["inference_share_flop_now"]
    all_now = m.get("inference_share_all_ai_accelerator_hours_now")
    all_text = (f"; across all AI accelerators (recommendation, vision and enterprise ML included) it is "
                f"{format_percent(all_now['value'])}" if all_now else "")
    sentences = [
        f"Generative inference uses {format_percent(hours_now['value'])} of generative AI accelerator-hours "
        f"in {now} (P10-P90 {_range(hours_now['p10'], hours_now['p90'], format_percent)}) but only "
        f"{format_percent(flop_now['value'])} of the FLOP, because serving runs at low utilisation"
        f"{all_text}; by {horizon} its share of accelerator-hours reaches {format_percent(hours_h['value'])} "
        f"({_range(hours_h['p10'], hours_h['p90'], format_percent)}) in the {inputs.scenario} scenario.",
    ]
    cross_h, cross_f = m["crossover_year_accelerator_hours"], m["crossover_year_flop"]
    prob_h = m["crossover_probability_accelerator_hours"]["value"]
    prob_f = m["crossover_probability_flop"]["value"]
    in_flop = (f"in FLOP in {year_text(cross_f['value'])}" if cross_f["value"] is not None else
               f"in FLOP not by {horizon} in most simulations ({format_percent(prob_f)} cross by then)")
    sentences.append(
        f"Inference overtakes training in accelerator-hours in {year_text(cross_h['value'])} "
        f"(P10 {year_text(cross_h['p10'])}, P90 {year_text(cross_h['p90'])}; "
        f"{format_percent(prob_h)} of simulations cross by {horizon}) and {in_flop}.")
    growth = _bucket_growth(view, now)
    top = view.tables["tornado"]
    top = top[top["unit"] == "share_of_accelerator_hours"].sort_values("rank")
    lead = top.iloc[0]
    sentences.append(
        f"{bucket_label(growth.index[0]).capitalize()} is the fastest-growing bucket "
        f"({format_number(growth.iloc[0])}x a year to {horizon} in accelerator-hours); the driver that "
        f"moves the {horizon} inference share most is the {driver_text(lead['driver'], 'sentence')} "
        f"({format_number(100 * lead['swing'])} points between its P10 and P90).")
    gw_t, gw_i = m["training_gw_horizon"], m["inference_gw_horizon"]
    if "installed_gw_now" in m:
        inst_now, inst_h = m["installed_gw_now"], m["installed_gw_horizon"]
        observed = m.get("observed_installed_h100e_last_year")
        first = _first_shipment_year(inputs.installed_base)
        since = f" shipped since {first}, the first year with public unit figures" if first else ""
        stock = (f"{format_count(observed['value'])} H100-equivalents were in service in {observed['year']} "
                 f"(year average of the stock{since}); " if observed else "")
        sentences.append(
            f"{stock}installed AI power is {format_number(inst_now['value'])} GW in {now} and "
            f"{format_number(inst_h['value'])} GW by {horizon} (P10-P90 "
            f"{_range(inst_h['p10'], inst_h['p90'], format_number)} GW, bounded by packaging and power)"
            + (f": {format_number(m['campus_gw_horizon']['value'])} GW of it working in remote campuses "
               f"(training, batch inference), where cheap power wins, and "
               f"{format_number(m['near_users_gw_horizon']['value'])} GW serving near users"
               if "campus_gw_horizon" in m and "near_users_gw_horizon" in m else
               f": {format_number(gw_t['value'])} GW for generative training and "
               f"{format_number(gw_i['value'])} GW for generative inference")
            + (f"; building what is added costs {format_usd(m['capex_total_usd_now']['value'])} in {now} and "
               f"{format_usd(m['capex_total_usd_horizon']['value'])} in {horizon}, "
               f"{format_percent(m['capex_chips_share']['value'])} "
               f"of it for accelerators and their memory, "
               f"{format_percent(m['capex_facility_share']['value'])} "
               f"for power, cooling and buildings"
               if "capex_total_usd_horizon" in m else "") + ".")
        sentences[-1] = sentences[-1][0].upper() + sentences[-1][1:]
    else:
        sentences.append(
            f"Installed AI power is {format_number(m['total_gw_now']['value'])} GW in {now} and "
            f"{format_number(m['total_gw_horizon']['value'])} GW by {horizon} "
            f"(P10-P90 {_range(m['total_gw_horizon']['p10'], m['total_gw_horizon']['p90'], format_number)} GW): "
            f"{format_number(gw_t['value'])} GW for training, where cheap remote power wins, and "
            f"{format_number(gw_i['value'])} GW for inference near users.")
    if inputs.previous is None:
        sentences.append(f"This is the first archived brief ({inputs.partition}); from next month this "
                         "line reports what changed.")
    elif not changes:
        sentences.append(f"Nothing the brief measures changed since {inputs.previous['partition']}"
                         + (" (rebuilt as of its month end)." if inputs.previous.get("rebuilt") else "."))
    else:
        shown = changes[:2]
        since = (f"Since {inputs.previous['partition']} (rebuilt as of its month end from the same data)"
                 if inputs.previous.get("rebuilt") else f"Since the {inputs.previous['partition']} brief")
        sentences.append(f"{since}: " + "; ".join(
            f"{c['label']} {c['before']} -> {c['after']}" for c in shown)
            + (f" (and {len(changes) - 2} more changes)." if len(changes) > 2 else "."))
    return sentences


def _first_shipment_year(installed_base: pd.DataFrame) -> int | None:
    """The first year the installed-base mart counts shipments in (its stock starts there)."""
    if installed_base is None or installed_base.empty:
        return None
    shipped = installed_base[(installed_base["vendor"] == "all") & (installed_base["shipped_h100e_cumulative"] > 0)]
    return int(shipped["year"].min()) if len(shipped) else None


def _bucket_growth(view: ModelView, now: int) -> pd.Series:
    """Growth factor per year from ``now`` to the horizon, per bucket (accelerator-hours, P50)."""
    years = view.horizon - now
    rates = {}
    for bucket in BUCKETS:
        start, end = view.band(bucket, "accelerator_hours", now)[1], view.band(bucket, "accelerator_hours", view.horizon)[1]
        if start > 0 and years > 0:
            rates[bucket] = (end / start) ** (1 / years)
    return pd.Series(rates).sort_values(ascending=False)
