"""Seeded copula draws: reproducible, chunkable, with the right marginals and correlations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from nexos_model.errors import ParameterError
from nexos_model.params.distributions import central, parse_specs
from nexos_model.scenarios.sampling import (
    BLOCK_SIZE,
    NormalStreams,
    central_sample,
    draw_standard_normals,
    sample,
    sample_chunk,
)
from tests.support import SPECS, frozen

CORRELATION = {("inflacion", "ingreso_nacional"): 0.6, ("cobertura", "recaudo"): -0.3}


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


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(1, 2 * BLOCK_SIZE + 300), min_size=1, max_size=5, unique=True),
       order=st.permutations(range(6)), dtype=st.sampled_from([np.float32, np.float64]))
def test_normal_streams_give_the_same_draws_for_any_chunks_in_any_order(cuts, order, dtype):
    """One stream object kept across chunks (continuing, restarting a block, jumping forward or
    back) gives exactly the draws of one call: the design's chunk invariance."""
    n = 2 * BLOCK_SIZE + 301
    whole = draw_standard_normals(["a", "b", "c"], n, seed=3, shape=(4,), dtype=dtype)
    bounds = [0, *sorted(cuts), n]
    pieces = list(zip(bounds, bounds[1:]))
    streams = NormalStreams(["a", "b", "c"], seed=3, shape=(4,), dtype=dtype)
    got = np.full_like(whole, np.nan)
    for k in [i for i in order if i < len(pieces)] + list(range(len(pieces))):  # shuffled, then in order
        lo, hi = pieces[k]
        block = streams.fill(np.empty((3, hi - lo, 4), dtype=dtype), lo)
        if k < len(pieces):
            got[:, lo:hi] = block
    np.testing.assert_array_equal(got, whole)


def test_a_variable_draws_the_same_with_or_without_others():
    """Streams are per variable: the trend errors of a municipality do not depend on its group."""
    alone = draw_standard_normals(["tendencia:iusi:0901"], 1500, seed=8, shape=(11,), dtype=np.float32)
    group = draw_standard_normals(["tendencia:iusi:0101", "tendencia:iusi:0901"], 1500, seed=8, shape=(11,),
                                  dtype=np.float32)
    np.testing.assert_array_equal(alone[0], group[1])
    assert not np.array_equal(group[0], group[1])
    assert abs(group.mean()) < 0.01 and group.std() == pytest.approx(1, abs=0.01)


def test_normal_streams_reject_a_wrong_output_array():
    streams = NormalStreams(["a", "b"], seed=1, shape=(3,), dtype=np.float32)
    with pytest.raises(ValueError, match="C-contiguous"):
        streams.fill(np.empty((2, 10, 3)), 0)  # float64 for a float32 stream
    with pytest.raises(ValueError, match="C-contiguous"):
        streams.fill(np.empty((2, 10, 4), dtype=np.float32)[:, :, :3], 0)
