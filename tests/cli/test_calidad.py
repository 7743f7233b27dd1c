"""``nexos calidad``."""

from __future__ import annotations

from tests.support import nexos


def test_calidad_names_municipality_year_and_line():
    out = nexos("calidad", "--municipio", "0101")
    assert out.returncode == 0
    assert "0101 2017 devengado_sin_percibir: rubro 11200" in out.stdout
