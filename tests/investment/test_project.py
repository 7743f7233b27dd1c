"""Project validation across projects: a dependency cycle is an error."""

from __future__ import annotations

import pytest

from nexos_model.errors import ParameterError
from nexos_model.io.portfolio import load_portfolio


def test_cycle_is_an_error(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "proyectos:\n"
        "  - {nombre: A, sector: x, costo_total: 1, duracion: 1, fuentes: [propios], depende_de: [B]}\n"
        "  - {nombre: B, sector: x, costo_total: 1, duracion: 1, fuentes: [propios], depende_de: [A]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="dependencia circular"):
        load_portfolio(path)
