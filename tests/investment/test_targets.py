"""Strategic results: a count converted to percentage points, targets that go down, and their weight in the objective."""

from __future__ import annotations

import pytest

from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.optimize import optimal_programme
from nexos_model.params.investment_schema import ResultTarget
from tests.investment.support import project, target


def test_results_weight_buys_progress_the_score_alone_would_not():
    years = [2026]
    projects = [project("Parque", 100), project("Red de agua", 100, resultados={"agua": 500})]
    scores = {"Parque": 0.5, "Red de agua": 0.4}
    targets = {"agua": target(linea_base=1000, meta=1500, anio_meta=2030)}
    plain = optimal_programme(projects, {"propios": [100]}, years,
                              ProgrammeOptions(scores=scores, results_targets=targets))
    assert set(plain.starts) == {"Parque"}
    valued = optimal_programme(projects, {"propios": [100]}, years,
                               ProgrammeOptions(scores=scores, results_targets=targets, result_weight=1.0))
    assert set(valued.starts) == {"Red de agua"} and valued.objetivo == pytest.approx(1.4)


def test_denominator_turns_households_into_percentage_points_and_targets_can_go_down():
    coverage = ResultTarget.model_validate(target(unidad="%", linea_base=72, meta=90, anio_base=2019,
                                                  anio_meta=2030, denominador=20000))
    assert coverage.effect(1200) == pytest.approx(6.0)  # 1,200 households of 20,000 = 6 points
    assert coverage.value_with(1200) == pytest.approx(78.0)
    assert coverage.share_of_gap(1200) == pytest.approx(6 / 18)
    assert coverage.path(2019) == 72 and coverage.path(2030) == 90 and coverage.path(2035) == 90
    malnutrition = ResultTarget.model_validate(target(unidad="%", linea_base=46, meta=36))
    assert malnutrition.value_with(4) == pytest.approx(42) and malnutrition.share_of_gap(4) == pytest.approx(0.4)
