"""Strategic progress against the linear target path."""

from __future__ import annotations

import pytest

from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.optimize import optimal_programme
from nexos_model.investment.progress import strategic_progress
from tests.investment.support import project


def test_strategic_progress_against_linear_path():
    years = [2026, 2027]
    projects = [project("Agua", 50, duration=2, resultados={"cobertura_agua": 400}),
                project("Pozo", 100, resultados={"cobertura_agua": 100})]
    prog = optimal_programme(projects, {"propios": [50, 50]}, years, ProgrammeOptions(scores={"Agua": 1, "Pozo": 1}))
    target = {"indicador": "Hogares con agua", "unidad": "hogares", "anio_base": 2025, "linea_base": 1000,
              "anio_meta": 2027, "meta": 2000}
    table, summary, messages = strategic_progress(prog, {"cobertura_agua": target})
    row = table.set_index("anio").loc[2027]
    assert row["programado"] == 1400 and row["meta_lineal"] == 2000
    assert table.set_index("anio").loc[2026, "meta_lineal"] == 1500
    assert summary.loc[0, "avance_brecha"] == pytest.approx(0.4)
    assert "faltan proyectos" in summary.loc[0, "situacion"]
    assert len(messages) == 1 and "faltan proyectos" in messages[0]
