"""Monte Carlo over the projection core: seeded, chunk-independent, equal to the deterministic run at zero variance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nexos_model import run
from nexos_model.api import prepared_default
from nexos_model.params.loader import load_parameters
from nexos_model.projection import end_year, subset
from nexos_model.scenarios.montecarlo import OUTCOMES, simulate
from nexos_model.scenarios.summary import COLUMNS


def _zero_spread() -> dict:
    """Every default uncertainty kept, with zero spread (an overlay merges, it cannot delete)."""
    out = {}
    for key, spec in load_parameters(None, None).params.uncertainty.distributions.items():
        if spec["distribucion"] == "triangular":
            out[key] = {**spec, "minimo": spec["moda"], "maximo": spec["moda"]}
        else:
            out[key] = {**spec, "desviacion": 0.0}
    return out


NO_UNCERTAINTY = {"incertidumbre.distribuciones": _zero_spread(),
                  "incertidumbre.error_tendencia": 0.0, "incertidumbre.error_crecimiento": 0.0}


def setup(code, escenario="base", overrides=None):
    params = load_parameters(code, escenario, overrides).params
    prepared = prepared_default("devengado", 5.0, 50_000.0, True)
    ctx, growth = prepared.context(end_year(params.calendar))
    return subset(prepared.inputs, [code]), params, ctx, growth


def test_percentiles_are_ordered_and_the_same_seed_repeats():
    a = run("1401", "base", simulaciones=500, semilla=11)
    b = run("1401", "base", simulaciones=500, semilla=11)
    pd.testing.assert_frame_equal(a.percentiles, b.percentiles)
    pd.testing.assert_frame_equal(a.probabilities, b.probabilities)
    values = a.percentiles[list(COLUMNS)].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-6).all()
    c = run("1401", "base", simulaciones=500, semilla=12)
    assert not a.percentiles[list(COLUMNS)].equals(c.percentiles[list(COLUMNS)])
    assert set(a.percentiles["concepto"]) == set(OUTCOMES)
    assert a.probabilities["probabilidad"].between(0, 1).all()


def test_chunking_does_not_change_the_draws():
    inputs, params, ctx, growth = setup("0901")
    one = simulate(inputs, params, ctx, growth, 300, 5, chunk=300)
    many = simulate(inputs, params, ctx, growth, 300, 5, chunk=64)
    pd.testing.assert_frame_equal(one.percentiles, many.percentiles)
    pd.testing.assert_frame_equal(one.probabilities, many.probabilities)
    # Chunks across sampling blocks (1,024 draws) and of odd sizes: the same draws, so the same
    # percentiles and probabilities to the bit (means add chunk sums: equal to rounding).
    one = simulate(inputs, params, ctx, growth, 2100, 5, chunk=2100)
    odd = simulate(inputs, params, ctx, growth, 2100, 5, chunk=333)
    pd.testing.assert_frame_equal(one.percentiles.drop(columns="media"), odd.percentiles.drop(columns="media"),
                                  check_exact=True)
    np.testing.assert_allclose(one.percentiles["media"], odd.percentiles["media"], rtol=1e-13)
    pd.testing.assert_frame_equal(one.probabilities, odd.probabilities, check_exact=True)


def test_trend_error_is_the_documented_formula_and_exactly_one_at_zero_spread():
    from nexos_model.revenue.streams import trend_error

    shocks = np.random.default_rng(4).standard_normal((3, 5, 11))
    sigma, tau, h = 0.4, 0.07, np.arange(1, 11)
    scale = np.array([0.5, 1.0, 2.0])
    walk = np.cumsum(shocks[..., :10], axis=-1)  # each year's surprise stays in the level
    expected = np.exp(scale[:, None, None] * (sigma * walk + tau * h * shocks[..., 10:]))
    np.testing.assert_allclose(trend_error(shocks, sigma, tau, scale), expected, rtol=1e-12)
    np.testing.assert_allclose(trend_error(shocks, sigma, tau), np.exp(sigma * walk + tau * h * shocks[..., 10:]),
                               rtol=1e-12)
    got32 = trend_error(shocks.astype(np.float32), sigma, tau, scale)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, expected, rtol=1e-5)
    assert (trend_error(shocks.astype(np.float32), 0.0, 0.0, scale) == 1).all()


def test_error_scale_falls_with_size_by_the_elasticity_and_is_bounded_for_tiny_revenue():
    from nexos_model.revenue.streams import ERROR_MIN_LEVEL, error_scale

    got = error_scale(np.array([5e6, 50e6, 500e6, 0.0, np.nan]), 5e6, 0.2)
    np.testing.assert_allclose(got[:3], [1.0, 10 ** -0.2, 100 ** -0.2])
    np.testing.assert_allclose(got[3:], (ERROR_MIN_LEVEL / 5e6) ** -0.2)  # none recorded: the smallest's error


@pytest.mark.parametrize("codes", [["0901"], ["0901", "1301", "1401"]])
def test_float32_errors_move_percentiles_by_less_than_a_tenth_of_a_percent(codes):
    """The same normals through float32 and float64 error arithmetic: every percentile and mean
    within 0.1 % (of the cell's scale: its largest absolute percentile, so cells near zero such as
    a deficit are judged in quetzales of the same order, not in relative terms of 0)."""
    inputs, params, ctx, growth = setup(codes[0])
    prepared = prepared_default("devengado", 5.0, 50_000.0, True)
    inputs = subset(prepared.inputs, codes)
    single = simulate(inputs, params, ctx, growth, 10_000, 21, dtype=np.float32).percentiles
    double = simulate(inputs, params, ctx, growth, 10_000, 21, dtype=np.float64).percentiles
    columns = [*COLUMNS, "media"]
    a, b = single[columns].to_numpy(), double[columns].to_numpy()
    scale = np.abs(b).max(axis=1, keepdims=True)
    assert (np.abs(a - b) <= 1e-3 * scale).all(), np.max(np.abs(a - b) / np.where(scale > 0, scale, 1))
    assert np.abs(a - b).max() > 0  # the two paths did differ: the test can fail


@pytest.mark.parametrize("escenario, extra", [
    ("base", {}),
    ("actualizacion_catastral", {"deuda.nuevo_prestamo.monto": 2_000_000}),
])
def test_zero_variance_equals_the_deterministic_run_exactly(escenario, extra):
    overrides = {**NO_UNCERTAINTY, **extra}
    result = run("1401", escenario, overrides, simulaciones=200, semilla=3)
    det = result.projection.pivot_table(index=["anio", "concepto"], values="valor")["valor"]
    for column in (*COLUMNS, "media"):
        got = result.percentiles.set_index(["anio", "concepto"])[column]
        np.testing.assert_array_equal(got.to_numpy(), det.reindex(got.index).to_numpy())


def test_trend_error_alone_keeps_the_median_and_has_the_lognormal_mean():
    """Trend error only: revenue = path × exp(s (σ Σ_{k≤h} ε_k + τ h η)), lognormal with log-sd
    s √(σ² h + τ² h²), s the municipality's size scale: the median is the deterministic path and
    the mean path × exp(s² (σ² h + τ² h²) / 2)."""
    from nexos_model.scenarios.montecarlo import error_scales

    sigma, tau = 0.3, 0.05
    overrides = {**NO_UNCERTAINTY, "incertidumbre.error_tendencia": sigma, "incertidumbre.error_crecimiento": tau}
    inputs, params, ctx, growth = setup("1301", "base", overrides)
    (scale,) = error_scales(inputs, params)
    assert 0.6 < scale < 0.9  # Huehuetenango, about Q 20 M a year: larger than the Q 5 M reference
    sim = simulate(inputs, params, ctx, growth, 40_000, 9, outcomes=("multas", "ingresos_propios"))
    det = run("1301", "base", overrides).projection.set_index(["concepto", "anio"])["valor"]
    got = sim.percentiles.set_index(["concepto", "anio"])
    h = np.arange(1, got.loc["multas"].shape[0] + 1)
    variance = scale**2 * (sigma**2 * h + tau**2 * h**2)
    for concept in ("multas", "ingresos_propios"):  # one error for all the streams: the total is lognormal too
        central = det.loc[concept].reindex(got.loc[concept].index).to_numpy()
        # Four standard errors of a mean of 40,000 lognormal draws (their spread grows with h).
        standard_error = np.sqrt(np.expm1(variance) / 40_000)
        relative = got.loc[concept]["media"].to_numpy() / (central * np.exp(variance / 2)) - 1
        assert (np.abs(relative) <= 4 * standard_error).all(), relative / standard_error
        np.testing.assert_allclose(got.loc[concept]["p50"].to_numpy(), central, rtol=0.02)
        # symmetric in logs, p10 and p90 at ∓1.2816 log-sd (within 0.05 in logs: sampling error)
        z90 = 1.2815516
        for column, sign in (("p90", 1), ("p10", -1)):
            np.testing.assert_allclose(np.log(got.loc[concept][column].to_numpy() / central),
                                       sign * z90 * np.sqrt(variance), atol=0.05)
