"""Correlated uncertainty: the scenario's named factors (validation, overrides) and the Gaussian copula."""

import time

import numpy as np
import pandas as pd
import pytest
import yaml

from models.config import BUNDLED_SCENARIOS, SCENARIO_DIR, ScenarioError, load_scenario
from models.driver_registry import DRIVERS
from models.factors import Correlations, correlate_uniforms, factor_root
from models.stats import norm_ppf
from tests.models.scenario_files import assert_refused, write_scenario

BUNDLED_FACTORS = {"adoption", "capex_supply", "frontier_scaling"}


def _factor(**loadings):
    return {"basis": "assumption", "loadings": loadings}


def _link(a, b, rho):
    return {"factors": [a, b], "rho": rho, "basis": "assumption"}


def _corr(factors, between=()):
    return Correlations.model_validate({"factors": factors, "between": list(between)})



def _implied_correlation(corr: Correlations, names=None, rank: bool = False) -> pd.DataFrame:
    """The correlation the factors imply between loaded drivers: l_i' C l_j in normal scores, or
    the Spearman rank correlation it gives, 6/pi asin(r/2); rows and columns in ``names`` order."""
    names = list(DRIVERS) if names is None else names
    loads = corr.loading_matrix(names)
    keep = np.flatnonzero(np.any(loads != 0.0, axis=1))
    r = loads[keep] @ corr.matrix() @ loads[keep].T
    np.fill_diagonal(r, 1.0)
    if rank:
        r = 6.0 / np.pi * np.arcsin(r / 2.0)
    labels = [names[i] for i in keep]
    return pd.DataFrame(r, index=labels, columns=labels)


# ------------------------------------------------------------------ the bundled scenarios


@pytest.mark.parametrize("name", BUNDLED_SCENARIOS)
def test_bundled_scenarios_carry_three_factors(name):
    corr = load_scenario(name, base=None).correlations
    assert set(corr.factors) == BUNDLED_FACTORS
    assert {frozenset(link.factors) for link in corr.between} == {
        frozenset({"adoption", "capex_supply"}), frozenset({"frontier_scaling", "capex_supply"})}
    for factor in corr.factors.values():
        assert factor.basis and factor.note and factor.description
        assert all(0.0 < abs(v) < 1.0 for v in factor.loadings.values())
    for link in corr.between:
        assert link.basis and link.note
    assert corr.problems() == []
    assert np.linalg.eigvalsh(corr.matrix()).min() > 0
    r = _implied_correlation(corr)
    assert list(r.index) == [d for d in DRIVERS if d in set(r.index)]  # registry order
    assert np.allclose(r.to_numpy(), r.to_numpy().T) and np.allclose(np.diag(r), 1.0)
    assert r.loc["query_growth_per_year", "supply_growth_per_year"] > 0.1


def test_scenario_without_correlations_has_no_factors(tmp_path):
    raw = yaml.safe_load((SCENARIO_DIR / "base.yaml").read_text())
    raw.pop("correlations")
    scenario = load_scenario(write_scenario(tmp_path, raw, "plain.yaml"), base=None)
    assert scenario.correlations == Correlations() and scenario.correlations.factors == {}


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("data, needles", [
    ({"correlations": {"factors": {"adoption": _factor(query_growt=0.5)}}},
     ["user.yaml", "correlations.factors.adoption.loadings.query_growt", "unknown driver",
      "did you mean 'query_growth_per_year'"]),
    ({"correlations": {"between": [_link("adoption", "capex_suply", 0.3)]}},
     ["user.yaml", "correlations.between.0.factors", "unknown factor 'capex_suply'",
      "did you mean 'capex_supply'"]),
    ({"correlations": {"between": [_link("adoption", "adoption", 0.3)]}},
     ["user.yaml", "correlations.between.0.factors", "links factor 'adoption' to itself"]),
    ({"correlations": {"between": [_link("adoption", "capex_supply", 0.3),
                                   _link("capex_supply", "adoption", 0.2)]}},
     ["user.yaml", "correlations.between.1.factors", "adoption", "capex_supply",
      "already linked at correlations.between.0"]),
    ({"correlations": {"between": [_link("adoption", "capex_supply", 1.0)]}},
     ["user.yaml", "correlations.between.0.rho", "|rho| must be below 1"]),
    ({"correlations": {"between": [_link("adoption", "capex_supply", -1.5)]}},
     ["user.yaml", "correlations.between.0.rho", "-1.5"]),
    ({"correlations": {"factors": {"adoption": _factor(query_growth_per_year=1.0)}}},
     ["user.yaml", "correlations.factors.adoption.loadings.query_growth_per_year",
      "|loading| must be below 1"]),
    ({"correlations": {"factors": {"adoption": _factor(query_growth_per_year=-1.2)}}},
     ["user.yaml", "correlations.factors.adoption.loadings.query_growth_per_year", "-1.2"]),
    ({"correlations": {"factors": {"a": _factor(query_growth_per_year=0.5),
                                   "b": _factor(pue=0.5), "c": _factor(training_mfu=0.5)},
                       "between": [_link("a", "b", 0.9), _link("b", "c", 0.9), _link("a", "c", -0.9)]}},
     ["user.yaml", "correlations.between", "not positive semi-definite", "smallest eigenvalue",
      "a", "b", "c", "a-b 0.9"]),
    ({"correlations": {"factors": {"adoption": _factor(query_growth_per_year=0.8),
                                   "capex_supply": _factor(query_growth_per_year=0.8)}}},
     ["user.yaml", "loadings.query_growth_per_year", "driver 'query_growth_per_year'",
      "adoption (0.8), capex_supply (0.8)", "l'Cl = 1.920", "below 1"]),
    ({"drivers": {"rd_to_final_ratio": {"dist": "fixed", "value": 3.0, "unit": "ratio",
                                        "basis": "assumption"}}},
     ["user.yaml", "correlations.factors.frontier_scaling.loadings.rd_to_final_ratio",
      "the driver is fixed"]),
    ({"correlations": {"factors": {"adoption": {"basis": "a blog post",
                                                "loadings": {"query_growth_per_year": 0.5}}}}},
     ["user.yaml", "correlations.factors.adoption.basis", "assumption"]),
    ({"correlations": {"between": [{"factors": ["adoption", "capex_supply"], "rho": 0.3,
                                    "basis": "hearsay"}]}},
     ["user.yaml", "correlations.between.0.basis", "assumption"]),
    ({"correlations": {"factors": {"adoption": {**_factor(query_growth_per_year=0.5),
                                                "colour": "red"}}}},
     ["user.yaml", "correlations.factors.adoption.colour", "unknown key"]),
    ({"correlations": {"factors": {"adoption": _factor()}}},
     ["user.yaml", "correlations.factors.adoption.loadings", "at least one loading"]),
    ({"correlations": {"links": []}}, ["user.yaml", "correlations.links", "unknown key"]),
])
def test_bad_correlations_name_file_and_key(tmp_path, data, needles):
    path = write_scenario(tmp_path, data)
    assert_refused(path, needles)


def test_every_problem_is_reported_on_its_own_line(tmp_path):
    path = write_scenario(tmp_path, {"correlations": {
        "factors": {"adoption": _factor(query_growt=0.5, agent_share_growth_per_year=1.5)},
        "between": [_link("adoption", "adoption", 0.2)]}})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{path}: correlations.") for line in lines)


def test_override_merges_factors_by_name(tmp_path):
    base = load_scenario("base")
    path = write_scenario(tmp_path, {"correlations": {"factors": {
        "adoption": _factor(query_growth_per_year=0.3), "frontier_scaling": None}, "between": [
        _link("adoption", "capex_supply", 0.2)]}})
    mine = load_scenario(path)
    assert set(mine.correlations.factors) == {"adoption", "capex_supply"}
    assert mine.correlations.factors["adoption"].loadings == {"query_growth_per_year": 0.3}
    assert mine.correlations.factors["capex_supply"] == base.correlations.factors["capex_supply"]
    assert [link.rho for link in mine.correlations.between] == [0.2]
    # ``correlations: null`` switches them off
    off = load_scenario(write_scenario(tmp_path, {"correlations": None}, "off.yaml"))
    assert off.correlations == Correlations()
    # a file that names no correlations keeps the base's
    other = load_scenario(write_scenario(tmp_path, {"horizon": 2032}, "other.yaml"))
    assert other.correlations == base.correlations
    # dropping a linked factor without replacing the links is an error naming the link
    path = write_scenario(tmp_path, {"correlations": {"factors": {"frontier_scaling": None}}}, "drop.yaml")
    with pytest.raises(ScenarioError, match=r"drop.yaml: correlations.between.1.factors: unknown "
                                            r"factor 'frontier_scaling'"):
        load_scenario(path)


# ------------------------------------------------------------------ the copula

NAMES = ["a0", "a1", "b0", "free0", "c0", "free1"]
CORR = _corr(
    {"f": _factor(a0=0.7, a1=0.5, b0=-0.4), "g": _factor(b0=0.6, c0=0.8)},
    [_link("f", "g", 0.3)])


def _uniforms(draws, cols, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.random((draws, cols))
    np.clip(u, 1e-12, 1 - 1e-12, out=u)
    return u, rng


def test_matrices_follow_the_factors():
    assert CORR.factor_names == ["f", "g"]
    assert np.array_equal(CORR.matrix(), np.array([[1.0, 0.3], [0.3, 1.0]]))
    lam = CORR.loading_matrix(NAMES)
    assert lam.shape == (6, 2) and lam[2].tolist() == [-0.4, 0.6] and not lam[3].any()
    # the copula works on any column names; the scenario check holds them to the registry
    assert any("loadings.a0: unknown driver" in p for p in CORR.problems())


def test_correlated_columns_keep_uniform_marginals():
    u, rng = _uniforms(200_000, len(NAMES))
    out = correlate_uniforms(u, NAMES, CORR, rng)
    assert out.shape == u.shape and out is not u
    grid = np.linspace(0.01, 0.99, 99)
    for j in (0, 1, 2, 4):
        col = np.sort(out[:, j])
        assert not np.array_equal(col, np.sort(u[:, j]))  # it did change
        # Kolmogorov-Smirnov distance to the uniform: ~1/sqrt(n) noise, 0.005 is ~2.2 sigma-free
        ecdf = np.arange(1, col.size + 1) / col.size
        assert np.max(np.abs(ecdf - col)) < 0.005
        assert np.quantile(out[:, j], grid) == pytest.approx(grid, abs=0.005)
        assert col[0] >= 1e-12 and col[-1] <= 1 - 1e-12


def test_target_rank_correlation_is_reached():
    u, rng = _uniforms(200_000, len(NAMES), seed=3)
    out = correlate_uniforms(u, NAMES, CORR, rng)
    target = _implied_correlation(CORR, NAMES, rank=True)
    assert list(target.index) == ["a0", "a1", "b0", "c0"]
    col = {n: j for j, n in enumerate(NAMES)}
    for a in target.index:
        for b in target.index:
            if a < b:
                # Pearson correlation of uniforms = Spearman rank correlation of the drivers
                got = np.corrcoef(out[:, col[a]], out[:, col[b]])[0, 1]
                assert got == pytest.approx(target.loc[a, b], abs=0.03), (a, b)
    # and in normal scores the implied (Pearson) correlation: a0-b0 = 0.7*(-0.4) + 0.7*0.6*0.3
    normal = _implied_correlation(CORR, NAMES)
    assert normal.loc["a0", "b0"] == pytest.approx(0.7 * -0.4 + 0.7 * 0.6 * 0.3)
    z = norm_ppf(out[:, [col["a0"], col["b0"]]])
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(normal.loc["a0", "b0"], abs=0.01)
    # unloaded columns stay independent of everything
    assert abs(np.corrcoef(out[:, col["free0"]], out[:, col["a0"]])[0, 1]) < 0.01


def test_unloaded_columns_are_bit_identical_and_seed_reproduces():
    u, _ = _uniforms(10_000, len(NAMES))
    out1 = correlate_uniforms(u, NAMES, CORR, np.random.default_rng(42))
    out2 = correlate_uniforms(u, NAMES, CORR, np.random.default_rng(42))
    out3 = correlate_uniforms(u, NAMES, CORR, np.random.default_rng(43))
    assert np.array_equal(out1, out2)
    assert not np.array_equal(out1, out3)
    for j in (3, 5):
        assert out1[:, j].tobytes() == u[:, j].tobytes()
    assert np.array_equal(u, _uniforms(10_000, len(NAMES))[0])  # the input is not modified


def test_row_blocks_do_not_change_the_result(monkeypatch):
    import models.factors as factors

    u, _ = _uniforms(5_000, len(NAMES))
    whole = correlate_uniforms(u, NAMES, CORR, np.random.default_rng(1))
    monkeypatch.setattr(factors, "_BLOCK_VALUES", 300)  # 75 rows per block, a ragged last one
    blocked = correlate_uniforms(u, NAMES, CORR, np.random.default_rng(1))
    assert np.allclose(blocked, whole, rtol=0, atol=1e-14)


def test_no_factors_is_the_identity_and_draws_nothing():
    u, _ = _uniforms(1000, len(NAMES))
    for corr in (Correlations(), _corr({"f": _factor(elsewhere=0.5)})):
        rng = np.random.default_rng(5)
        state = rng.bit_generator.state
        assert correlate_uniforms(u, NAMES, corr, rng) is u
        assert rng.bit_generator.state == state


def test_shape_mismatch_is_refused():
    u, rng = _uniforms(10, 3)
    with pytest.raises(ValueError, match="must be"):
        correlate_uniforms(u, NAMES, CORR, rng)


def test_singular_factor_matrix_uses_the_eigen_root():
    # three factors whose links are consistent but leave no room: eigenvalues 0, 1.5, 1.5
    names = ["query_growth_per_year", "pue", "training_mfu"]
    corr = _corr({"f": _factor(query_growth_per_year=0.5), "g": _factor(pue=0.5),
                  "h": _factor(training_mfu=0.5)},
                 [_link("f", "g", 0.5), _link("g", "h", 0.5), _link("f", "h", -0.5)])
    c = corr.matrix()
    assert np.linalg.eigvalsh(c).min() == pytest.approx(0.0, abs=1e-12)
    assert corr.problems() == []  # positive semi-definite is enough
    root = factor_root(c)
    assert root @ root.T == pytest.approx(c, abs=1e-12)
    u, rng = _uniforms(100_000, len(names))
    out = correlate_uniforms(u, names, corr, rng)
    assert np.isfinite(out).all()
    z = norm_ppf(out)
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(0.25 * 0.5, abs=0.015)
    assert np.corrcoef(z.T)[0, 2] == pytest.approx(0.25 * -0.5, abs=0.015)


def test_bundled_correlations_work_on_the_registry_columns():
    corr = load_scenario("base").correlations
    names = list(DRIVERS)
    u, rng = _uniforms(100_000, len(names))
    correlate_uniforms(u[:1000], names, corr, np.random.default_rng(0))  # warm-up
    start = time.perf_counter()
    out = correlate_uniforms(u, names, corr, rng)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0  # ~0.05 s on a quiet machine; the bound only guards against blow-ups
    loaded = {d for f in corr.factors.values() for d in f.loadings}
    for j, name in enumerate(names):
        assert np.array_equal(out[:, j], u[:, j]) == (name not in loaded), name
    assert sum(len(f.loadings) for f in corr.factors.values()) == 9 and len(corr.between) == 2
