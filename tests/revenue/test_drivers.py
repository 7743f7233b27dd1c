"""Driver models of own revenue (IUSI, water, ornato): hand cases in YAML, calibration to the base year, properties."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as st

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
from nexos_model.revenue.levers import lever_path
from tests.support import ROOT


CASES_DIR = ROOT / "tests" / "cases" / "revenue"


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
