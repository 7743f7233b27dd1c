"""Own-source revenue by stream in run(): calibration, levers year by year, potential and gap,
property tests and Spanish validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nexos_model import run
from nexos_model.api import prepared_default
from nexos_model.errors import ParameterError
from nexos_model.fiscal.space import NationalFigures
from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.projection import end_year, project_arrays, subset
from nexos_model.revenue import levers
from tests.support import BUDGET_YEAR, projected_wide

STILL = {"macro.inflacion": 0.0, "macro.crecimiento_poblacion": 0.0,
         "macro.crecimiento_poblacion_historico": 0.0}


def test_streams_add_up_to_own_revenue_and_concepts():
    result = run("1401", "base")
    w = projected_wide(result, "1401")
    streams = ["iusi", "ornato", "arbitrios", "tasas_servicios", "licencias", "multas", "agua", "mercados",
               "rastro_cementerio", "servicios", "rentas", "otros"]
    np.testing.assert_allclose(w[streams].sum(axis=1), w["ingresos_propios"], rtol=1e-10)
    np.testing.assert_allclose(w["iusi"], w["impuestos_directos"], rtol=1e-10)  # IUSI is all of 10100


@pytest.mark.parametrize("code", ["0901", "1401", "1301", "0801"])
def test_driver_streams_reproduce_the_base_year_exactly(code):
    """With no growth of any driver, the driver models repeat the base year: the calibration
    (implied collection or compliance, or a scaled base) reproduces the observed value. (The
    observed inflation of the estimated years is taken out: it is growth.)"""
    overrides = {**STILL, "ingresos_propios.impulsores.iusi.crecimiento_real_valor": 0.0}
    result = run(code, "base", overrides)
    params = load_parameters(code, "base", overrides).params
    prepared = prepared_default("devengado", 5.0, 50_000.0, True)
    ctx, growth = prepared.context(end_year(params.calendar))
    still = dataclasses.replace(ctx, figures=NationalFigures(aporte_totals=ctx.figures.aporte_totals))
    streams = project_arrays(subset(prepared.inputs, [code]), Values(params), still, growth).streams
    for s, name in enumerate(streams.names):
        if streams.methods[s] == "impulsores":
            path = np.asarray(streams.revenue[name])[0, 0]
            np.testing.assert_allclose(path, streams.base[0, s], rtol=1e-12, atol=1e-6)
    calibration = result.calibration
    assert set(calibration["flujo"]) == {"iusi", "agua", "ornato"}
    assert calibration["valor"].between(0, 1).all()


def test_cadastre_update_raises_iusi_year_by_year_as_its_path_says():
    code = "1401"
    base = run(code, "base")
    reform = run(code, "actualizacion_catastral")
    lever = reform.params.params.levers.iusi_coverage
    years = reform.arrays[code].years
    coverage = np.asarray(reform.arrays[code].streams.drivers["iusi"]["coverage"])[0, 0]
    current = load_parameters(code, "base").params.own_revenue.drivers.iusi.coverage
    expected = levers.lever_path(current, lever.target, lever.start_year, lever.target_year, years, lever.shape)
    np.testing.assert_allclose(coverage, expected)
    assert coverage[list(years).index(lever.target_year)] == pytest.approx(lever.target)
    ratio = projected_wide(reform, code)["iusi"] / projected_wide(base, code)["iusi"]
    start = lever.start_year
    assert start == BUDGET_YEAR  # the scenario's years follow the calendar
    np.testing.assert_allclose(ratio.loc[:start], 1.0)  # nothing changes up to the start year
    assert (np.diff(ratio.loc[start:lever.target_year].to_numpy()) > 0).all()  # more of the gap closed each year
    cost = projected_wide(reform, code)["costo_reformas"]
    assert cost.sum() == pytest.approx(lever.cost) and cost.loc[start] == pytest.approx(0.5 * lever.cost)


def test_a_lever_below_the_current_value_changes_nothing_and_says_so():
    result = run("0901", "mejora_cobranza")  # collection calibrated at 1 already
    assert any("no supera el valor actual" in n for n in result.notes["0901"])
    np.testing.assert_allclose(projected_wide(result, "0901")["iusi"], projected_wide(run("0901", "base"), "0901")["iusi"])


def test_gap_parts_add_up_and_potential_exceeds_actual():
    gaps = run("1401", "base").gaps
    table = gaps.pivot_table(index=["flujo", "anio"], columns="componente", values="valor")
    parts = ["brecha_cobertura", "brecha_valuacion", "brecha_tasa", "brecha_cumplimiento", "interaccion"]
    np.testing.assert_allclose(table[parts].sum(axis=1), table["brecha_total"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(table["potencial"] - table["recaudacion"], table["brecha_total"], rtol=1e-9)
    assert (table["brecha_total"] >= -1e-6).all()
    per_capita = gaps.query("componente == 'potencial'")
    assert (per_capita["per_capita"] > 0).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    coverage=st.floats(0.01, 1.0), valuation=st.floats(0.01, 1.5), indexation=st.floats(0, 1),
    target=st.floats(0, 1), tariff=st.floats(0, 2000), fee=st.floats(0, 150),
    start=st.integers(2019, 2027), length=st.integers(1, 8), shape=st.sampled_from(["lineal", "s", "escalones"]),
    inflation=st.floats(-0.1, 0.5), real=st.floats(-0.2, 0.3),
)
def test_any_valid_parameters_give_finite_non_negative_revenue(coverage, valuation, indexation, target, tariff,
                                                                fee, start, length, shape, inflation, real):
    overrides = {
        "ingresos_propios.impulsores.iusi.cobertura_catastral": coverage,
        "ingresos_propios.impulsores.iusi.factor_avaluo": valuation,
        "ingresos_propios.impulsores.iusi.indexacion_avaluo": indexation,
        "ingresos_propios.impulsores.iusi.crecimiento_real_valor": real,
        "ingresos_propios.impulsores.agua.tarifa_mensual": tariff,
        "ingresos_propios.impulsores.ornato.cuota_media": fee,
        "macro.inflacion": inflation,
        "palancas.iusi_cobertura": {"meta": target, "anio_inicio": start, "anio_meta": start + length,
                                    "forma": shape, "costo_total": 1000, "perfil_costo": [1.0]},
        "palancas.agua_tarifa": {"meta": tariff * 1.5, "anio_inicio": start, "anio_meta": start + length,
                                 "forma": shape, "costo_total": 0, "perfil_costo": [1.0]},
    }
    w = projected_wide(run("1301", "base", overrides), "1301")
    revenue = w[["ingresos_propios", "iusi", "agua", "ornato", "transferencias", "espacio_fiscal"]]
    assert np.isfinite(revenue.to_numpy()).all()
    assert (revenue.to_numpy() >= -1e-6).all()


@pytest.mark.parametrize("overrides, fragment", [
    ({"ingresos_propios.impulsores.iusi.cobertura_catastral": 1.5}, "cobertura_catastral: fuera de rango"),
    ({"ingresos_propios.impulsores.iusi.tasas_por_millar": [0, 2]}, "tasas_por_millar"),
    ({"palancas.iusi_cobro": {"meta": 0.9, "anio_inicio": 2025, "anio_meta": 2022, "forma": "lineal",
                              "costo_total": 0, "perfil_costo": [1.0]}}, "anio_meta (2022) debe ser posterior"),
    ({"ingresos_propios.flujos.iusi.conceptos": {"impuestos_directos": 0.5}}, "suman 0.5"),
    ({"ingresos_propios.flujos.arbitrios.metodo": "impulsores"}, "'impulsores' solo existe"),
    ({"transferencias.aporte_constitucional.ponderaciones.poblacion": 0.5}, "deben ser ≥ 0 y sumar 1"),
    ({"incertidumbre.distribuciones": {"macro.inflacion_historica": {"distribucion": "normal", "desviacion": 0.01}}},
     "no es un parámetro declarado como incertidumbre"),
])
def test_absurd_parameters_get_a_spanish_error(overrides, fragment):
    with pytest.raises(ParameterError) as info:
        run("1301", "base", overrides)
    assert any(fragment in m for m in info.value.messages), info.value.messages
