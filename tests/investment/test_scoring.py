"""The multi-criteria score, criterion by criterion, and its documented default weights."""

from __future__ import annotations

import pytest

from nexos_model.errors import ParameterError
from nexos_model.investment.scoring import DEFAULT_WEIGHTS, score_projects
from nexos_model.params.loader import load_parameters
from tests.investment.support import project


def test_scores_each_criterion():
    projects = [
        project("A", 100, alineacion=5, beneficiarios=100, sector="agua", resultados={"agua": 50}),
        project("B", 1000, alineacion=0, beneficiarios=10, sector="vial"),
    ]
    table = score_projects(projects, {"alineacion": 0.5, "costo_por_beneficiario": 0.5},
                           sector_priority={"agua": 1.0})
    a, b = table.set_index("proyecto").loc["A"], table.set_index("proyecto").loc["B"]
    assert a["puntaje"] == pytest.approx(1.0) and b["puntaje"] == pytest.approx(0.0)
    assert a["indice_prioridad_sector"] == 1.0 and b["indice_prioridad_sector"] == 0.5
    with pytest.raises(ParameterError, match="criterio desconocido"):
        score_projects(projects, {"belleza": 1})


def test_default_weights_are_the_documented_defaults():
    assert load_parameters(None, None).params.investment.weights.as_dict() == DEFAULT_WEIGHTS
