"""Capital spending on AI compute, by layer: what the installed stock's purchases cost to build.

Per year and draw, from the stock the engine carries (:mod:`models.supply`):

    purchased H100e  = stock(y) - stock(y-1) x (1 - 1/life)         (never below zero)
    added GW         = purchased H100e x board W per H100e x server overhead x PUE
    IT capex         = added GW x it_capex_usd_per_gw
                       x it_capex_growth_per_year ** (y - reference year)
    facility capex   = added GW x facility_capex_usd_per_gw         (constant in real terms)

Capex is counted per GW added because that is how the industry quotes it (Bernstein ~$35B per
GW for GB200 racks, NVIDIA $50-60B for Blackwell and Rubin): a chip generation's price rises with
its performance, so IT content per GW holds or rises while the price per H100e falls. IT capex
(accelerators, their HBM, host servers and storage, networking) may grow per GW
(``it_capex_growth_per_year``: each generation packs more silicon and memory into a watt);
facility capex (power and cooling, buildings) per GW is held in real terms. The layers inside a
group split it by the published shares of :data:`LAYERS` (point values: the ranges carry the
uncertainty of the totals, not of the shares), so the IT layers grow together, faster than the
facility layers when IT content per GW rises.

The first year with a purchase figure is the year after the first observed stock year (the
stock before it has no observation to difference against).

Plain Python: arrays in, arrays out.
"""

from dataclasses import dataclass

import numpy as np

from models import resources

BERNSTEIN_GW_COST = (
    "Bernstein (S. Rasgon) via Investing.com, How much does a GW of data center capacity actually "
    "cost? (~$35B per GW; GB200 NVL72 rack ~$5.9M: $3.4M compute hardware, $2.5M physical "
    "infrastructure; GPUs 39%, networking ~13%, CPUs ~3%, storage ~1-1.5%, mechanical and "
    "electrical ~1/3 of the total), 2025 "
    "(https://ng.investing.com/news/stock-market-news/how-much-does-a-gw-of-data-center-capacity-actually-cost-2169144)")
EPOCH_HBM = (
    "Epoch AI, AI chip component cost shares (HBM ~$32B of ~$52B AI-chip component spend in 2025; set "
    "against ~$200B of accelerator revenue that year, HBM is ~15% of an accelerator's price, 10% of IT "
    "capex), May 2026 (https://epoch.ai/data-insights/ai-chip-component-cost-shares)")


@dataclass(frozen=True)
class Layer:
    name: str  # bucket name in model.demand
    label: str
    group: str  # "it" (per H100e bought) or "facility" (per GW added)
    share_of_group: float
    basis: str


# Shares of the group's capex. IT: Bernstein's $3.4M of compute hardware per rack is GPUs 39 +
# networking 13 + CPUs 3 + storage/other ~3 points of the $5.9M total (= 58%): GPUs 67% of IT,
# networking 22%, host and storage 11%; HBM is ~15% of an accelerator's price (Epoch AI's ~$32B
# HBM spend in 2025 against ~$200B of accelerator revenue the same year), so memory = 10% of IT
# and accelerators ex-HBM 57%. Facility: mechanical and electrical ~1/3 of the total of the 42%
# physical infrastructure: power and cooling 79%, buildings, land and the rest 21%.
LAYERS: tuple[Layer, ...] = (
    Layer("capex_accelerators", "Accelerators (logic, packaging, vendor margin)", "it", 0.57, BERNSTEIN_GW_COST),
    Layer("capex_memory", "Memory (HBM)", "it", 0.10, EPOCH_HBM),
    Layer("capex_networking", "Networking (switches, NICs, optics, cables)", "it", 0.22, BERNSTEIN_GW_COST),
    Layer("capex_servers", "Host servers and storage", "it", 0.11, BERNSTEIN_GW_COST),
    Layer("capex_power_cooling", "Power and cooling (electrical, mechanical)", "facility", 0.79, BERNSTEIN_GW_COST),
    Layer("capex_buildings", "Buildings, land and site", "facility", 0.21, BERNSTEIN_GW_COST),
)
LAYER_BUCKETS = tuple(layer.name for layer in LAYERS)
TOTAL_BUCKET = "capex_total"
CAPEX_UNIT = "capex_usd"


def _check_shares() -> None:
    for group in ("it", "facility"):
        total = sum(layer.share_of_group for layer in LAYERS if layer.group == group)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"capex layer shares of group {group!r} sum to {total}, not 1")


_check_shares()


@dataclass
class Capex:
    """Per (years, draws): purchases, power added and capex by layer (USD). ``start`` is the index of
    the first year with a purchase figure; earlier columns are NaN."""

    purchased_h100e: np.ndarray
    added_gw: np.ndarray
    it_usd: np.ndarray
    facility_usd: np.ndarray
    start: int

    @property
    def total_usd(self) -> np.ndarray:
        return self.it_usd + self.facility_usd

    def layer(self, name: str) -> np.ndarray:
        for layer in LAYERS:
            if layer.name == name:
                base = self.it_usd if layer.group == "it" else self.facility_usd
                return base * layer.share_of_group
        raise KeyError(name)


def first_purchase_index(years: np.ndarray, observed_years) -> int:
    """Index of the first year with a purchase figure: the year after the first observed stock year
    (the first modelled year's successor when nothing is observed)."""
    years = np.asarray(years)
    observed = sorted(int(y) for y in observed_years)
    first = observed[0] + 1 if observed else int(years[0]) + 1
    return int(min(np.searchsorted(years, first), len(years)))


def capex_paths(years: np.ndarray, stock_h100e: np.ndarray, w_per_h100e: np.ndarray, d: dict,
                life_years: float, reference_year: int, start: int) -> Capex:
    """Purchases, power added and IT/facility capex per (year, draw) (formulas: module docstring)."""
    years = np.asarray(years, dtype=float)
    survivors = np.empty_like(stock_h100e)
    survivors[0] = np.nan
    survivors[1:] = stock_h100e[:-1] * (1.0 - 1.0 / life_years)
    purchased = np.maximum(stock_h100e - survivors, 0.0)
    purchased[:start] = np.nan
    added_gw = resources.h100e_to_gw(purchased, w_per_h100e, d["server_overhead"], d["pue"])
    k = (years - reference_year)[:, None]
    it_per_gw = d["it_capex_usd_per_gw"][None, :] * d["it_capex_growth_per_year"][None, :] ** k
    return Capex(purchased, added_gw, added_gw * it_per_gw,
                 added_gw * d["facility_capex_usd_per_gw"][None, :], start)
