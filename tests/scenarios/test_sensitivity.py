"""Tornado and Sobol' indices against hand-computed swings and variance shares."""

from __future__ import annotations

import pytest

from nexos_model.scenarios.sensitivity import bounds_from_specs, sobol, tornado


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
