"""Cases for the art. 119 distribution and the other transfer formulas (nexos_model.fiscal.transfers)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from nexos_model.errors import ParameterError
from nexos_model.fiscal.transfers import (
    ART119_CRITERIA,
    allocate_art119,
    allocation_in_quetzales,
    estimate_aldeas_caserios,
    round_to_centavos,
)
from nexos_model.params.loader import load_parameters

# The weights are parameters; these tests check the defaults against the law's hand cases and
# the official 2010 table.
ART119_WEIGHTS = dict(load_parameters(None, None).params.transfers.aporte.weights)


def cents(x) -> np.ndarray:
    return np.rint(np.asarray(x) * 100).astype(np.int64)


# ------------------------------------------------------------------------------------------------
# A case a finance officer can check by hand

# Pool Q1,000,000.00, four municipalities:
#                         A         B         C         D      sum
#   population       10,000    20,000    30,000    40,000  100,000
#   own revenue     100,000   400,000   300,000   400,000
#   per cápita           10        20        10        10       50
#   aldeas/caseríos      20        10        50        20      100
#
#   equal parts 35% = 350,000 / 4                 87,500    87,500    87,500    87,500
#   population  30% = 300,000 × pop/100,000       30,000    60,000    90,000   120,000
#   own rev.    25% = 250,000 × pc/50             50,000   100,000    50,000    50,000
#   aldeas      10% = 100,000 × a/100             20,000    10,000    50,000    20,000
#   total                                        187,500   257,500   277,500   277,500  = 1,000,000
#
# (Had the own-revenue criterion used total/total, B would get 250,000 × 400/1,200 = 83,333.33,
# not 100,000: the denominator is the sum of per-cápita values.)
HAND = dict(
    pool=1_000_000.00,
    population=np.array([10_000, 20_000, 30_000, 40_000]),
    own_revenue=np.array([100_000, 400_000, 300_000, 400_000]),
    aldeas_caserios=np.array([20, 10, 50, 20]),
)
HAND_EXPECTED = {
    "partes_iguales": [87_500, 87_500, 87_500, 87_500],
    "poblacion": [30_000, 60_000, 90_000, 120_000],
    "ingresos_propios_per_capita": [50_000, 100_000, 50_000, 50_000],
    "aldeas_caserios": [20_000, 10_000, 50_000, 20_000],
    "total": [187_500, 257_500, 277_500, 277_500],
}


def test_hand_case_parts_to_the_quetzal():
    parts = allocate_art119(**HAND, weights=ART119_WEIGHTS)
    for key, expected in HAND_EXPECTED.items():
        assert parts[key].shape == (1, 4)
        np.testing.assert_allclose(parts[key][0], expected, rtol=0, atol=1e-6, err_msg=key)
    assert parts["total"].sum() == pytest.approx(1_000_000.00, abs=1e-6)
    rounded = allocation_in_quetzales(parts, HAND["pool"])
    assert cents(rounded["total"]).sum() == 100_000_000
    np.testing.assert_array_equal(rounded["total"][0], HAND_EXPECTED["total"])


def test_round_to_centavos_hand_case():
    # Q100 in three equal parts: 33.33 each leaves one centavo, which goes to the first.
    np.testing.assert_array_equal(round_to_centavos(np.full(3, 100 / 3), 100.0), [33.34, 33.33, 33.33])
    # Largest remainder: 0.004 + 0.006 + 0.990 = 1.00 -> 0.00, 0.01, 0.99.
    np.testing.assert_array_equal(round_to_centavos([0.004, 0.006, 0.990], 1.0), [0.00, 0.01, 0.99])


# ------------------------------------------------------------------------------------------------
# The official 2010 table (data/situado_constitucional_parametros_nacionales.csv)

POOL_2010 = 1_359_320_297.09
N_2010 = 333
ALDEAS_2010 = 14_796
PUBLISHED_2010 = {
    "poblacion": 407_796_089.13,
    "partes_iguales": 475_762_103.98,
    "ingresos_propios_per_capita": 339_830_074.27,
    "aldeas_caserios": 135_932_029.71,
}


def _inputs_2010():
    # Per-municipality 2010 inputs were not recovered; the criterion totals do not depend on them.
    rng = np.random.default_rng(2010)
    population = rng.integers(2_000, 900_000, N_2010).astype(float)
    own = population * rng.uniform(20, 400, N_2010)
    rural = rng.integers(0, 200_000, N_2010)
    aldeas, _ = estimate_aldeas_caserios(rural, population, ALDEAS_2010)
    return population, own, aldeas


def test_official_2010_components():
    population, own, aldeas = _inputs_2010()
    parts = allocate_art119(POOL_2010, population, own, aldeas, ART119_WEIGHTS)
    for key, published in PUBLISHED_2010.items():
        assert round(parts[key].sum(), 2) == pytest.approx(published, abs=0.001), key
    # Equal part printed in every row of the table.
    np.testing.assert_array_equal(np.round(parts["partes_iguales"], 2), 1_428_715.03)
    # Value of one aldea or caserío: 135,932,029.71 / 14,796 ≈ Q9,187.08.
    per_aldea = parts["aldeas_caserios"][0] / aldeas
    np.testing.assert_allclose(np.round(per_aldea, 2), 9_187.08)
    assert parts["total"].sum() == pytest.approx(POOL_2010, abs=1e-4)

    # Rounded table: criterion totals are exactly the published components, all to the centavo.
    rounded = allocation_in_quetzales(parts, POOL_2010)
    for key, published in PUBLISHED_2010.items():
        assert cents(rounded[key]).sum() == cents(published), key
    assert cents(rounded["total"]).sum() == cents(POOL_2010)
    np.testing.assert_array_equal(
        cents(rounded["total"]), sum(cents(rounded[k]) for k in ART119_CRITERIA)
    )


def test_official_2010_own_revenue_denominator():
    # 2010 denominator: Σ per-cápita own revenue = Q36,592.68. A municipality with Q100 per
    # cápita gets 339,830,074.2725 × 100 / 36,592.68 = Q928,683.21.
    population, own, aldeas = _inputs_2010()
    per_capita = own / population
    per_capita *= (36_592.68 - 100) / per_capita[1:].sum()
    per_capita[0] = 100.0
    parts = allocate_art119(POOL_2010, population, per_capita * population, aldeas, ART119_WEIGHTS)
    assert parts["ingresos_propios_per_capita"][0, 0] == pytest.approx(928_683.21, abs=0.01)


# ------------------------------------------------------------------------------------------------
# Feedback: own revenue moves money between municipalities, never in or out of the pool


def test_raising_own_revenue_moves_money_from_the_others():
    before = allocate_art119(**HAND, weights=ART119_WEIGHTS)["total"][0]
    own = HAND["own_revenue"].copy()
    own[0] += 50_000  # A: per cápita 10 -> 15
    after = allocate_art119(**{**HAND, "own_revenue": own}, weights=ART119_WEIGHTS)["total"][0]
    gain = after[0] - before[0]
    assert gain > 0
    assert (after[1:] < before[1:]).all()
    assert before[1:].sum() - after[1:].sum() == pytest.approx(gain, abs=1e-6)
    assert after.sum() == pytest.approx(1_000_000.00, abs=1e-6)
    # By hand: own part of A = 250,000 × 15/55 = 68,181.82 (was 50,000).
    assert gain == pytest.approx(250_000 * 15 / 55 - 50_000, abs=1e-6)


# ------------------------------------------------------------------------------------------------
# Edge cases and validation


def test_zero_own_revenue_everywhere_splits_that_criterion_equally():
    parts = allocate_art119(
        1_000_000, HAND["population"], np.zeros(4), np.zeros(4), ART119_WEIGHTS
    )
    np.testing.assert_allclose(parts["ingresos_propios_per_capita"][0], 62_500.0)
    np.testing.assert_allclose(parts["aldeas_caserios"][0], 25_000.0)
    assert parts["total"].sum() == pytest.approx(1_000_000)


def test_zero_own_revenue_in_one_draw_only():
    own = np.array([[0, 0, 0, 0], HAND["own_revenue"]], dtype=float)
    parts = allocate_art119(1_000_000, HAND["population"], own, HAND["aldeas_caserios"], ART119_WEIGHTS)
    np.testing.assert_allclose(parts["ingresos_propios_per_capita"][0], 62_500.0)
    np.testing.assert_allclose(parts["ingresos_propios_per_capita"][1], [50_000, 100_000, 50_000, 50_000])


def test_weights_must_sum_to_one():
    bad = {**ART119_WEIGHTS, "poblacion": 0.31}
    with pytest.raises(ParameterError) as err:
        allocate_art119(**HAND, weights=bad)
    assert any("pesos" in m and "sumar 1" in m for m in err.value.messages)


def test_weights_unknown_or_missing_key():
    bad = {k: v for k, v in ART119_WEIGHTS.items() if k != "aldeas_caserios"}
    bad["aldeas"] = 0.10
    with pytest.raises(ParameterError) as err:
        allocate_art119(**HAND, weights=bad)
    text = "\n".join(err.value.messages)
    assert "faltan criterios ['aldeas_caserios']" in text
    assert "desconocidos ['aldeas']" in text


def test_all_input_errors_reported_at_once():
    with pytest.raises(ParameterError) as err:
        allocate_art119(-5, [10, -1, 3], [1, 2, 3], [1, 2, -3], ART119_WEIGHTS)
    text = "\n".join(err.value.messages)
    for field in ("monto_a_distribuir", "poblacion", "aldeas_caserios"):
        assert field in text


def test_length_mismatch():
    with pytest.raises(ParameterError, match="aldeas_caserios: 3 valores para 4 municipios"):
        allocate_art119(1e6, HAND["population"], HAND["own_revenue"], [1, 2, 3], ART119_WEIGHTS)
    with pytest.raises(ParameterError, match="ingresos_propios: 3 municipios"):
        allocate_art119(1e6, HAND["population"], [1, 2, 3], HAND["aldeas_caserios"], ART119_WEIGHTS)
    with pytest.raises(ParameterError, match="simulaciones"):
        allocate_art119(
            np.ones(3), HAND["population"], np.ones((2, 4)), HAND["aldeas_caserios"], ART119_WEIGHTS
        )


def test_zero_population_rejected():
    with pytest.raises(ParameterError, match="poblacion: hay municipios sin población"):
        allocate_art119(1e6, [0, 1, 2, 3], HAND["own_revenue"], HAND["aldeas_caserios"], ART119_WEIGHTS)


def test_round_to_centavos_rejects_amounts_that_do_not_add_up():
    with pytest.raises(ParameterError, match="no suman el total"):
        round_to_centavos([1.0, 2.0], 3.05)


# ------------------------------------------------------------------------------------------------
# Properties

positive = st.floats(min_value=1.0, max_value=1e7, allow_nan=False)


@st.composite
def art119_inputs(draw):
    n = draw(st.integers(1, 25))
    n_draws = draw(st.integers(1, 4))
    pool = draw(hnp.arrays(float, n_draws, elements=st.floats(0, 1e10)))
    population = draw(hnp.arrays(float, n, elements=positive))
    own = draw(hnp.arrays(float, (n_draws, n), elements=st.floats(0, 1e9)))
    aldeas = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 500)))
    return pool, population, own, aldeas


@settings(max_examples=150, deadline=None)
@given(art119_inputs())
def test_parts_sum_to_pool_nonnegative_finite(inputs):
    pool, population, own, aldeas = inputs
    parts = allocate_art119(pool, population, own, aldeas, ART119_WEIGHTS)
    for key, value in parts.items():
        assert value.shape == own.shape
        assert np.isfinite(value).all() and (value >= 0).all(), key
    np.testing.assert_allclose(parts["total"].sum(axis=1), pool, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(
        sum(parts[k] for k in ART119_CRITERIA), parts["total"], rtol=1e-12, atol=1e-6
    )
    rounded = allocation_in_quetzales(parts, pool)
    np.testing.assert_array_equal(cents(rounded["total"]).sum(axis=1), cents(pool))


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(float, st.integers(1, 40), elements=st.floats(0, 1e9)))
def test_round_to_centavos_sums_exactly(amounts):
    total = amounts.sum()
    rounded = round_to_centavos(amounts, total)
    assert cents(rounded).sum() == cents(total)
    assert np.all(np.abs(rounded - amounts) < 0.01 + 1e-6)


@settings(max_examples=50, deadline=None)
@given(art119_inputs())
def test_vectorized_equals_loop_over_draws(inputs):
    pool, population, own, aldeas = inputs
    vectorized = allocate_art119(pool, population, own, aldeas, ART119_WEIGHTS)
    for d in range(pool.size):
        single = allocate_art119(pool[d], population, own[d], aldeas, ART119_WEIGHTS)
        for key in vectorized:
            np.testing.assert_allclose(vectorized[key][d], single[key][0], rtol=1e-14, atol=0)


# ------------------------------------------------------------------------------------------------
# Aldeas y caseríos fallback


def test_estimate_aldeas_hand_case():
    # 100 aldeas, floor 1 each -> 96 left, by rural population 0:10:20:30 -> 0, 16, 32, 48.
    counts, estimated = estimate_aldeas_caserios([0, 10, 20, 30], [5, 5, 5, 5], 100)
    np.testing.assert_array_equal(counts, [1, 17, 33, 49])
    assert estimated.all()
    counts, _ = estimate_aldeas_caserios([0, 10, 20, 30], [5, 5, 5, 5], 100, minimum=0)
    np.testing.assert_array_equal(counts, [0, 17, 33, 50])  # 16.67, 33.33, 50 -> LR


def test_estimate_aldeas_keeps_known_counts():
    counts, estimated = estimate_aldeas_caserios(
        [100, 200, 300], [0, 0, 0], 60, known=[np.nan, 30, np.nan]
    )
    assert counts[1] == 30 and counts.sum() == 60
    np.testing.assert_array_equal(estimated, [True, False, True])
    np.testing.assert_array_equal(counts, [8, 30, 22])  # 1 + 28×1/4 = 8; 1 + 28×3/4 = 22


def test_estimate_aldeas_no_rural_population_uses_total_population():
    counts, _ = estimate_aldeas_caserios([0, 0], [100, 300], 10, minimum=0)
    np.testing.assert_array_equal(counts, [2, 8])  # 2.5 / 7.5: tied remainders, the larger quota wins


def test_estimate_aldeas_national_count_too_small():
    with pytest.raises(ParameterError, match="no alcanza para el mínimo"):
        estimate_aldeas_caserios([1, 2, 3], [0, 0, 0], 2)


@settings(max_examples=150, deadline=None)
@given(
    hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(0, 300_000)),
    st.integers(0, 20_000),
    st.integers(0, 2),
)
def test_estimate_aldeas_sums_and_is_monotone(rural, extra, minimum):
    national = extra + minimum * rural.size
    counts, estimated = estimate_aldeas_caserios(rural, np.zeros_like(rural), national, minimum=minimum)
    assert counts.sum() == national
    assert (counts >= minimum).all() and estimated.all()
    # More rural population never means fewer aldeas.
    order = np.argsort(rural, kind="stable")
    r, c = rural[order], counts[order]
    assert np.all(c[1:][r[1:] > r[:-1]] >= c[:-1][r[1:] > r[:-1]])
    # Raising one municipality's rural population never lowers its own count.
    bumped = rural.copy()
    bumped[0] += 1 + rural.max() // 10
    counts_after, _ = estimate_aldeas_caserios(bumped, np.zeros_like(rural), national, minimum=minimum)
    assert counts_after[0] >= counts[0]


def test_robust_level_is_the_median_of_the_last_years_carried_to_the_last():
    """100, 110, 200 (a one-off jump), carried at 10 %/yr: 121, 121, 200 -> the median 121, not 200.
    Missing years are skipped; a series with no data has level 0 and 0 years used."""
    from nexos_model.fiscal.transfers import robust_level

    carry = np.array([1.21, 1.1, 1.0])
    level, used = robust_level(np.array([[100.0, 110.0, 200.0], [np.nan, 110.0, 200.0], [np.nan] * 3]), carry, 3)
    np.testing.assert_allclose(level, [121.0, (121.0 + 200.0) / 2, 0.0])
    np.testing.assert_array_equal(used, [3, 2, 0])
    one, _ = robust_level(np.array([100.0, 110.0, 200.0]), carry, 1)
    assert float(one) == 200.0  # a window of one year is the last year


def test_a_one_off_jump_in_capital_transfers_is_not_compounded():
    """Huehuetenango: 17200 rose 52 % from 2018 to 2019; the other sources start from the median
    of 2017-2019, and the run says so."""
    from nexos_model import run

    r = run("1301", "base")
    wide = r.wide("1301")
    assert wide.at[2019, "transferencias_capital_publicas"] > 1.5 * wide.at[2018, "transferencias_capital_publicas"]
    assert wide.at[2020, "transferencias"] < 0.85 * wide.at[2019, "transferencias"]
    note = next(n for n in r.notes["1301"] if n.startswith("Transferencias distintas del aporte"))
    assert "mediana de 2017-2019" in note and "transferencias.anios_nivel = 3" in note


def test_donations_start_from_their_robust_level_even_after_a_year_at_zero():
    """Santa Apolonia (0405) booked donations of Q 149,680.26 / 44,820 / 30,000 / 0 in 2016-2019:
    the projection starts from the median of 2017-2019 carried to 2019 (Q 30,000 × 0.95, the
    floor of the trend's growth), not from the last year's zero, which dropped the line for good;
    with no base-year value to grow from, the level is carried flat."""
    from nexos_model import run

    wide = run("0405", "base").wide("0405")
    assert wide.at[2019, "donaciones_otras_transferencias"] == 0.0
    first = wide.at[2020, "donaciones_otras_transferencias"]
    assert abs(first - 28_500.0) < 0.01
    assert (wide.loc[2020:, "donaciones_otras_transferencias"] == first).all()
