"""Cases for revenue drivers (IUSI, water, ornato), potential/gap and levers.

The hand-checkable cases live in ``tests/cases/revenue/*.yaml``, each with its arithmetic in
comments; this file loads them, plus base-year calibration and hypothesis properties.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nexos_model.errors import ParameterError
from nexos_model.revenue import drivers, levers, potential
from nexos_model.revenue.drivers import (
    IUSI_BOUNDS,
    IUSI_RATES_PER_MIL,
    calibrate,
    iusi_by_bracket,
    iusi_tax,
    ornato_revenue,
    water_revenue,
)
from nexos_model.revenue.levers import implementation_cost, lever_path
from nexos_model.revenue.potential import gap_decomposition

CASES_DIR = Path(__file__).parent / "cases" / "revenue"
FUNCTIONS = {
    name: getattr(module, name)
    for module in (drivers, potential, levers)
    for name in getattr(module, "__dict__")
    if callable(getattr(module, name)) and not name.startswith("_")
}
CENTAVO = 0.005  # half a centavo: results must match the hand computation to the centavo


def load_cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["casos"]:
            yield pytest.param(case, id=f"{path.stem}:{case['nombre']}")


@pytest.mark.parametrize("case", list(load_cases()))
def test_case(case):
    function = FUNCTIONS[case["funcion"]]
    if "error_contiene" in case:
        with pytest.raises(ParameterError) as err:
            function(**case["entradas"])
        text = "\n".join(err.value.messages)
        for fragment in case["error_contiene"]:
            assert fragment in text, f"{case['nombre']}: falta {fragment!r} en:\n{text}"
        return
    result = function(**case["entradas"])
    tolerance = case.get("tolerancia", CENTAVO)
    expected = case["esperado"]
    got = {"resultado": result} if not isinstance(result, dict) else result
    for key, want in expected.items():
        value = np.asarray(got[key])
        if isinstance(want, bool):
            assert value.dtype == bool and bool(value) is want, f"{key}: {value} ≠ {want}"
        else:
            np.testing.assert_allclose(value, want, rtol=0, atol=tolerance, err_msg=key)


def test_case_files_present():
    names = {p.name for p in CASES_DIR.glob("*.yaml")}
    assert {"iusi_tramos.yaml", "brecha.yaml", "calibracion.yaml", "palanca_lineal.yaml",
            "palanca_s.yaml"} <= names


# ------------------------------------------------------------------------------------------------
# Base year reproduces the observed revenue exactly


def test_base_year_reproduces_observed_iusi_and_water():
    # Three municipalities: coherent, over-collected (cadastre undercounted), nothing observed.
    properties = np.array([[10, 20, 5, 2], [4, 8, 2, 1], [3, 3, 3, 3]], dtype=float)
    mean_value = np.array([1500, 15000, 50000, 125000], dtype=float)
    coverage = np.array([0.8, 0.5, 0.3])
    observed = np.array([2088.00, 9999.99, 0.0])
    full = iusi_by_bracket(properties, mean_value, IUSI_BOUNDS, IUSI_RATES_PER_MIL, coverage, 1.0)
    cal = calibrate(observed, full["billed"])
    np.testing.assert_array_equal(cal["out_of_range"], [False, True, False])
    base_year = iusi_by_bracket(properties * cal["base_scale"][:, None], mean_value, IUSI_BOUNDS,
                                IUSI_RATES_PER_MIL, coverage, cal["driver"])
    np.testing.assert_allclose(base_year["collected"], observed, rtol=1e-12, atol=1e-9)

    water_obs = np.array([252_000.0, 500_000.0])
    cal = calibrate(water_obs, water_revenue(1200, 25, 1.0))
    rebuilt = water_revenue(1200 * cal["base_scale"], 25, cal["driver"])
    np.testing.assert_allclose(rebuilt, water_obs, rtol=1e-12)


def test_calibrate_flags_unreproducible_data():
    cal = calibrate([100.0, -5.0], [0.0, 50.0])
    assert cal["out_of_range"].all()
    assert np.isnan(cal["base_scale"]).all()


# ------------------------------------------------------------------------------------------------
# Broadcasting over draws × municipalities × years


def test_iusi_broadcasts_over_draws_municipalities_years():
    draws, munis, years = 3, 2, 4
    properties = np.ones((munis, 1, 4)) * [10, 20, 5, 2]
    coverage = np.linspace(0.5, 0.9, years)                     # (years,)
    collection = np.full((draws, 1, 1), 0.6)                    # (draws, 1, 1)
    out = iusi_by_bracket(properties, [1500, 15000, 50000, 125000], IUSI_BOUNDS,
                          IUSI_RATES_PER_MIL, coverage, collection)
    assert out["collected"].shape == (draws, munis, years)
    assert out["collected_by_bracket"].shape == (draws, munis, years, 4)
    assert out["billed"].shape == (munis, years)  # billing does not depend on collection
    path = lever_path(np.zeros((draws, munis)), 1.0, 2025, 2028, np.arange(2024, 2030))
    assert path.shape == (draws, munis, 6)


# ------------------------------------------------------------------------------------------------
# Properties

share = st.floats(0.0, 1.0)
money = st.floats(0.0, 1e7)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=4, max_size=4),
       st.lists(money, min_size=4, max_size=4), share, share, st.floats(0.0, 5.0),
       st.booleans())
def test_iusi_finite_non_negative(props, values, coverage, collection, factor, marginal):
    out = iusi_by_bracket(props, values, IUSI_BOUNDS, IUSI_RATES_PER_MIL, coverage, collection,
                          factor, marginal=marginal)
    for key in ("billed", "collected", "billed_by_bracket"):
        assert np.all(np.isfinite(out[key])) and np.all(out[key] >= 0)
    assert out["collected"] <= out["billed"] + 1e-9


@settings(max_examples=60, deadline=None)
@given(money, share, share, st.floats(0.0, 500.0))
def test_services_finite_non_negative(n, collection, adults, fee):
    for value in (water_revenue(n, fee, collection), ornato_revenue(n, adults, collection, fee)):
        assert np.isfinite(value) and value >= 0


@settings(max_examples=60, deadline=None)
@given(money)
def test_whole_value_reading_never_below_marginal(value):
    assert iusi_tax(value, IUSI_BOUNDS, IUSI_RATES_PER_MIL) >= \
        iusi_tax(value, IUSI_BOUNDS, IUSI_RATES_PER_MIL, marginal=True) - 1e-9


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1e5), share, st.floats(0, 1e6), st.floats(0, 0.02), share,
       st.floats(0, 1e6), st.floats(0, 0.02))
def test_gap_parts_sum_to_total(base, coverage, valuation, rate, compliance, v_target, r_target):
    g = gap_decomposition(base, coverage, valuation, rate, compliance, v_target, r_target)
    parts = g["coverage_gap"] + g["valuation_gap"] + g["rate_gap"] + g["compliance_gap"] \
        + g["interaction"]
    scale = max(1.0, *(abs(float(v)) for v in g.values()))  # float rounding of the largest term
    assert abs(parts - g["total_gap"]) <= 1e-9 * scale
    assert abs(g["potential"] - g["actual"] - g["total_gap"]) <= 1e-9 * scale


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.integers(2000, 2040),
       st.integers(1, 15), st.sampled_from(["lineal", "s", "escalones"]))
def test_lever_path_monotone_and_exact(current, target, start, length, shape):
    target_year = start + length
    years = np.arange(start - 2, target_year + 3)
    path = lever_path(current, target, start, target_year, years, shape=shape)
    lo, hi = min(current, target), max(current, target)
    assert np.all(path >= lo) and np.all(path <= hi)
    steps = np.diff(path) * np.sign(target - current)
    assert np.all(steps >= -1e-9 * max(1.0, hi - lo))
    assert np.all(path[years <= start] == current)
    assert np.all(path[years >= target_year] == target)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5), money)
def test_implementation_cost_sums_to_total(weights, total):
    profile = np.array(weights) / np.sum(weights)
    cost = implementation_cost(total, 2026, np.arange(2025, 2035), profile)
    assert np.isclose(cost.sum(), total, rtol=1e-9, atol=1e-6)
    assert cost[0] == 0 and np.all(cost >= 0)
