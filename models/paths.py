"""The per-draw paths: :func:`simulate` turns the drawn driver arrays into served FLOP,
accelerator-hours and tokens per bucket, the installed stock and the other AI work on it, every
array shaped (years, draws), with no Python loop over draws; :class:`Paths` states them in every
reported unit.

Units: ``flop``, ``accelerator_hours`` (fleet-average chips), ``h100e`` (installed
H100-equivalents), ``gw`` (installed power capacity incl. host and cooling), ``twh`` (energy
used), ``usd`` (spend) and ``tokens`` (inference buckets only).
"""

from dataclasses import dataclass, field

import numpy as np

from models import capex, inference, resources, supply, training, units
from models.buckets import BUCKETS, SERVING_BUCKETS, TRAINING_BUCKETS, TRAINING_SHAPED
from models.context import Context


@dataclass
class Paths:
    """Served FLOP, accelerator-hours and tokens per generative bucket, (years, draws), the
    non-generative AI work and the installed stock, plus the draws themselves.

    ``flop``/``hours``/``tokens`` are what the fleet serves (demand x the bucket's served
    fraction); ``demand_hours`` is the generative demand before allocation.
    """

    ctx: Context
    d: dict[str, np.ndarray]
    flop: dict[str, np.ndarray]
    hours: dict[str, np.ndarray]
    tokens: dict[str, np.ndarray]
    demand_hours: dict[str, np.ndarray]
    served: dict[str, np.ndarray]  # per bucket, share of its demand served (1 = all)
    other_hours: dict[str, np.ndarray]  # other_ai training / inference accelerator-hours
    stock_h100e: np.ndarray  # installed H100e (observed years: the shipment-based stock)
    demand_h100e: np.ndarray  # installed H100e the generative + other AI demand would need
    served_fraction: np.ndarray  # served / demand, all generative buckets
    _price_cache: dict = field(default_factory=dict)

    def _price(self, side: str) -> np.ndarray:
        if side not in self._price_cache:
            c, d = self.ctx, self.d
            k = (c.years - c.as_of.year)[:, None].astype(float)
            decline = d["hardware_cost_efficiency_growth_per_year"][None, :] ** (-k)
            index = np.where(np.isnan(c.price_index)[:, None], decline, c.price_index[:, None])
            if c.settings.spend_basis == "rental":
                base = d["usd_per_h100e_hour"][None, :] * index
            else:
                per_hour = d["capex_usd_per_h100e"] / units.installed_to_hours(
                    d["amortisation_years"], d["fleet_availability"])
                base = per_hour[None, :] * decline
            ratio = d["training_price_ratio"] if side == "training" else d["serving_price_ratio"]
            self._price_cache[side] = base * ratio[None, :]
        return self._price_cache[side]

    def _hours(self, bucket: str) -> np.ndarray:
        if bucket in self.hours:
            return self.hours[bucket]
        if bucket in self.other_hours:
            return self.other_hours[bucket]
        raise KeyError(bucket)

    def unit(self, bucket: str, unit: str) -> np.ndarray:
        """One bucket in one unit, (years, draws). Buckets: the eight generative ones,
        ``other_ai_training``, ``other_ai_inference`` and ``idle_or_ramping`` (h100e, gw only)."""
        d, c = self.d, self.ctx
        if bucket == "idle_or_ramping":
            idle = self.idle_h100e()
            if unit == "h100e":
                return idle
            if unit == "gw":
                return resources.h100e_to_gw(idle, c.w_per_h100e, d["server_overhead"], d["pue"])
            return np.zeros_like(idle)
        if unit == "flop":
            if bucket in self.flop:
                return self.flop[bucket]
            raise KeyError(f"{bucket}: no FLOP for non-generative work")
        if unit == "tokens":
            return self.tokens[bucket]
        h = self._hours(bucket)
        if unit == "accelerator_hours":
            return h
        if unit == "h100e":
            return self.installed_h100e(h)
        if unit == "gw":
            return resources.h100e_to_gw(self.installed_h100e(h), c.w_per_h100e, d["server_overhead"], d["pue"])
        training_shaped = bucket in TRAINING_SHAPED or bucket == "other_ai_training"
        load = d["training_load_factor"] if training_shaped else d["serving_load_factor"]
        if unit == "twh":
            return resources.energy_twh(h, c.board_w, load, d["server_overhead"], d["pue"])
        if unit == "usd":
            side = "training" if bucket in TRAINING_BUCKETS or bucket == "other_ai_training" else "inference"
            spend = h * c.h100e_per_chip[:, None] * self._price(side)
            if c.settings.spend_basis == "tco":
                kwh = units.twh_to_kwh(resources.energy_twh(h, c.board_w, load, d["server_overhead"], d["pue"]))
                spend = spend + kwh * d["electricity_usd_per_kwh"][None, :]
            return spend
        raise KeyError(unit)

    def installed_h100e(self, hours: np.ndarray) -> np.ndarray:
        """Installed H100e that deliver ``hours`` accelerator-hours a year, (years, draws)."""
        return resources.installed(hours, self.d["fleet_availability"]) * self.ctx.h100e_per_chip[:, None]

    def used_h100e(self) -> np.ndarray:
        """Installed H100e allocated to work (generative served + other AI), (years, draws)."""
        hours = sum(self.hours.values()) + sum(self.other_hours.values())
        return self.installed_h100e(hours)

    def idle_h100e(self) -> np.ndarray:
        return np.maximum(self.stock_h100e - self.used_h100e(), 0.0)

    def utilisation(self) -> np.ndarray:
        """Allocated / installed H100e (above 1: the demand needs more than the stock holds)."""
        return self.used_h100e() / self.stock_h100e

    def capex(self) -> capex.Capex:
        """Purchases, power added and capex by layer, (years, draws) (:mod:`models.capex`)."""
        if "capex" not in self._price_cache:
            c = self.ctx
            start = capex.first_purchase_index(c.years, c.supply["year"] if len(c.supply) else [])
            self._price_cache["capex"] = capex.capex_paths(
                c.years, self.stock_h100e, c.w_per_h100e, self.d, c.settings.retirement_life_years,
                c.settings.capex_reference_year, start)
        return self._price_cache["capex"]

    def side_buckets(self, scope: str = "generative") -> tuple[list[str], list[str]]:
        sides = self.ctx.sides
        tr = [b for b in BUCKETS if sides[b] == "training"]
        inf = [b for b in BUCKETS if sides[b] == "inference"]
        if scope == "all_ai":
            return tr + ["other_ai_training"], inf + ["other_ai_inference"]
        if scope != "generative":
            raise KeyError(scope)
        return tr, inf

    def side_totals(self, unit: str, scope: str = "generative") -> tuple[np.ndarray, np.ndarray]:
        """(training, inference) totals in ``unit``, (years, draws) each."""
        tr_b, inf_b = self.side_buckets(scope)
        return sum(self.unit(b, unit) for b in tr_b), sum(self.unit(b, unit) for b in inf_b)

    def inference_share(self, unit: str, scope: str = "generative") -> np.ndarray:
        tr, inf = self.side_totals(unit, scope)
        return inf / (tr + inf)

    def subset(self, idx: np.ndarray) -> "Paths":
        """The paths of the draws ``idx`` (e.g. a calibrated resample)."""
        def take(table):
            return {k: v[:, idx] for k, v in table.items()}
        return Paths(self.ctx, {k: v[idx] for k, v in self.d.items()}, take(self.flop),
                     take(self.hours), take(self.tokens), take(self.demand_hours), take(self.served),
                     take(self.other_hours), self.stock_h100e[:, idx], self.demand_h100e[:, idx],
                     self.served_fraction[:, idx])


def _serving_hours_per_flop(ctx: Context, d: dict) -> tuple[np.ndarray, np.ndarray]:
    """Accelerator-hours per FLOP of external serving, (years, draws), and the share of processed
    tokens that cost compute. Prefill of uncached input runs at ``prefill_utilisation``, decode at
    ``decode_utilisation`` (both of the dense BF16 peak, the basis their sources use); capacity
    is provisioned for the peak hour (``serving_peak_to_average``)."""
    inp, hit = d["input_token_share"], d["prefix_cache_hit_share"]
    prefill = inp * (1.0 - hit)
    decode = 1.0 - inp
    computed = prefill + decode
    per_flop = (prefill / d["prefill_utilisation"] + decode / d["decode_utilisation"]) / computed
    per_flop = per_flop * d["serving_peak_to_average"]
    hours = per_flop[None, :] / units.per_second_to_per_hour(ctx.train_peak[:, None])
    return hours, computed


def simulate(ctx: Context, d: dict[str, np.ndarray]) -> Paths:
    """Generative demand per bucket, the installed stock and the allocation, for every year and
    draw (formulas: the module docstrings of training, inference, resources and supply)."""
    st = ctx.settings
    years = ctx.years
    frontier = training.frontier_path(years, ctx.train_anchor_year, ctx.frontier_level,
                                      ctx.hist_growth, d["frontier_growth_per_year"])
    post = training.post_training_share(years, d["post_training_share_2024"],
                                        d["post_training_share_gain_per_year"], st.post_training_share_cap)
    runs = training.run_equivalents_path(years, ctx.train_anchor_year, d["largest_run_equivalents"],
                                         d["largest_run_equivalents_change_per_year"])
    flop = training.training_buckets(frontier, runs, post, d["rd_to_final_ratio"],
                                     d["synthetic_data_ratio"])
    rd = sum(flop[b] for b in TRAINING_SHAPED)  # R&D training compute

    A = ctx.token_anchor.anchor_year
    mix = inference.query_mix(years, A, d, st.agent_share_cap)
    tpq_anchor = sum(inference.query_mix([A], A, d, st.agent_share_cap).values())[0]
    served_tok = inference.served_tokens(years, ctx.token_anchor, d, mix, tpq_anchor,
                                         ctx.token_levels)
    fpt = inference.flop_per_token(years, A, d, st.max_served_active_params)
    internal = inference.internal_ratio_path(years, A, d["internal_inference_ratio"],
                                             d["internal_inference_growth_per_year"])
    serve_hpf, computed = _serving_hours_per_flop(ctx, d)
    inf_flop, tokens = inference.inference_buckets(served_tok, mix, fpt * computed[None, :], rd, internal)
    flop.update(inf_flop)

    hours = {}
    for b in BUCKETS:
        if b in TRAINING_SHAPED:
            hours[b] = resources.accelerator_hours(flop[b], ctx.train_peak, d["training_mfu"])
        elif b in SERVING_BUCKETS:
            hours[b] = flop[b] * serve_hpf
        else:  # synthetic data, internal inference: batch decode, no peak provisioning
            hours[b] = resources.accelerator_hours(flop[b], ctx.train_peak, d["decode_utilisation"])

    result = supply.allocate(
        years, hours, ctx.sides, SERVING_BUCKETS, ctx.h100e_per_chip, ctx.w_per_h100e,
        ctx.supply, ctx.usage_observed_through, d, st.retirement_life_years,
        d["training_floor_share"], st.other_ai_reference_year)
    served_flop = {b: flop[b] * result.served[b] for b in BUCKETS}
    served_hours = {b: hours[b] * result.served[b] for b in BUCKETS}
    served_tokens = {b: tokens[b] * result.served[b] for b in tokens}
    return Paths(ctx, d, served_flop, served_hours, served_tokens, hours, result.served,
                 result.other_hours, result.stock_h100e, result.demand_h100e, result.served_fraction)
