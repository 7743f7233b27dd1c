"""The planning calendar: the default budget year from today's date, the years that follow it,
the keys it replaced, and what each year's figures are."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nexos_model.errors import ParameterError
from nexos_model.io.bundled import data_path
from nexos_model.params.calendar_schema import default_budget_year, fill_calendar, reference_date, year_kinds
from nexos_model.params.loader import flatten, load_parameters
from tests.support import BUDGET_YEAR, TODAY


@pytest.mark.parametrize("today, budget", [
    ("2026-12-05", 2027),  # the month councils approve next year's budget
    ("2026-12-31", 2027),
    ("2027-01-01", 2028),  # the 2027 budget is now executed; the next one is prepared
    ("2027-03-15", 2028),  # March: the draft for 2028 is due in October
    ("2027-10-05", 2028),  # first week of October: the draft goes to the council
])
def test_the_budget_being_prepared_is_always_next_years(monkeypatch, today, budget):
    monkeypatch.setenv("NEXOS_HOY", today)
    assert default_budget_year(reference_date()) == budget
    assert load_parameters("1301", "base").params.calendar.budget_year == budget


def test_the_rule_follows_the_budget_law_as_bundled():
    """Código Municipal art. 131, as the bundled calendar quotes it: draft in the first week of
    October, approval by 15 December of the year before the budget [C]."""
    table = pd.read_csv(data_path("calendario_presupuesto_municipal_planificacion.csv")).set_index("evento")
    assert table.at["aprobacion_presupuesto_municipal", "fecha_o_regla"] == "a más tardar el 15 de diciembre"
    assert table.at["presentacion_proyecto_presupuesto_municipal", "fecha_o_regla"] == "primera semana de octubre"
    assert set(table.loc[["aprobacion_presupuesto_municipal", "presentacion_proyecto_presupuesto_municipal"],
                         "certeza"]) == {"C"}


def test_without_a_fixed_date_the_system_date_is_today(monkeypatch):
    monkeypatch.delenv("NEXOS_HOY")
    before = dt.date.today()
    year = load_parameters(None, None).params.calendar.budget_year
    assert year in {before.year + 1, dt.date.today().year + 1}


def test_the_tests_run_as_of_one_fixed_date():
    assert reference_date() == dt.date.fromisoformat(TODAY)
    assert load_parameters(None, None).params.calendar.budget_year == BUDGET_YEAR


def test_a_malformed_date_is_a_spanish_error(monkeypatch):
    monkeypatch.setenv("NEXOS_HOY", "5/12/2026")
    with pytest.raises(ParameterError, match="NEXOS_HOY: fecha no válida .*AAAA-MM-DD"):
        load_parameters(None, None)


def test_reforms_and_the_new_loan_follow_the_budget_year():
    p = load_parameters("0901", "actualizacion_catastral", {"calendario.anio_presupuesto": 2030}).params
    assert (p.levers.iusi_coverage.start_year, p.levers.iusi_coverage.target_year) == (2030, 2033)
    assert (p.levers.iusi_valuation.start_year, p.levers.iusi_valuation.target_year) == (2030, 2033)
    assert p.debt.new_loan.start_year == 2030
    short = load_parameters("0901", "base", {"calendario.anios_plan": 1}).params
    assert short.levers.water_tariff.target_year == short.levers.water_tariff.start_year + 1


def test_years_written_by_the_user_are_kept():
    p = load_parameters("0901", "actualizacion_catastral", {
        "palancas.iusi_cobertura.anio_inicio": 2028, "palancas.iusi_cobertura.anio_meta": 2035,
        "deuda.nuevo_prestamo.anio": 2029}).params
    assert (p.levers.iusi_coverage.start_year, p.levers.iusi_coverage.target_year) == (2028, 2035)
    assert p.debt.new_loan.start_year == 2029


#: Year parameters that do not follow the calendar, and why: each is a dated fact or a rule's anchor.
FIXED_YEARS = {
    "calendario.inicio_periodo_concejo": "a term began on 15 January 2024; the rule gives every other",
    "transferencias.iva_paz.anio_base": "the year of the IVA collection figure (SAT 2024)",
}


@pytest.mark.parametrize("escenario", ["base", "actualizacion_catastral", "mejora_cobranza", "optimista", "pesimista"])
def test_no_year_in_the_defaults_goes_stale(monkeypatch, escenario):
    """Run the same parameters as of two dates four years apart: every year parameter moves with
    the calendar, except the few dated facts in FIXED_YEARS."""
    def years(today):
        monkeypatch.setenv("NEXOS_HOY", today)
        flat = flatten(load_parameters(None, escenario).raw)
        return {k: v for k, v in flat.items() if isinstance(v, int) and
                (k.split(".")[-1] == "anio" or k.split(".")[-1].startswith(("anio_", "inicio_")))}

    now, later = years("2026-12-05"), years("2030-12-05")
    assert set(now) == set(later)
    fixed = {k for k in now if now[k] == later[k]}
    assert fixed == set(FIXED_YEARS)
    assert all(later[k] - now[k] == 4 for k in now if k not in fixed)


def test_the_budget_year_enters_the_parameters_fingerprint(monkeypatch):
    now = load_parameters("1301", "base").digest()
    monkeypatch.setenv("NEXOS_HOY", "2027-12-05")
    assert load_parameters("1301", "base").digest() != now


def test_old_keys_name_the_key_that_replaced_them_with_every_other_error():
    with pytest.raises(ParameterError) as info:
        load_parameters("0901", "base", {"proyeccion.horizonte": 12, "inversion.anio_inicio": 2027,
                                         "reglas.fin_periodo_alcalde": 2027, "tendencia.contraccion": 7})
    text = "\n".join(info.value.messages)
    assert "ajustes: proyeccion.horizonte: clave reemplazada (se esperaba: calendario.horizonte" in text
    assert "inversion.anio_inicio: clave reemplazada (se esperaba: calendario.anio_presupuesto" in text
    assert "reglas.fin_periodo_alcalde: clave reemplazada (se esperaba: calendario.inicio_periodo_concejo" in text
    assert "tendencia.contraccion: fuera de rango" in text
    assert "clave desconocida" not in text  # reported once, as moved


def test_fill_leaves_wrong_types_to_validation():
    merged = {"calendario": {"anio_presupuesto": "pronto", "anios_plan": 4},
              "palancas": {"iusi_cobro": {"anio_inicio": None, "anio_meta": None}}}
    fill_calendar(merged, dt.date(2026, 12, 5))
    assert merged["palancas"]["iusi_cobro"] == {"anio_inicio": None, "anio_meta": None}
    with pytest.raises(ParameterError, match="calendario.anio_presupuesto: debe ser un número entero"):
        load_parameters(None, None, {"calendario.anio_presupuesto": "pronto"})


def test_year_kinds():
    years = np.arange(2016, 2031)
    kinds = year_kinds(years, 2019, 2027)
    assert list(kinds[:4]) == ["observado"] * 4
    assert list(kinds[4:11]) == ["estimado"] * 7
    assert list(kinds[11:]) == ["proyectado"] * 4
    # Data up to the year before the budget: nothing is estimated.
    assert "estimado" not in year_kinds(years, 2026, 2027)


@pytest.mark.parametrize("budget, term", [(2027, 1), (2028, 3), (2029, 3), (2030, 2), (2031, 1), (2032, 3)])
def test_the_new_loan_runs_as_long_as_infom_and_the_councils_term_allow(budget, term):
    """Código Municipal art. 110 bis: a loan ends within the term of the council that takes it
    (terms 2024-2028, 2028-2032: last full years 2027, 2031); INFOM: 3 years at most."""
    from nexos_model.params.calendar_schema import longest_loan_term

    p = load_parameters("0901", "base", {"calendario.anio_presupuesto": budget}).params
    assert p.debt.new_loan.term == term == longest_loan_term(budget, 2024, 4, 3)
    assert load_parameters("0901", "base", {"deuda.nuevo_prestamo.plazo": 3}).params.debt.new_loan.term == 3
