"""``nexos validar``: every error of every file, and the bundled files pass."""

from __future__ import annotations

from tests.support import nexos


def test_validar_lists_every_error_of_every_file(tmp_path):
    good = tmp_path / "bueno.yaml"
    good.write_text("tendencia:\n  contraccion: 0.3\n", encoding="utf-8")
    bad = tmp_path / "malo.yaml"
    bad.write_text("tendencia:\n  contraccion: 3\n  metodo: magia\nextra: 1\n", encoding="utf-8")
    data = tmp_path / "datos.csv"
    data.write_text("municipio,anio,rubro,devengado\n0901,2020,10100,abc\n9999,2020,10100,1\n", encoding="utf-8")
    out = nexos("validar", str(good), str(bad), str(data))
    assert out.returncode == 1
    assert f"{good}: correcto" in out.stdout
    lines = out.stderr.strip().splitlines()
    assert sum("malo.yaml" in l for l in lines) == 3
    assert sum("datos.csv" in l for l in lines) >= 2
    assert "Traceback" not in out.stderr


def test_validar_bundled_parameters_pass():
    out = nexos("validar", "params/defaults.yaml", "params/escenarios/base.yaml",
                "params/escenarios/optimista.yaml", "params/escenarios/pesimista.yaml")
    assert out.returncode == 0, out.stderr
