"""The driver registry: every driver of the demand model with its reader label, unit, allowed range
and group.

The order of :data:`DRIVERS` is the column order of the Monte Carlo driver matrix, so a seed means
the same thing for every scenario. A scenario file (:mod:`models.config`) must give every driver
a distribution (:mod:`models.distributions`) in the registry's unit and range. A driver's name is
code (scenario files, tables, metric keys); what a reader sees is its label (:func:`driver_label`).
"""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DriverSpec:
    label: str  # what a reader sees: short, capitalised, acronyms as written, no unit, no underscore
    unit: str
    low: float
    high: float
    group: str
    description: str
    used_when: str = ""  # empty: always used; else the condition, checked by ``driver_is_used``


# The registry: order is the column order of the Monte Carlo driver matrix.
DRIVERS: dict[str, DriverSpec] = {
    # --- training side ---
    "frontier_growth_per_year": DriverSpec(
        "Frontier training compute growth per year",
        "x/yr", 1.0, 20.0, "training",
        "Growth factor per year of frontier final-run training compute after the anchor year"),
    "largest_run_equivalents": DriverSpec(
        "Industry pre-training in largest-run equivalents",
        "runs", 1.0, 200.0, "training",
        "Industry pre-training compute of final runs in a year, in units of that year's largest "
        "run (the 'runs per year' multiplier: listed and unlisted runs, restarts, other labs)"),
    "largest_run_equivalents_change_per_year": DriverSpec(
        "Largest-run equivalents, change per year",
        "x/yr", 0.2, 2.0, "training",
        "Yearly change of the largest-run equivalents after the anchor year (below 1: the largest "
        "runs grow faster than industry training compute)"),
    "post_training_share_2024": DriverSpec(
        "Post-training share of final runs, 2024",
        "fraction", 0.0, 0.9, "training",
        "Post-training (SFT, RLHF/RL updates) share of final-run compute in 2024"),
    "post_training_share_gain_per_year": DriverSpec(
        "Post-training share, gain per year",
        "fraction/yr", 0.0, 0.3, "training",
        "Yearly change of the post-training share (capped by settings.post_training_share_cap)"),
    "rd_to_final_ratio": DriverSpec(
        "R&D-to-final-run compute ratio",
        "ratio", 0.0, 30.0, "training",
        "Experiment and research-run compute per unit of final-run compute"),
    "synthetic_data_ratio": DriverSpec(
        "Synthetic-data-to-final-run compute ratio",
        "ratio", 0.0, 5.0, "training",
        "Synthetic-data generation and RL-rollout compute per unit of final-run compute"),
    # --- inference side ---
    "disclosed_coverage": DriverSpec(
        "Disclosed share of served tokens",
        "fraction", 0.01, 1.0, "inference",
        "Share of global served tokens covered by the disclosing providers counted in the anchor"),
    "token_growth_history_per_year": DriverSpec(
        "Served-token growth per year before the anchor",
        "x/yr", 1.0, 100.0, "inference",
        "Growth of served tokens per year before the anchor date (back-cast of history; also "
        "carries each provider's last disclosure forward to the anchor date)"),
    "anchor_tokens_per_day_fallback": DriverSpec(
        "Served tokens per day (fallback)",
        "tokens/day", 1e9, 1e17, "inference",
        "Global served tokens per day at the as-of date, used only when no disclosure is usable "
        "as of that date", used_when="no_token_data"),
    "query_growth_per_year": DriverSpec(
        "Query growth per year",
        "x/yr", 0.5, 20.0, "inference", "Growth factor per year of queries and agent tasks"),
    "reasoning_share_anchor": DriverSpec(
        "Reasoning share of queries, anchor year",
        "fraction", 0.0, 1.0, "inference",
        "Share of queries answered by reasoning models in the anchor year"),
    "reasoning_conversion_per_year": DriverSpec(
        "Shift of queries to reasoning models per year",
        "fraction/yr", 0.0, 1.0, "inference",
        "Share of the remaining non-reasoning queries that move to reasoning models each year"),
    "reasoning_token_multiplier": DriverSpec(
        "Reasoning-token multiplier",
        "ratio", 1.0, 100.0, "inference",
        "Tokens per reasoning query / tokens per plain chat query in the anchor year"),
    "reasoning_multiplier_growth_per_year": DriverSpec(
        "Reasoning-token multiplier growth per year",
        "x/yr", 1.0, 5.0, "inference", "Yearly growth of the reasoning-token multiplier"),
    "agent_share_anchor": DriverSpec(
        "Agent share of queries, anchor year",
        "fraction", 0.0, 1.0, "inference", "Share of queries that are agent tasks in the anchor year"),
    "agent_share_growth_per_year": DriverSpec(
        "Agent-share growth per year",
        "x/yr", 1.0, 10.0, "inference",
        "Yearly growth of the agent-task share (capped by settings.agent_share_cap)"),
    "agent_steps_per_task": DriverSpec(
        "Model calls per agent task",
        "calls/task", 1.0, 1000.0, "inference", "Model calls per agent task in the anchor year"),
    "agent_steps_growth_per_year": DriverSpec(
        "Calls-per-task growth per year",
        "x/yr", 1.0, 5.0, "inference", "Yearly growth of model calls per agent task"),
    "served_active_params": DriverSpec(
        "Active parameters of served models",
        "parameters", 1e9, 2e12, "inference",
        "Token-weighted average active parameters of served models in the anchor year"),
    "served_params_growth_per_year": DriverSpec(
        "Served active parameters, change per year",
        "x/yr", 0.3, 3.0, "inference",
        "Yearly change of served active parameters (below 1: distillation, sparser MoE)"),
    "served_params_growth_history_per_year": DriverSpec(
        "Served active parameters, change per year before the anchor",
        "x/yr", 0.1, 2.0, "inference",
        "Yearly change of served active parameters before the anchor year (the back-cast)"),
    "mean_context_tokens": DriverSpec(
        "Mean attended context",
        "tokens", 100.0, 2e6, "inference",
        "Mean context attended per processed token in the anchor year"),
    "context_growth_per_year": DriverSpec(
        "Attended-context growth per year",
        "x/yr", 0.5, 5.0, "inference", "Yearly growth of the mean attended context"),
    "attention_flop_coefficient": DriverSpec(
        "Attention FLOP coefficient",
        "1/context token", 0.0, 1e-3, "inference",
        "Attention FLOP per token / (2 x active params) per context token: n_layers x d_attn / N"),
    "internal_inference_ratio": DriverSpec(
        "Internal inference per unit of R&D training",
        "ratio", 0.0, 5.0, "inference",
        "Internal inference (research automation, evals, monitoring) per unit of R&D training "
        "compute (pre-training + post-training + experiments) in the anchor year"),
    "internal_inference_growth_per_year": DriverSpec(
        "Internal-inference ratio growth per year",
        "x/yr", 0.5, 5.0, "inference",
        "Yearly growth of the internal-inference ratio (before the anchor year it shrinks at the "
        "same rate)"),
    # --- resources ---
    "training_mfu": DriverSpec(
        "Training MFU",
        "fraction", 0.05, 0.9, "resources", "Training model-FLOP utilisation of dense BF16 peak"),
    "decode_utilisation": DriverSpec(
        "Decode utilisation",
        "fraction", 0.01, 0.9, "resources",
        "Decode (output-token) utilisation of the dense BF16 peak in production serving; also "
        "the rate of batch decode work (synthetic data, internal inference)"),
    "prefill_utilisation": DriverSpec(
        "Prefill utilisation",
        "fraction", 0.05, 0.95, "resources",
        "Prefill (uncached input) utilisation of the dense BF16 peak: compute-bound, large batches"),
    "input_token_share": DriverSpec(
        "Input share of processed tokens",
        "fraction", 0.1, 0.99, "inference",
        "Share of processed tokens that are input (prompt and context) tokens"),
    "prefix_cache_hit_share": DriverSpec(
        "Prefix-cache hit share",
        "fraction", 0.0, 0.95, "inference",
        "Share of input tokens served from the prefix (KV) cache, costing no prefill compute"),
    "serving_peak_to_average": DriverSpec(
        "Serving peak-to-average ratio",
        "ratio", 1.0, 4.0, "resources",
        "Serving capacity provisioned per unit of average load (peak-hour traffic over the "
        "daily average, plus headroom)"),
    "fleet_availability": DriverSpec(
        "Fleet availability",
        "fraction", 0.2, 1.0, "resources",
        "Share of an installed accelerator's hours allocated to work (the rest: idle, "
        "maintenance, failures, ramp-up)"),
    "training_load_factor": DriverSpec(
        "Training power load",
        "fraction", 0.1, 1.2, "resources", "Board power drawn while training, as a share of TDP"),
    "serving_load_factor": DriverSpec(
        "Serving power load",
        "fraction", 0.1, 1.2, "resources", "Board power drawn while serving, as a share of TDP"),
    "server_overhead": DriverSpec(
        "Server power overhead",
        "ratio", 1.0, 4.0, "resources",
        "IT power per watt of accelerator board power (host CPUs, memory, network, storage)"),
    "pue": DriverSpec(
        "PUE",
        "ratio", 1.0, 2.5, "resources", "Power usage effectiveness of the data centre"),
    # --- supply (the installed base) and other AI work ---
    "observed_stock_position": DriverSpec(
        "Position in the installed-base range",
        "fraction", 0.0, 1.0, "supply",
        "Where the true installed base lies in the publishers' range for the observed years "
        "(0 the low end, 0.5 the central estimate, 1 the high end)"),
    "supply_growth_per_year": DriverSpec(
        "Shipment-capacity growth per year",
        "x/yr", 0.5, 5.0, "supply",
        "Growth of the accelerator shipment capacity (H100e per year) in the first year after the "
        "last observed year: advanced packaging and HBM output"),
    "supply_growth_decay_per_year": DriverSpec(
        "Excess shipment growth kept per year",
        "fraction", 0.0, 1.0, "supply",
        "Each later year keeps this share of the previous year's excess shipment growth"),
    "power_growth_cap_per_year": DriverSpec(
        "Ceiling on installed-power growth per year",
        "x/yr", 1.0, 4.0, "supply",
        "Ceiling on the growth of installed AI power (GW) per year after the last observed year: "
        "grid connections, generation and the campus pipeline"),
    "training_floor_share": DriverSpec(
        "Labs' R&D floor share of the stock",
        "fraction", 0.0, 1.0, "supply",
        "Allocation rule when demand exceeds the stock: share of the stock guaranteed to the labs' "
        "R&D (training and internal inference)"),
    "other_ai_share_of_stock": DriverSpec(
        "Other-AI share of the installed base",
        "fraction", 0.0, 0.95, "supply",
        "Share of the installed base (in H100e) running non-generative AI (recommendation, "
        "ranking, vision, enterprise ML) in the reference year (settings.other_ai_reference_year)"),
    "other_ai_growth_per_year": DriverSpec(
        "Other-AI growth per year",
        "x/yr", 0.5, 5.0, "supply", "Yearly growth of the non-generative AI work"),
    "other_ai_inference_share": DriverSpec(
        "Inference share of other AI",
        "fraction", 0.0, 1.0, "supply",
        "Inference share of the non-generative AI work (recommendation and ranking serve every request)"),
    # --- spend ---
    "usd_per_h100e_hour": DriverSpec(
        "Price per H100e-hour",
        "USD/h", 0.1, 50.0, "spend",
        "Price of one H100-equivalent hour in the as-of year (rental basis)",
        used_when="spend_basis == 'rental'"),
    "training_price_ratio": DriverSpec(
        "Training price vs listed price",
        "ratio", 0.2, 1.5, "spend",
        "Price of a training H100e-hour (multi-year contracts, owned campuses) per listed on-demand price"),
    "serving_price_ratio": DriverSpec(
        "Serving price vs listed price",
        "ratio", 0.2, 1.5, "spend",
        "Price of a serving H100e-hour per listed on-demand price"),
    "hardware_cost_efficiency_growth_per_year": DriverSpec(
        "FLOP/s-per-dollar growth per year",
        "x/yr", 1.0, 3.0, "spend",
        "Yearly growth of FLOP/s per dollar: the price of an H100-equivalent hour falls by it"),
    "capex_usd_per_h100e": DriverSpec(
        "Capex per H100e",
        "USD", 5e3, 2e5, "spend",
        "All-in capital cost per H100-equivalent installed in the as-of year (TCO basis)",
        used_when="spend_basis == 'tco'"),
    "amortisation_years": DriverSpec(
        "Amortisation period",
        "years", 1.0, 10.0, "spend", "Amortisation period of accelerator capex (TCO basis)",
        used_when="spend_basis == 'tco'"),
    "electricity_usd_per_kwh": DriverSpec(
        "Electricity price",
        "USD/kWh", 0.01, 0.5, "spend", "Electricity price (TCO basis)",
        used_when="spend_basis == 'tco'"),
    # --- capex by layer (models/capex.py) ---
    "it_capex_usd_per_gw": DriverSpec(
        "IT capex per GW",
        "USD/GW", 1e9, 2e11, "capex",
        "IT capex per GW of facility power added, in settings.capex_reference_year: accelerators "
        "with their HBM, host servers and storage, networking"),
    "it_capex_growth_per_year": DriverSpec(
        "IT capex per GW, change per year",
        "x/yr", 0.7, 1.5, "capex",
        "Yearly change of IT capex per GW after the reference year (each generation packs more "
        "silicon and memory into a watt)"),
    "facility_capex_usd_per_gw": DriverSpec(
        "Facility capex per GW",
        "USD/GW", 1e9, 1e11, "capex",
        "Power, cooling and building capex per GW of facility power added (real terms)"),
}


def driver_label(name: str) -> str:
    """The reader's label of driver ``name`` ('training_mfu' -> 'Training MFU'); KeyError for a name
    not in the registry."""
    spec = DRIVERS.get(name)
    if spec is None:
        raise KeyError(f"{name!r}: {unknown_driver(name)}")
    return spec.label


def did_you_mean(name: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to a misspelt ``name``, else ''."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_driver(name: str) -> str:
    """The message for a driver name not in the registry, with the closest registered name."""
    return "unknown driver" + did_you_mean(name, DRIVERS)
