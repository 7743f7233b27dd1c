"""The investment plan: new loans and their service, O&M after the plan, results the money cannot reach."""

from __future__ import annotations

import pytest

from nexos_model.investment.plan import LoanTerms, plan_investment
from tests.investment.support import project, settings, target


def test_new_loans_share_the_room_and_their_service_is_the_amortization_formula():
    """Capacity Q100 each year, 2-year loans: borrowing Q100 in 2026 uses the whole room in 2026
    and 2027, so a 2027 project that needs a new loan cannot also be paid (a decided loan of Q50
    in 2027 is not enough for it). The aporte (deuda.fuente_pago) has room to pay the service."""
    years = [2026, 2027]
    projects = [project("A", 100, sources=("prestamo_infom",), inicio_maximo=2026),
                project("B", 100, sources=("prestamo_infom",), inicio_minimo=2027)]
    space = {"prestamo_infom": {2026: 100, 2027: 150}, "aporte_constitucional": {2026: 200, 2027: 200}}
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


def test_the_plan_never_invests_what_its_own_loans_must_repay():
    """A 1-year loan of 100 at 8 % costs 108 of aporte in the year it is taken. With 150 of aporte,
    a project of 100 from the loan and one of 50 from the aporte cannot both be paid (108 + 50 >
    150); with 160 they can. Both methods keep the rule, and the checker agrees."""
    from nexos_model.investment.inputs import ProgrammeOptions
    from nexos_model.investment.verify import plan_violations

    years = [2026]
    projects = [project("Loan", 100, sources=("prestamo_infom",)),
                project("Cash", 50, sources=("aporte_constitucional",))]
    st = settings(peso_resultados=0)
    terms = LoanTerms(rate=0.08, term=1, payments_per_year=1)
    for aporte, both in ((150, False), (160, True)):
        space = {"prestamo_infom": {2026: 100}, "aporte_constitucional": {2026: aporte}}
        plan = plan_investment(projects, space, years, st, loans=terms, new_capacity={2026: 100})
        assert (len(plan.optimo.starts) == 2) is both
        funding = plan.financiamiento.set_index(["anio", "fuente"])
        row = funding.loc[(2026, "aporte_constitucional")]
        assert row["inversion"] + row["servicio_deuda"] <= aporte + 1e-6
        options = ProgrammeOptions(om_room=plan.om_room, borrowing=plan.borrowing)
        for programme in (plan.optimo, plan.orden):
            assert plan_violations(programme, plan.projects, plan.espacio, plan.years, options) == []


def test_om_is_paid_from_free_money_only():
    """O&M of 30 a year from 2027: own revenue is free money (20) and the aporte's free share (15)
    pays the rest; the earmarked aporte never pays operation. With 9 of free aporte it does not fit."""
    years = [2026, 2027]
    projects = [project("Planta", 50, sources=("aporte_constitucional",), costo_operacion_anual=30,
                        inicio_maximo=2026)]
    space = {"propios": [20, 20], "aporte_constitucional": [100, 100]}
    st = settings(peso_resultados=0)
    for free_aporte, fits in ((15, True), (9, False)):
        room = {"propios": [20, 20], "aporte_constitucional": [free_aporte, free_aporte]}
        plan = plan_investment(projects, space, years, st, om_room=room, post_horizon_room=35)
        assert bool(plan.optimo.starts) is fits and bool(plan.orden.starts) is fits
        if fits:
            effect = plan.efecto.set_index("anio")
            assert effect.loc[2027, "operacion_propios"] == pytest.approx(20)
            assert effect.loc[2027, "operacion_aporte_constitucional"] == pytest.approx(10)


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
