"""The investment plan: new loans and their service, O&M after the plan, results the money cannot reach."""

from __future__ import annotations

import pytest

from nexos_model.investment.plan import LoanTerms, plan_investment
from tests.investment.support import project, settings, target


def test_new_loans_share_the_room_and_their_service_is_the_amortization_formula():
    """Capacity Q100 each year, 2-year loans: borrowing Q100 in 2026 uses the whole room in 2026
    and 2027, so a 2027 project that needs a new loan cannot also be paid (a decided loan of Q50
    in 2027 is not enough for it)."""
    years = [2026, 2027]
    projects = [project("A", 100, sources=("prestamo_infom",), inicio_maximo=2026),
                project("B", 100, sources=("prestamo_infom",), inicio_minimo=2027)]
    space = {"prestamo_infom": {2026: 100, 2027: 150}}
    st = settings(peso_resultados=0)
    plan = plan_investment(projects, space, years, st, loans=LoanTerms(rate=0.08, term=2, payments_per_year=1),
                           new_capacity={2026: 100, 2027: 100})
    assert len(plan.optimo.starts) == 1  # one or the other, never both
    alone = plan_investment(projects, space, years, st, loans=LoanTerms(rate=0.08, term=1, payments_per_year=1),
                            new_capacity={2026: 100, 2027: 100})
    assert set(alone.optimo.starts) == {"A", "B"}  # one-year loans do not overlap
    effect = alone.efecto.set_index("anio")
    # A: new loan of 100 in 2026; B: 100 in 2027, of which 50 from the decided loan -> new loan 50
    assert effect.loc[2026, "desembolso_prestamo"] == pytest.approx(100)
    assert effect.loc[2027, "desembolso_prestamo"] == pytest.approx(50)
    assert effect.loc[2026, "servicio_deuda"] == pytest.approx(108)  # 1 year at 8 %: 100 + 8
    assert effect.loc[2027, "servicio_deuda"] == pytest.approx(54)
    two = plan_investment([projects[0]], space, years, st, loans=LoanTerms(rate=0.08, term=2, payments_per_year=1),
                          new_capacity={2026: 100, 2027: 100}).efecto.set_index("anio")
    payment = 100 * 0.08 / (1 - 1.08 ** -2)  # French annuity
    assert two.loc[2026, "servicio_deuda"] == pytest.approx(payment)
    assert two.loc[2027, "servicio_deuda"] == pytest.approx(payment)
    assert two.loc[2026, "intereses"] == pytest.approx(8)
    assert two.loc[2027, "saldo_deuda"] == pytest.approx(0, abs=1e-9)


def test_om_effect_goes_on_after_the_plan_and_undeclared_om_is_estimated():
    years = [2026, 2027]
    projects = [project("Planta", 100, costo_operacion_anual=5), project("Parque", 50)]
    plan = plan_investment(projects, {"propios": [100, 100]}, years, settings(), om_share=0.04,
                           effect_years=range(2026, 2031))
    effect = plan.efecto.set_index("anio")["operacion_mantenimiento"]
    starts = plan.optimo.starts
    expected = {y: sum(om for n, om in (("Planta", 5), ("Parque", 2)) if n in starts and y > starts[n])
                for y in range(2026, 2031)}
    assert effect.to_dict() == pytest.approx(expected)
    assert effect.loc[2030] == 7
    assert any("'Parque'" in a and "4.0 %" in a for a in plan.avisos)


def test_plan_reports_which_results_the_money_cannot_reach():
    years = [2026, 2027]
    projects = [project("Pozo", 100, resultados={"agua": 20}), project("Red", 300, resultados={"agua": 60}),
                project("Aulas", 50, resultados={"aulas": 4})]
    st = settings(resultados={
        "agua": target(indicador="Cobertura de agua", unidad="%", linea_base=50, meta=80, anio_meta=2027),
        "aulas": target(indicador="Aulas nuevas", unidad="aulas", linea_base=0, meta=10, anio_meta=2027),
    })
    plan = plan_investment(projects, {"propios": [100, 100]}, years, st)
    summary = plan.resultados_metas.set_index("resultado")
    assert "falta dinero" in summary.loc["agua", "situacion"]  # the whole portfolio would reach 130
    assert "faltan proyectos" in summary.loc["aulas", "situacion"]  # 4 classrooms of 10
    assert summary.loc["aulas", "con_toda_la_cartera"] == 4
    assert any(a.startswith("Aulas nuevas:") and "faltan proyectos" in a for a in plan.avisos)
    table = plan.resultados.set_index(["resultado", "anio"])
    assert table.loc[("agua", 2027), "meta_lineal"] == 80
