"""Why the mandatory projects do not fit, in Spanish, with the amounts that fall short (also through a whole plan)."""

from __future__ import annotations

import pytest

from nexos_model.errors import NexosError, ParameterError
from nexos_model.investment.optimize import optimal_programme
from nexos_model.investment.plan import plan_investment
from tests.investment.support import project, settings


def test_infeasible_mandatory_is_explained_in_spanish():
    years = [2026, 2027]
    projects = [
        project("Hospital", 500, sources=("codede",), obligatorio=True),
        project("Puesto", 10),
    ]
    with pytest.raises(ParameterError) as err:
        optimal_programme(projects, {"codede": [100, 100], "propios": [50, 50]}, years)
    text = str(err.value)
    assert "obligatorio 'Hospital' no cabe por sí solo" in text
    assert "codede" in text and "HiGHS" not in text and "status" not in text.lower()


def test_mandatory_projects_that_do_not_fit_together():
    years = [2026]
    projects = [project("A", 80, obligatorio=True), project("B", 80, obligatorio=True)]
    with pytest.raises(NexosError) as err:
        optimal_programme(projects, {"propios": [100]}, years)
    assert "juntos" in str(err.value) and "'A'" in str(err.value)


def test_mandatory_outside_window_is_explained():
    with pytest.raises(ParameterError) as err:
        optimal_programme([project("Relleno", 10, duration=3, obligatorio=True)], {"propios": [100, 100]},
                          [2026, 2027])
    assert "fuera de su ventana" in str(err.value)


def test_infeasible_mandatory_portfolio_is_explained_in_spanish_not_a_solver_error():
    years = [2026, 2027]
    projects = [project("Hospital", 500, sources=("codede",), obligatorio=True), project("Puesto", 10)]
    with pytest.raises(ParameterError) as err:
        plan_investment(projects, {"codede": [100, 100], "propios": [50, 50]}, years, settings())
    text = str(err.value)
    assert text.startswith("no hay programa factible con los proyectos obligatorios:")
    assert "el proyecto obligatorio 'Hospital' no cabe por sí solo" in text and "Q 500" in text
    assert "codede Q 100" in text and "status" not in text.lower() and "HiGHS" not in text


def test_mandatory_project_whose_om_never_fits_is_explained():
    with pytest.raises(ParameterError) as err:
        plan_investment([project("Planta", 50, costo_operacion_anual=120, obligatorio=True)],
                        {"propios": [100, 100]}, [2026, 2027], settings())
    assert "operación y mantenimiento (Q 120/año) no cabe en el dinero de libre uso después de 2027" in str(err.value)
