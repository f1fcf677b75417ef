"""Driver distributions: lognormal and triangular inverse CDFs, and the mixture driver."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.config import ScenarioError, load_scenario
from models.distributions import Lognormal, Mixture, Triangular
from models.stats import norm_cdf
from tests.models.scenario_files import write_scenario


def _mixture(*components, basis="assumption"):
    return Mixture.model_validate({
        "dist": "mixture", "unit": "x/yr", "basis": basis,
        "components": [{"basis": "assumption", **c} for c in components]})


FRONTIER_MIXTURE = {
    "dist": "mixture", "unit": "x/yr", "basis": "fit: frontier trend, DOMAIN.md and a power-limited view",
    "note": "three views of frontier growth",
    "components": [
        {"name": "trend_fit", "weight": 0.5, "p10": 4.3, "p90": 5.2, "fit": "frontier_trend",
         "basis": "fit: log10 training FLOP of the top-10 runs per year"},
        {"name": "published", "weight": 0.3, "p10": 4.3, "p90": 5.2,
         "basis": "DOMAIN.md: Epoch 4.7x/yr since 2010"},
        {"name": "power_limited", "weight": 0.2, "p10": 2.0, "p90": 3.5, "basis": "assumption"},
    ],
}



def _mixture_cdf(m: Mixture, x):
    """The mixture CDF at x > 0: the components' lognormal CDFs, weighted."""
    logx = np.log(np.asarray(x, dtype=float))
    return sum(c.weight * norm_cdf((logx - c.mu) / c.sigma) for c in m.components)


@settings(deadline=None, max_examples=50)
@given(p10=st.floats(0.01, 100), ratio=st.floats(1.01, 50))
def test_lognormal_ppf_hits_its_p10_and_p90(p10, ratio):
    d = Lognormal(dist="lognormal", p10=p10, p90=p10 * ratio, unit="x", basis="assumption")
    q = d.ppf(np.array([0.1, 0.5, 0.9]))
    assert q[0] == pytest.approx(p10, rel=1e-6)
    assert q[2] == pytest.approx(p10 * ratio, rel=1e-6)
    assert q[1] == pytest.approx(np.sqrt(p10 * p10 * ratio), rel=1e-6)


@settings(deadline=None, max_examples=50)
@given(low=st.floats(-10, 10), a=st.floats(0, 5), b=st.floats(0.01, 5))
def test_triangular_ppf_stays_in_support_and_is_monotone(low, a, b):
    d = Triangular(dist="triangular", low=low, mode=low + a, high=low + a + b, unit="x",
                   basis="assumption")
    u = np.linspace(0, 1, 101)
    q = d.ppf(u)
    assert q[0] == pytest.approx(low) and q[-1] == pytest.approx(low + a + b)
    assert np.all(np.diff(q) >= -1e-12)
    # the CDF at the mode is (mode - low) / (high - low)
    assert d.ppf(np.array([a / (a + b)]))[0] == pytest.approx(low + a, abs=1e-9)


# ------------------------------------------------------------------ the mixture driver


def test_mixture_quantiles_match_a_brute_force_sample():
    m = Mixture.model_validate(FRONTIER_MIXTURE)
    rng = np.random.default_rng(11)
    n = 400_000
    pick = rng.choice(3, size=n, p=[c.weight for c in m.components])
    mu = np.array([c.mu for c in m.components])[pick]
    sigma = np.array([c.sigma for c in m.components])[pick]
    sample = np.exp(mu + sigma * rng.standard_normal(n))
    expected = np.quantile(sample, [0.1, 0.5, 0.9])
    assert m.quantiles() == pytest.approx(tuple(expected), rel=0.01)
    assert _mixture_cdf(m, np.array(m.quantiles())) == pytest.approx([0.1, 0.5, 0.9], abs=1e-4)
    assert m.kind == "fitted" and [c.kind for c in m.components] == ["fitted", "sourced", "assumption"]
    x = m.ppf(np.random.default_rng(0).random(100_000))
    assert x.shape == (100_000,) and np.isfinite(x).all()


def test_one_component_mixture_is_its_lognormal():
    m = _mixture({"name": "only", "weight": 1.0, "p10": 2.0, "p90": 8.0})
    ln = Lognormal(dist="lognormal", p10=2.0, p90=8.0, unit="x/yr", basis="assumption")
    u = np.array([1e-12, 1e-6, 0.1, 0.3, 0.5, 0.9, 0.999, 1 - 1e-12])
    assert m.ppf(u) == pytest.approx(ln.ppf(u), rel=1e-5)
    assert m.quantiles() == pytest.approx(ln.quantiles(), rel=1e-5)


@settings(deadline=None, max_examples=40)
@given(comps=st.lists(st.tuples(st.floats(0.05, 1.0), st.floats(0.1, 100.0), st.floats(1.01, 20.0)),
                      min_size=1, max_size=4))
def test_mixture_ppf_is_monotone_and_inverts_the_cdf(comps):
    total = sum(w for w, _, _ in comps)
    m = _mixture(*({"name": f"c{i}", "weight": w / total, "p10": p10, "p90": p10 * r}
                   for i, (w, p10, r) in enumerate(comps)))
    u = np.linspace(1e-6, 1 - 1e-6, 2001)
    x = m.ppf(u)
    assert np.all(np.isfinite(x)) and np.all(x > 0)
    assert np.all(np.diff(x) >= 0)
    inner = (u > 1e-3) & (u < 1 - 1e-3)
    assert _mixture_cdf(m, x[inner]) == pytest.approx(u[inner], abs=2e-4)


def test_with_component_replaces_one_interval():
    m = Mixture.model_validate(FRONTIER_MIXTURE)
    fitted = m.fitted_component("frontier_trend")
    assert fitted is not None and fitted.name == "trend_fit"
    assert m.fitted_component("rental_prices") is None
    new = m.with_component("trend_fit", p10=4.0, p90=4.6)
    assert (new.component("trend_fit").p10, new.component("trend_fit").p90) == (4.0, 4.6)
    assert new.component("published") == m.component("published")
    assert m.component("trend_fit").p10 == 4.3  # the original is untouched
    assert new.quantiles()[1] < m.quantiles()[1]
    with pytest.raises(KeyError, match="no component 'nope'"):
        m.with_component("nope", p10=1.0)
    with pytest.raises(ValueError, match="p10 .* must be below p90"):
        m.with_component("trend_fit", p10=5.0, p90=4.0)


def test_bundled_base_accepts_a_mixture_driver(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, {"drivers": {"frontier_growth_per_year": FRONTIER_MIXTURE}}))
    d = scenario.drivers["frontier_growth_per_year"]
    assert isinstance(d, Mixture) and d.dist == "mixture"
    # it can still be correlated
    assert any("frontier_growth_per_year" in f.loadings for f in scenario.correlations.factors.values())


def _with_components(**changes):
    data = {**FRONTIER_MIXTURE, "components": [dict(c) for c in FRONTIER_MIXTURE["components"]]}
    for key, value in changes.items():  # c<index>_<field>=value
        index, field = key.split("_", 1)
        data["components"][int(index[1:])][field] = value
    return data


@pytest.mark.parametrize("driver, needles", [
    (_with_components(c2_weight=0.1),
     ["user.yaml", "drivers.frontier_growth_per_year:", "mixture weights must sum to 1",
      "0.9", "power_limited 0.1"]),
    (_with_components(c1_weight=0.0),
     ["user.yaml", "drivers.frontier_growth_per_year.components.1.weight", "greater than 0"]),
    (_with_components(c1_p90=25.0),
     ["user.yaml", "drivers.frontier_growth_per_year.components.1.p90", "outside the allowed range",
      "[1, 20]"]),
    (_with_components(c2_p10=0.5),
     ["user.yaml", "drivers.frontier_growth_per_year.components.2.p10", "outside the allowed range"]),
    (_with_components(c0_p10=6.0),
     ["user.yaml", "drivers.frontier_growth_per_year.components.0", "p10 (6) must be below p90 (5.2)"]),
    (_with_components(c1_basis="a blog post"),
     ["user.yaml", "drivers.frontier_growth_per_year.components.1.basis", "assumption"]),
    (_with_components(c1_name="trend_fit"),
     ["user.yaml", "drivers.frontier_growth_per_year", "names must be unique", "trend_fit"]),
    (_with_components(c1_fit="frontier_trend"),
     ["user.yaml", "drivers.frontier_growth_per_year", "at most one component"]),
    (_with_components(c1_colour="red"),
     ["user.yaml", "drivers.frontier_growth_per_year.components.1.colour", "unknown key"]),
    ({**FRONTIER_MIXTURE, "components": []},
     ["user.yaml", "drivers.frontier_growth_per_year.components"]),
])
def test_bad_mixtures_name_file_driver_and_component(tmp_path, driver, needles):
    path = write_scenario(tmp_path, {"drivers": {"frontier_growth_per_year": driver}})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "mixture." not in message  # the union tag is not part of the key
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"


def test_component_fit_only_on_its_driver(tmp_path):
    mixture = {"dist": "mixture", "unit": "x/yr", "basis": "assumption", "components": [
        {"name": "a", "weight": 0.5, "p10": 1.5, "p90": 3.0, "fit": "frontier_trend", "basis": "fit: x"},
        {"name": "b", "weight": 0.5, "p10": 1.5, "p90": 3.0, "basis": "assumption"}]}
    path = write_scenario(tmp_path, {"drivers": {"query_growth_per_year": mixture}})
    with pytest.raises(ScenarioError, match=r"drivers.query_growth_per_year.components.0.fit: "
                                            r"'frontier_trend' only fits frontier_growth_per_year"):
        load_scenario(path)
