"""``nexos municipios``."""

from __future__ import annotations

from tests.support import nexos


def test_municipios_lists_340():
    out = nexos("municipios")
    assert out.returncode == 0
    assert out.stdout.strip().splitlines()[-1] == "340 municipios"
    assert "0901  Quetzaltenango (Quetzaltenango)" in out.stdout
