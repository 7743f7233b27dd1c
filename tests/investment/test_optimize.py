"""The optimal programme on hand cases: mandatory projects, dependencies, exclusive groups, O&M, the POA, the gain over the ranked fill."""

from __future__ import annotations

import pytest

from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.optimize import compare_methods, optimal_programme
from nexos_model.investment.project import FUENTES
from nexos_model.investment.ranked import ranked_fill
from tests.investment.support import brute_force, project, random_case


def test_mandatory_project_is_always_programmed():
    projects, space, years, scores = random_case(3)
    cheap = min(projects, key=lambda p: p.total_cost)
    projects = [p.model_copy(update={"mandatory": True}) if p is cheap else p for p in projects]
    space = space + 0.0
    space[FUENTES.index(cheap.sources[0])] += cheap.total_cost
    expected = brute_force(projects, space, years, scores)
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores))
    assert cheap.name in prog.starts
    assert prog.puntaje_total == pytest.approx(expected, rel=1e-6)


def test_hand_case_dependency_exclusive_om_and_poa():
    """Two years, Q100 of propios per year. The road (Q60, score 1) needs the study first."""
    years = [2026, 2027]
    projects = [
        project("Estudio", 30, inicio_minimo=2026, inicio_maximo=2026),
        project("Camino", 60, depende_de=["Estudio"]),
        project("Mercado A", 70, grupo_exclusivo="mercado"),
        project("Mercado B", 65, grupo_exclusivo="mercado"),
        project("Escuela", 40, costo_operacion_anual=50),
    ]
    space = {"propios": {2026: 100, 2027: 100}}
    scores = {"Estudio": 0.1, "Camino": 1.0, "Mercado A": 0.9, "Mercado B": 0.8, "Escuela": 0.7}
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores))
    # 2026: Estudio 30 + Mercado A 70; 2027: Camino 60 + Escuela 40 (its O&M starts after 2027,
    # and 50 <= 100 of propios after the horizon)
    assert prog.starts == {"Estudio": 2026, "Mercado A": 2026, "Camino": 2027, "Escuela": 2027}
    assert prog.puntaje_total == pytest.approx(2.7)
    reasons = dict(zip(prog.no_financiados["proyecto"], prog.no_financiados["razon"]))
    assert "alternativa de 'Mercado A'" in reasons["Mercado B"]
    assert set(prog.poa["proyecto"]) == {"Estudio", "Mercado A"}
    assert prog.poa["total"].sum() == pytest.approx(100)
    assert prog.operacion.set_index("anio").loc[2027, "operacion_nueva"] == 0
    # ranked fill: Camino first, but its dependency is not yet chosen -> skipped
    ranked = ranked_fill(projects, space, years, ProgrammeOptions(scores=scores))
    assert "Camino" not in ranked.starts
    assert ranked.puntaje_total < prog.puntaje_total


def test_om_reduces_later_propios_space():
    years = [2026, 2027]
    projects = [
        project("Planta", 50, costo_operacion_anual=60, inicio_maximo=2026),
        project("Parque", 50, inicio_minimo=2027),
    ]
    space = {"propios": {2026: 100, 2027: 100}}
    prog = optimal_programme(projects, space, years,
                             ProgrammeOptions(scores={"Planta": 1, "Parque": 1}, om_after_horizon=False))
    # Planta's O&M (60 in 2027) leaves 40 < 50 for Parque
    assert set(prog.starts) == {"Planta"}
    reason = prog.no_financiados.set_index("proyecto").loc["Parque", "razon"]
    assert "2027" in reason and "propios" in reason


def test_compare_reports_gain():
    projects, space, years, scores = random_case(5)
    comp = compare_methods(projects, space, years, ProgrammeOptions(scores=scores))
    assert comp.ganancia_pct >= -1e-9
    assert list(comp.summary()["metodo"]) == ["óptimo (MILP)", "orden de puntaje"]
