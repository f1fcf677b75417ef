"""Inference demand: observed served tokens from ``fct_token_volumes``, projected by drivers.

Observed volume (the anchor)
    Usable rows: metric in ``token_accounting.usable_metrics`` (peaks and words are not volumes),
    provider not excluded (OpenRouter routes other providers' tokens), not counted inside an
    aggregate that is itself usable (ByteDance and DeepSeek inside China's national figure), and,
    where a provider discloses a broad series, not one of its narrower series (Google's API-only
    counts beside its all-products counts). Each provider's latest row (by period mid-date) is
    carried forward to the anchor date t0 (the latest mid-date) at the historical token growth;
    providers staler than ``max_staleness_years`` are left out. Global tokens/day at t0 =
    sum / ``disclosed_coverage``.

Projection (never multiplies observed volumes again)
    Disclosed counts already include reasoning and agent tokens, so the drivers move only the
    *growth* from the anchor year A (the year of t0): tokens(y) = tokens(A) x Q(y)/Q(A) x
    tpq(y)/tpq(A), with queries growing at ``query_growth_per_year`` and tokens per query (relative
    to a plain chat query)

        tpq = (1 - a)(1 - r)  +  (1 - a) r M  +  a S ((1 - r) + r M)
              serving_chat       serving_reasoning   serving_agents

    r: reasoning share of queries, 1 - (1 - r0)(1 - c)**(y - A); M: reasoning-token multiplier,
    M0 m**(y - A); a: agent share of queries, min(a0 g**(y - A), cap); S: model calls per agent
    task, S0 s**(y - A). Before A, total tokens are back-cast at ``token_growth_history_per_year``
    (the same drivers only split them into buckets). Annual tokens = 365.25 x mid-year tokens/day.

FLOP per token
    2 x N(y) x (1 + k_attn x context(y)), N = served active parameters (changing at
    ``served_params_growth_per_year`` after A and at ``served_params_growth_history_per_year``
    before it: served models moved from large dense to MoE and distilled models), k_attn =
    n_layers x d_attn / N (the attention term of Kaplan et al. 2020), context = mean attended
    context.

Internal inference
    ``internal_inference_ratio`` x ``internal_inference_growth_per_year`` ** (y - A) x R&D training
    compute (pre-training + post-training + experiments).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.config import TokenAccounting
from models.inputs import decimal_year, to_date
from models.units import tokens_per_day_to_per_year

ACCOUNTING_COLUMNS = ["disclosure_id", "provider", "scope", "metric", "period_start", "period_end",
                      "disclosed_on", "mid_year", "tokens_per_day", "status", "reason"]


def token_accounting(token_volumes: pd.DataFrame, accounting: TokenAccounting) -> pd.DataFrame:
    """Every disclosed row with its status: ``series`` (usable), or ``excluded`` and why.

    ``token_volumes`` must already be cut at the as-of date.
    """
    tv = token_volumes.copy()
    mid = tv["period_start"] + (tv["period_end"] - tv["period_start"]) / 2
    tv["mid_year"] = decimal_year(mid.fillna(tv["period_end"]))
    tv["status"] = "series"
    tv["reason"] = ""

    def exclude(mask, reason):
        mask = mask & (tv["status"] == "series")
        tv.loc[mask, "status"] = "excluded"
        tv.loc[mask, "reason"] = reason

    usable = set(accounting.usable_metrics)
    exclude(~tv["metric"].isin(usable),
            "metric is not a served volume (peaks and words are not token counts)")
    exclude(~(tv["tokens_per_day"] > 0), "no token rate")
    for provider, why in accounting.exclude_providers.items():
        exclude(tv["provider"] == provider, f"provider excluded: {why}")
    live = tv[tv["status"] == "series"]
    for provider, aggregate in accounting.contained_in.items():
        if (live["provider"] == aggregate).any():
            exclude(tv["provider"] == provider, f"counted inside {aggregate}")
    for provider, needle in accounting.preferred_scope.items():
        broad = tv["scope"].fillna("").str.contains(needle, case=False, regex=False)
        mine = tv["provider"] == provider
        if (mine & broad & (tv["status"] == "series")).any():
            exclude(mine & ~broad, f"narrower scope than the provider's '{needle}' series")
    cols = [c for c in ACCOUNTING_COLUMNS if c in tv.columns]
    return tv[cols].sort_values(["provider", "mid_year", "disclosure_id"]).reset_index(drop=True)


@dataclass(frozen=True)
class TokenAnchor:
    """The observed starting point of the inference projection."""

    has_data: bool
    t0: float  # decimal year of the anchor date
    providers: tuple[str, ...]
    levels: np.ndarray  # tokens/day at each provider's latest usable row
    lags: np.ndarray  # years from that row to t0 (>= 0)

    @property
    def anchor_year(self) -> int:
        return int(np.floor(self.t0))

    def disclosed_tokens_per_day(self, history_growth) -> np.ndarray:
        """Sum over providers of their latest level carried to t0, per draw."""
        g = np.asarray(history_growth, dtype=float)
        if not self.has_data:
            return np.zeros_like(g)
        return (self.levels[:, None] * g[None, :] ** self.lags[:, None]).sum(axis=0)


def token_anchor(table: pd.DataFrame, as_of,
                 max_staleness_years: float = 1.0) -> tuple[TokenAnchor, pd.DataFrame]:
    """The anchor from an accounting table; returns it and the table with anchor rows marked."""
    table = table.copy()
    series = table[table["status"] == "series"]
    if series.empty:
        t_asof = float(decimal_year([pd.Timestamp(to_date(as_of))])[0])
        return TokenAnchor(False, t_asof, (), np.zeros(0), np.zeros(0)), table
    latest = series.sort_values(["mid_year", "disclosure_id"]).groupby("provider").tail(1)
    t0 = float(latest["mid_year"].max())
    stale = (t0 - latest["mid_year"]) > max_staleness_years
    for idx in latest.index[stale]:
        table.loc[idx, "reason"] = f"stale: more than {max_staleness_years:g} years before the anchor date"
    keep = latest[~stale]
    table.loc[keep.index, "status"] = "anchor"
    return TokenAnchor(True, t0, tuple(keep["provider"]), keep["tokens_per_day"].to_numpy(float),
                       (t0 - keep["mid_year"]).to_numpy(float)), table


def provider_growth(table: pd.DataFrame, min_span_years: float = 0.25) -> pd.DataFrame:
    """Observed growth per provider between its first and last usable row (an indicator to set
    beside the drivers, not an input to them)."""
    rows = []
    usable = table[table["status"].isin(["series", "anchor"])]
    for provider, g in usable.groupby("provider"):
        g = g.sort_values("mid_year")
        first, last = g.iloc[0], g.iloc[-1]
        span = float(last["mid_year"] - first["mid_year"])
        growth = np.nan
        if span >= min_span_years:
            growth = (last["tokens_per_day"] / first["tokens_per_day"]) ** (1 / span)
        rows.append({"provider": provider, "rows": len(g), "first_mid_year": first["mid_year"],
                     "last_mid_year": last["mid_year"], "first_tokens_per_day": first["tokens_per_day"],
                     "last_tokens_per_day": last["tokens_per_day"], "growth_per_year": growth})
    return pd.DataFrame(rows, columns=["provider", "rows", "first_mid_year", "last_mid_year",
                                       "first_tokens_per_day", "last_tokens_per_day", "growth_per_year"])


def _k(years, anchor_year) -> np.ndarray:
    return (np.asarray(years) - anchor_year)[:, None].astype(float)


def query_mix(years, anchor_year: int, d: dict, agent_cap: float) -> dict[str, np.ndarray]:
    """Relative tokens per query by bucket, (years, draws); their sum is tokens per query."""
    k = _k(years, anchor_year)
    r0 = d["reasoning_share_anchor"][None, :]
    conv = d["reasoning_conversion_per_year"][None, :]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        r = np.clip(1.0 - (1.0 - r0) * (1.0 - conv) ** k, 0.0, 1.0)
    r = np.nan_to_num(r, nan=0.0)
    m = d["reasoning_token_multiplier"][None, :] * d["reasoning_multiplier_growth_per_year"][None, :] ** k
    a = np.minimum(d["agent_share_anchor"][None, :] * d["agent_share_growth_per_year"][None, :] ** k,
                   agent_cap)
    s = d["agent_steps_per_task"][None, :] * d["agent_steps_growth_per_year"][None, :] ** k
    per_call = (1.0 - r) + r * m
    return {
        "serving_chat": (1.0 - a) * (1.0 - r),
        "serving_reasoning": (1.0 - a) * r * m,
        "serving_agents": a * s * per_call,
    }


def flop_per_token(years, anchor_year: int, d: dict, max_params: float = np.inf) -> np.ndarray:
    """2 x N_active x (1 + attention overhead at the mean context), (years, draws);
    N_active is capped at ``max_params``."""
    k = _k(years, anchor_year)
    change = np.where(k > 0, d["served_params_growth_per_year"][None, :],
                      d["served_params_growth_history_per_year"][None, :])
    n = np.minimum(d["served_active_params"][None, :] * change ** k, max_params)
    ctx = d["mean_context_tokens"][None, :] * d["context_growth_per_year"][None, :] ** k
    return 2.0 * n * (1.0 + d["attention_flop_coefficient"][None, :] * ctx)


TOKEN_LEVEL_COLUMNS = ["year", "disclosed_tokens_per_day", "providers", "basis"]


def token_levels(table: pd.DataFrame, as_of, window_years: float = 3.0,
                 growth_bounds: tuple[float, float] = (1.0, 10.0)) -> pd.DataFrame:
    """Observed disclosed tokens/day per calendar year (at mid-year), from per-provider series.

    Each provider's usable rows from the last ``window_years`` before ``as_of`` (where it discloses
    several series on one date, the broadest, i.e. the largest, counts) give a log-linear path
    through its observations; before its first and after its last observation the path goes on
    at the growth of its first / last segment (clamped to ``growth_bounds``; a provider with one
    row grows at the median of the others). A year's level is the sum over providers at y + 0.5,
    for every year from the first year with a disclosure in the window through the as-of year;
    the as-of year is a nowcast (``basis``), the years before it rest on disclosures.
    """
    as_of = to_date(as_of)
    t_asof = float(decimal_year([pd.Timestamp(as_of)])[0])
    usable = table[table["status"].isin(["series", "anchor"])]
    usable = usable[usable["mid_year"] >= t_asof - window_years]
    if usable.empty:
        return pd.DataFrame(columns=TOKEN_LEVEL_COLUMNS)
    lo_g, hi_g = np.log(growth_bounds[0]), np.log(growth_bounds[1])
    paths = {}
    for provider, g in usable.groupby("provider"):
        g = g.groupby("mid_year", as_index=False)["tokens_per_day"].max().sort_values("mid_year")
        t = g["mid_year"].to_numpy(float)
        v = np.log(g["tokens_per_day"].to_numpy(float))
        if len(t) >= 2:
            first = float(np.clip((v[1] - v[0]) / max(t[1] - t[0], 1e-6), lo_g, hi_g))
            last = float(np.clip((v[-1] - v[-2]) / max(t[-1] - t[-2], 1e-6), lo_g, hi_g))
        else:
            first = last = np.nan
        paths[provider] = (t, v, first, last)
    known = [p[3] for p in paths.values() if np.isfinite(p[3])]
    median = float(np.median(known)) if known else lo_g

    def level(path, at: float) -> float:
        t, v, first, last = path
        first = median if not np.isfinite(first) else first
        last = median if not np.isfinite(last) else last
        if at < t[0]:
            return float(np.exp(v[0] - first * (t[0] - at)))
        if at > t[-1]:
            return float(np.exp(v[-1] + last * (at - t[-1])))
        return float(np.exp(np.interp(at, t, v)))

    start = int(np.floor(usable["mid_year"].min()))
    rows = []
    for y in range(start, as_of.year + 1):
        total = sum(level(path, y + 0.5) for path in paths.values())
        rows.append({"year": y, "disclosed_tokens_per_day": total, "providers": len(paths),
                     "basis": "nowcast" if y == as_of.year else "disclosed"})
    return pd.DataFrame(rows, columns=TOKEN_LEVEL_COLUMNS)


def served_tokens(years, anchor: TokenAnchor, d: dict, mix: dict[str, np.ndarray],
                  tpq_anchor: np.ndarray, levels: pd.DataFrame | None = None) -> np.ndarray:
    """Global served tokens per year, (years, draws) (see module docstring).

    ``tpq_anchor``: tokens per query in the anchor year, per draw (``query_mix`` at the anchor).
    ``levels`` (from :func:`token_levels`): where given, the observed years take their fitted
    level / coverage, later years grow from the last level year with the drivers and earlier
    years are back-cast at ``token_growth_history_per_year``.
    """
    A = anchor.anchor_year
    years = np.asarray(years)
    k = _k(years, A)
    h = d["token_growth_history_per_year"]
    q = d["query_growth_per_year"]
    tpq = sum(mix.values())
    if levels is not None and len(levels):
        ly = levels["year"].to_numpy(int)
        lv = levels["disclosed_tokens_per_day"].to_numpy(float)
        last = int(ly[-1])
        li = int(np.searchsorted(years, last)) if last in set(years.tolist()) else None
        cov = np.asarray(d["disclosed_coverage"], float)[None, :]
        log_level = np.log(np.interp(np.clip(years, ly[0], ly[-1]), ly, lv))[:, None] - np.log(cov)
        if li is not None:
            tpq_last = tpq[li][None, :]
        else:
            tpq_last = np.asarray(tpq_anchor)[None, :]
        kl = (years - last)[:, None].astype(float)
        kf = (years - ly[0])[:, None].astype(float)
        forward = np.log(q)[None, :] * np.maximum(kl, 0.0) + np.log(tpq / tpq_last)
        backward = np.log(h)[None, :] * np.minimum(kf, 0.0)
        log_mid = log_level + np.where(kl > 0, forward, np.where(kf < 0, backward, 0.0))
        return tokens_per_day_to_per_year(np.exp(log_mid))
    if anchor.has_data:
        r0 = anchor.disclosed_tokens_per_day(h) / d["disclosed_coverage"]
    else:
        r0 = d["anchor_tokens_per_day_fallback"]
    log_mid_a = np.log(r0) + np.log(q) * (A + 0.5 - anchor.t0)
    forward = np.log(q)[None, :] * np.maximum(k, 0.0) + np.log(tpq / np.asarray(tpq_anchor)[None, :])
    backward = np.log(h)[None, :] * np.minimum(k, 0.0)
    log_mid = log_mid_a[None, :] + np.where(k > 0, forward, backward)
    return tokens_per_day_to_per_year(np.exp(log_mid))


def internal_ratio_path(years, anchor_year: int, ratio, growth) -> np.ndarray:
    """Internal inference per unit of R&D training compute, (years, draws)."""
    k = _k(years, anchor_year)
    return np.asarray(ratio)[None, :] * np.asarray(growth)[None, :] ** k


def inference_buckets(tokens: np.ndarray, mix: dict[str, np.ndarray], fpt: np.ndarray,
                      rd_training_flop: np.ndarray, internal_ratio: np.ndarray) -> tuple[dict, dict]:
    """FLOP and tokens per inference bucket, (years, draws) each; ``internal_ratio`` is
    (years, draws) from :func:`internal_ratio_path`."""
    tpq = sum(mix.values())
    tok = {name: tokens * (part / tpq) for name, part in mix.items()}
    flop = {name: t * fpt for name, t in tok.items()}
    flop["internal_inference"] = rd_training_flop * internal_ratio
    tok["internal_inference"] = flop["internal_inference"] / fpt
    return flop, tok
