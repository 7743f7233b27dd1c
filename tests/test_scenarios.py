"""Uncertainty machinery: distribution specs, seeded copula draws, percentile tables, sensitivity.

Truth comes from outside the code under test: scipy.stats for quantile functions and moments,
closed-form means, numpy.percentile, and hand-computed tornado swings and Sobol' indices.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nexos_model.errors import NexosError, ParameterError
from nexos_model.scenarios.sampling import (
    BLOCK_SIZE,
    central_sample,
    draw_standard_normals,
    sample,
    sample_chunk,
)
from nexos_model.scenarios.summary import (
    COLUMNS,
    PERCENTILES,
    PercentileAccumulator,
    ProbabilityAccumulator,
    percentile_table,
    probability_table,
)
from nexos_model.scenarios.sensitivity import bounds_from_specs, sobol, tornado
from nexos_model.params.distributions import central, describe, parse_spec, parse_specs
from nexos_model.params.distributions import Beta, LogNormal, Normal, Triangular, Uniform

SPECS = {
    "inflacion": {"distribucion": "normal", "media": 0.04, "desviacion": 0.01, "minimo": 0.0},
    "ingreso_nacional": {"distribucion": "lognormal", "media": 1.0, "desviacion": 0.15},
    "cobertura": {"distribucion": "triangular", "minimo": 0.3, "moda": 0.5, "maximo": 0.6},
    "recaudo": {"distribucion": "beta", "alfa": 4, "beta": 2, "minimo": 0.5, "maximo": 1.0},
    "tasa": {"distribucion": "uniforme", "minimo": 0.02, "maximo": 0.05},
}
CORRELATION = {("inflacion", "ingreso_nacional"): 0.6, ("cobertura", "recaudo"): -0.3}


def frozen(spec):
    """The scipy.stats distribution a spec stands for: the independent truth of these tests."""
    if isinstance(spec, Normal):
        if spec.truncated:
            lo = -math.inf if spec.minimum is None else (spec.minimum - spec.mean) / spec.std
            hi = math.inf if spec.maximum is None else (spec.maximum - spec.mean) / spec.std
            return stats.truncnorm(lo, hi, loc=spec.mean, scale=spec.std)
        return stats.norm(loc=spec.mean, scale=spec.std)
    if isinstance(spec, LogNormal):
        mu, sigma = spec.log_params
        return stats.lognorm(s=sigma, scale=math.exp(mu))
    if isinstance(spec, Triangular):
        width = spec.maximum - spec.minimum
        return stats.triang((spec.mode - spec.minimum) / width, loc=spec.minimum, scale=width)
    if isinstance(spec, Beta):
        return stats.beta(spec.alpha, spec.beta, loc=spec.minimum, scale=spec.maximum - spec.minimum)
    assert isinstance(spec, Uniform)
    return stats.uniform(loc=spec.minimum, scale=spec.maximum - spec.minimum)


# --- distribution specs ------------------------------------------------------------------


def test_central_is_the_mean_of_each_family():
    specs = parse_specs(SPECS)
    assert central(specs["ingreso_nacional"]) == 1.0
    assert central(specs["cobertura"]) == pytest.approx((0.3 + 0.5 + 0.6) / 3)
    assert central(specs["recaudo"]) == pytest.approx(0.5 + 0.5 * 4 / 6)
    assert central(specs["tasa"]) == pytest.approx(0.035)
    untruncated = parse_spec({"distribucion": "normal", "media": 0.04, "desviacion": 0.01})
    assert central(untruncated) == 0.04
    # Truncating at 0 (4 standard deviations away) moves the mean up by phi(4)/Phi(4)·sd.
    shift = stats.norm.pdf(4) / stats.norm.cdf(4) * 0.01
    assert central(specs["inflacion"]) == pytest.approx(0.04 + shift, rel=1e-12)
    for spec in specs.values():  # and it is what scipy says the mean is
        assert central(spec) == pytest.approx(frozen(spec).mean(), rel=1e-12)


def test_lognormal_media_and_desviacion_are_of_the_variable_itself():
    spec = parse_spec({"distribucion": "lognormal", "media": 250_000.0, "desviacion": 40_000.0})
    dist = frozen(spec)
    assert dist.mean() == pytest.approx(250_000.0, rel=1e-12)
    assert dist.std() == pytest.approx(40_000.0, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(u=st.lists(st.floats(1e-6, 1 - 1e-6), min_size=1, max_size=20),
       a=st.floats(0.2, 8), b=st.floats(0.2, 8), lo=st.floats(-5, 5), width=st.floats(0.01, 10),
       mode=st.floats(0, 1))
def test_quantile_functions_match_scipy(u, a, b, lo, width, mode):
    u = np.array(u)
    cases = [
        {"distribucion": "normal", "media": lo, "desviacion": width},
        {"distribucion": "normal", "media": lo, "desviacion": width, "minimo": lo - width, "maximo": lo + 2 * width},
        {"distribucion": "lognormal", "media": width, "desviacion": a},
        {"distribucion": "triangular", "minimo": lo, "moda": lo + mode * width, "maximo": lo + width},
        {"distribucion": "beta", "alfa": a, "beta": b, "minimo": lo, "maximo": lo + width},
        {"distribucion": "uniforme", "minimo": lo, "maximo": lo + width},
    ]
    for raw in cases:
        spec = parse_spec(raw)
        expected = frozen(spec).ppf(u)
        np.testing.assert_allclose(spec.ppf(u), expected, rtol=1e-7, atol=1e-9 * width)
        z = stats.norm.ppf(u)  # the copula step: value = ppf(Phi(z))
        np.testing.assert_allclose(spec.from_normal(z), expected, rtol=1e-7, atol=1e-9 * width)


def test_invalid_specs_list_every_error_in_spanish():
    bad = {
        "inflacion": {"distribucion": "normal", "media": 0.04, "desviacion": -0.01},
        "cobertura": {"distribucion": "triangular", "minimo": 0.6, "moda": 0.5, "maximo": 0.3},
        "ingreso": {"distribucion": "lognormal", "media": 0, "desviacion": 0.1, "maximo": 2},
        "recaudo": {"distribucion": "beta", "alfa": 2, "beta": "dos", "minimo": 0.5},
        "tasa": {"distribucion": "gaussiana", "media": 1},
        "poblacion": {"media": 1},
        "otro": 0.5,
    }
    with pytest.raises(ParameterError) as caught:
        parse_specs(bad, "params/escenarios/pesimista.yaml")
    messages = caught.value.messages
    text = "\n".join(messages)
    assert all(m.startswith("params/escenarios/pesimista.yaml: ") for m in messages)
    assert "inflacion.desviacion: fuera de rango (valor dado: -0.01; se esperaba: un número >= 0" in text
    assert "cobertura: se requiere minimo <= moda <= maximo" in text
    assert "ingreso.media: fuera de rango (valor dado: 0; se esperaba: un número > 0" in text
    assert "ingreso.maximo: clave desconocida" in text and "distribucion, media, desviacion" in text
    assert "recaudo.beta: debe ser un número (valor dado: 'dos'" in text
    assert "recaudo.maximo: falta esta clave" in text
    assert "tasa: distribución desconocida (valor dado: 'gaussiana'; se esperaba: distribucion: uno de normal, lognormal, triangular, beta, uniforme)" in text
    assert "poblacion: falta la clave 'distribucion'" in text
    assert "otro: debe ser un mapa de claves (valor dado: 0.5)" in text
    assert len(messages) == 9
    with pytest.raises(NexosError, match="media debe estar entre minimo y maximo|media \\(0.04\\) debe estar"):
        parse_spec({"distribucion": "normal", "media": 0.04, "desviacion": 0.01, "minimo": 0.05})
    with pytest.raises(NexosError, match="moda: clave desconocida; ¿quiso decir 'media'\\?"):
        parse_spec({"distribucion": "normal", "media": 0.04, "desviacion": 0.01, "moda": 0.05})


def test_describe_is_spanish_for_the_annex():
    assert describe(parse_spec(SPECS["inflacion"])) == "normal (media 0.04, desviación 0.01, mínimo 0)"
    assert describe(parse_spec(SPECS["cobertura"])) == "triangular (mínimo 0.3, moda 0.5, máximo 0.6)"


# --- sampling ----------------------------------------------------------------------------


def test_same_seed_same_draws_other_seed_other_draws():
    a = sample(SPECS, 3000, seed=7, correlation=CORRELATION)
    b = sample(SPECS, 3000, seed=7, correlation=CORRELATION)
    c = sample(SPECS, 3000, seed=8, correlation=CORRELATION)
    assert list(a) == list(SPECS)
    for name in SPECS:
        assert a[name].shape == (3000,)
        np.testing.assert_array_equal(a[name], b[name])
        assert not np.array_equal(a[name], c[name])


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(1, 2 * BLOCK_SIZE + 500), min_size=1, max_size=4, unique=True))
def test_chunks_equal_one_big_sample(cuts):
    n = 2 * BLOCK_SIZE + 501
    whole = sample(SPECS, n, seed=11, correlation=CORRELATION, shape=(3, 2))
    bounds = [0, *sorted(cuts), n]
    parts = [sample_chunk(SPECS, lo, hi, 11, CORRELATION, shape=(3, 2)) for lo, hi in zip(bounds, bounds[1:])]
    for name in SPECS:
        np.testing.assert_array_equal(np.concatenate([p[name] for p in parts]), whole[name])


def test_adding_an_uncertainty_keeps_the_others_draws():
    """Streams are keyed by name: common random numbers across scenarios."""
    few = sample({k: SPECS[k] for k in ("inflacion", "tasa")}, 500, seed=3)
    more = sample(SPECS, 500, seed=3)
    np.testing.assert_array_equal(few["inflacion"], more["inflacion"])
    np.testing.assert_array_equal(few["tasa"], more["tasa"])


def test_zero_variance_draws_are_exactly_central():
    fixed = {
        "a": {"distribucion": "normal", "media": 0.1, "desviacion": 0},
        "b": {"distribucion": "normal", "media": 0.3, "desviacion": 0.2, "minimo": 0.3, "maximo": 0.3},
        "c": {"distribucion": "lognormal", "media": 1.07, "desviacion": 0},
        "d": {"distribucion": "triangular", "minimo": 0.7, "moda": 0.7, "maximo": 0.7},
        "e": {"distribucion": "beta", "alfa": 2, "beta": 3, "minimo": 0.9, "maximo": 0.9},
        "f": {"distribucion": "uniforme", "minimo": 1e7 / 3, "maximo": 1e7 / 3},
    }
    specs = parse_specs(fixed)
    draws = sample(fixed, 2000, seed=1, correlation={("a", "c"): 0.5}, shape=(4,))
    deterministic = central_sample(fixed, shape=(4,))
    for name, spec in specs.items():
        assert np.all(draws[name] == central(spec)), name
        assert deterministic[name].shape == (1, 4)
        np.testing.assert_array_equal(draws[name][:1], deterministic[name])
    assert central(specs["a"]) == 0.1 and central(specs["f"]) == 1e7 / 3


def test_sample_mean_converges_to_the_analytic_mean():
    n = 200_000
    draws = sample(SPECS, n, seed=2024, correlation=CORRELATION)
    specs = parse_specs(SPECS)
    for name, spec in specs.items():
        sd = frozen(spec).std()
        assert abs(draws[name].mean() - central(spec)) < 4 * sd / math.sqrt(n), name
        assert draws[name].std() == pytest.approx(sd, rel=0.01), name
    # Lognormal, the case the issue names: mean 1.0, sd 0.15 -> standard error 0.000335.
    assert draws["ingreso_nacional"].mean() == pytest.approx(1.0, abs=0.0014)


def test_marginals_follow_their_distribution():
    draws = sample(SPECS, 20_000, seed=5, correlation=CORRELATION)
    for name, spec in parse_specs(SPECS).items():
        assert stats.kstest(draws[name], frozen(spec).cdf).statistic < 0.015, name
    narrow = {"g": {"distribucion": "normal", "media": 0.04, "desviacion": 0.05, "minimo": 0.0, "maximo": 0.06}}
    g = sample(narrow, 20_000, seed=6)["g"]
    assert g.min() >= 0.0 and g.max() <= 0.06


def test_copula_reproduces_the_target_correlation():
    draws = sample(SPECS, 200_000, seed=9, correlation=CORRELATION)
    # Normal scores carry the copula's correlation exactly (in expectation).
    scores = {k: stats.norm.ppf(frozen(s).cdf(draws[k])) for k, s in parse_specs(SPECS).items()}
    assert np.corrcoef(scores["inflacion"], scores["ingreso_nacional"])[0, 1] == pytest.approx(0.6, abs=0.01)
    assert np.corrcoef(scores["cobertura"], scores["recaudo"])[0, 1] == pytest.approx(-0.3, abs=0.01)
    assert abs(np.corrcoef(scores["tasa"], scores["inflacion"])[0, 1]) < 0.01
    # Spearman of any marginals: (6/pi) asin(rho/2).
    rho_s = stats.spearmanr(draws["cobertura"], draws["recaudo"]).statistic
    assert rho_s == pytest.approx(6 / math.pi * math.asin(-0.3 / 2), abs=0.01)


def test_correlation_as_a_dataframe_gives_the_same_draws():
    names = ["inflacion", "ingreso_nacional"]
    frame = pd.DataFrame([[1.0, 0.6], [0.6, 1.0]], index=names, columns=names)
    a = sample(SPECS, 100, seed=4, correlation=frame)
    b = sample(SPECS, 100, seed=4, correlation={("ingreso_nacional", "inflacion"): 0.6})
    for name in SPECS:
        np.testing.assert_array_equal(a[name], b[name])


def test_invalid_correlations_are_explained_in_spanish():
    three = {("inflacion", "tasa"): 0.9, ("inflacion", "cobertura"): 0.9, ("tasa", "cobertura"): -0.9}
    with pytest.raises(ParameterError, match="no es definida positiva"):
        sample(SPECS, 10, seed=1, correlation=three)
    with pytest.raises(ParameterError) as caught:
        sample(SPECS, 10, seed=1, correlation={("inflacion", "pib"): 0.2, ("tasa", "recaudo"): 1.5})
    text = str(caught.value)
    assert "'pib' no es una incertidumbre declarada" in text
    assert "correlación tasa–recaudo: fuera de rango (valor dado: 1.5; se esperaba: entre -1 y 1)" in text
    names = ["inflacion", "tasa"]
    asymmetric = pd.DataFrame([[1.0, 0.2], [0.3, 1.0]], index=names, columns=names)
    with pytest.raises(ParameterError, match="no es simétrica"):
        sample(SPECS, 10, seed=1, correlation=asymmetric)


def test_standard_normals_are_standard_and_shaped():
    z = draw_standard_normals(3, 5000, seed=1, shape=(4, 2))
    assert z.shape == (3, 5000, 4, 2)
    assert abs(z.mean()) < 0.01 and z.std() == pytest.approx(1, abs=0.01)
    np.testing.assert_array_equal(draw_standard_normals(3, 100, seed=1, start=2000, shape=(4, 2)), z[:, 2000:2100])


# --- summaries ---------------------------------------------------------------------------


LABELS = {"municipio": ["0101", "0901", "1301"], "anio": [2025, 2026], "concepto": ["ingresos_propios", "espacio_fiscal"]}


def test_percentile_table_is_numpy_percentile_in_long_form():
    values = np.random.default_rng(0).lognormal(size=(999, 3, 2, 2))
    table = percentile_table(values, LABELS)
    assert list(table.columns) == ["municipio", "anio", "concepto", *COLUMNS, "media"]
    assert COLUMNS == ("p05", "p10", "p25", "p50", "p75", "p90", "p95")
    assert len(table) == 12
    row = table[(table.municipio == "0901") & (table.anio == 2026) & (table.concepto == "espacio_fiscal")].iloc[0]
    cell = values[:, 1, 1, 1]
    assert row["p10"] == np.percentile(cell, 10)
    assert row["media"] == pytest.approx(cell.mean(), rel=1e-13)
    index = pd.MultiIndex.from_product(LABELS.values(), names=list(LABELS))
    pd.testing.assert_frame_equal(percentile_table(values, index), table)


@settings(max_examples=30, deadline=None)
@given(data=st.lists(st.lists(st.floats(-1e9, 1e9), min_size=3, max_size=3), min_size=1, max_size=60))
def test_percentiles_are_ordered(data):
    values = np.array(data)
    table = percentile_table(values, {"concepto": ["a", "b", "c"]})
    assert (np.diff(table[list(COLUMNS)].to_numpy(), axis=1) >= 0).all()
    acc = PercentileAccumulator(len(values), max_bytes=8)  # compress as much as possible
    for start in range(0, len(values), 7):
        acc.add(values[start : start + 7])
    streamed = acc.table({"concepto": ["a", "b", "c"]})
    assert (np.diff(streamed[list(COLUMNS)].to_numpy(), axis=1) >= 0).all()
    low, high = values.min(axis=0), values.max(axis=0)
    assert (streamed["p05"].to_numpy() >= low).all() and (streamed["p95"].to_numpy() <= high).all()


def test_streamed_percentiles_equal_exact_ones_when_memory_allows():
    values = np.random.default_rng(1).normal(size=(5000, 3, 2, 2))
    acc = PercentileAccumulator(5000)
    for start in range(0, 5000, 1300):
        acc.add(values[start : start + 1300])
    assert acc.exact
    exact, streamed = percentile_table(values, LABELS), acc.table(LABELS)
    pd.testing.assert_frame_equal(streamed.drop(columns="media"), exact.drop(columns="media"))
    np.testing.assert_allclose(streamed["media"], exact["media"], rtol=1e-12, atol=1e-15)


def test_compressed_percentiles_stay_within_monte_carlo_error():
    n, cells = 10_000, 400
    values = np.random.default_rng(2).lognormal(mean=13, sigma=0.3, size=(n, cells))
    ordered = np.sort(values, axis=0)
    # 1,000-draw chunks are 125 groups of 8 (equal weights); 1,100-draw chunks leave remainder
    # groups (the general merge).
    for size in (1000, 1100):
        acc = PercentileAccumulator(n, max_bytes=n * cells * 4 // 6)
        for start in range(0, n, size):
            acc.add(values[start : start + size])
        assert not acc.exact and acc.group == 8
        approx = acc.quantiles()
        for k, q in enumerate(PERCENTILES):
            ranks = np.array([np.searchsorted(ordered[:, c], approx[k, c]) for c in range(cells)])
            rank_error = np.sqrt(np.mean((ranks - q / 100 * (n - 1)) ** 2))
            monte_carlo_error = math.sqrt(n * q / 100 * (1 - q / 100))
            assert rank_error < 0.5 * monte_carlo_error, (size, q, rank_error)
        np.testing.assert_allclose(acc.mean(), values.mean(axis=0), rtol=1e-12)


def test_constant_cells_stay_exact_when_compressed():
    values = np.full((3000, 4), 1e7 / 3)
    values[:, 0] = 0.1
    acc = PercentileAccumulator(3000, max_bytes=100)
    for start in range(0, 3000, 700):
        acc.add(values[start : start + 700])
    assert acc.group > 1
    assert (acc.quantiles() == values[0]).all() and (acc.mean() == values[0]).all()
    table = percentile_table(values, {"concepto": list("abcd")})
    assert (table["p50"].to_numpy() == values[0]).all() and (table["media"].to_numpy() == values[0]).all()


def test_probabilities_are_shares_of_draws():
    space = np.random.default_rng(3).normal(loc=[[-1.0, 0.0, 2.0]], size=(4000, 3))
    table = probability_table(space < 0, {"anio": [2025, 2026, 2027]})
    assert list(table.columns) == ["anio", "probabilidad"]
    np.testing.assert_allclose(table["probabilidad"], stats.norm.cdf([1.0, 0.0, -2.0]), atol=0.025)
    acc = ProbabilityAccumulator()
    for start in range(0, 4000, 900):
        acc.add(space[start : start + 900] < 0)
    pd.testing.assert_frame_equal(acc.table({"anio": [2025, 2026, 2027]}), table)


# --- sensitivity -------------------------------------------------------------------------


def test_tornado_on_a_linear_model_is_one_call_with_hand_computed_swings():
    calls = []

    def model(x):  # fiscal space = 2·revenue − 3·debt + 0.5·rate
        calls.append(len(x["ingreso"]))
        return 2 * x["ingreso"] - 3 * x["deuda"] + 0.5 * x["tasa"]

    table = tornado(model, {"ingreso": 10, "deuda": 2, "tasa": 4},
                    {"ingreso": (8, 11), "deuda": (1, 5), "tasa": (0, 2)})
    assert calls == [7]
    assert list(table.columns) == ["parametro", "bajo", "alto", "resultado_bajo", "resultado_alto", "rango"]
    assert list(table["parametro"]) == ["deuda", "ingreso", "tasa"]  # ranges 12, 6, 1
    central_result = 2 * 10 - 3 * 2 + 0.5 * 4
    assert table.attrs["resultado_central"] == central_result
    deuda = table.iloc[0]
    assert (deuda["resultado_bajo"], deuda["resultado_alto"], deuda["rango"]) == (central_result + 3, central_result - 9, 12)
    assert table.iloc[1][["resultado_bajo", "resultado_alto", "rango"]].tolist() == [central_result - 4, central_result + 2, 6]
    assert table.iloc[2]["rango"] == 1


def test_bounds_from_specs_are_the_p05_and_p95():
    bounds = bounds_from_specs({"i": {"distribucion": "normal", "media": 0.04, "desviacion": 0.01},
                                "f": {"distribucion": "uniforme", "minimo": 2, "maximo": 2}})
    assert bounds["i"] == pytest.approx((0.04 - 1.6448536 * 0.01, 0.04 + 1.6448536 * 0.01))
    assert bounds["f"] == (2, 2)


def test_sobol_on_an_additive_model_gives_variance_shares():
    a, b = 3.0, 1.5
    specs = {"x1": {"distribucion": "uniforme", "minimo": 0, "maximo": 1},
             "x2": {"distribucion": "uniforme", "minimo": 0, "maximo": 1}}
    calls = []

    def model(x):
        calls.append(len(x["x1"]))
        return a * x["x1"] + b * x["x2"] + x["palanca"]

    table = sobol(model, specs, n=4000, seed=1, fixed={"palanca": 10.0})
    assert table.attrs["simulaciones"] == 4096 and len(calls) == 3
    assert list(table.columns) == ["parametro", "primer_orden", "total"]
    shares = table.set_index("parametro")
    assert shares.loc["x1", "primer_orden"] == pytest.approx(a**2 / (a**2 + b**2), abs=0.02)
    assert shares.loc["x2", "primer_orden"] == pytest.approx(b**2 / (a**2 + b**2), abs=0.02)
    assert shares.loc["x1", "total"] == pytest.approx(a**2 / (a**2 + b**2), abs=0.02)
    assert list(table["parametro"]) == ["x1", "x2"]


def test_sobol_sees_an_interaction_in_the_total_index():
    """y = x1·x2 on uniform(-1, 1): no first-order effect, all of it through the interaction."""
    specs = {k: {"distribucion": "uniforme", "minimo": -1, "maximo": 1} for k in ("x1", "x2")}
    table = sobol(lambda x: x["x1"] * x["x2"], specs, n=8192, seed=3).set_index("parametro")
    assert abs(table.loc["x1", "primer_orden"]) < 0.05
    assert table.loc["x1", "total"] == pytest.approx(1.0, abs=0.05)
