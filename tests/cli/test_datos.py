"""``nexos datos``: import once, list, project with no flag, remove; a bad file changes nothing."""

from __future__ import annotations

import os

import pandas as pd

from tests.support import BUDGET_YEAR, nexos, synthetic_export, write_lines


def test_import_list_project_and_remove(tmp_path):
    env = {**os.environ, "NEXOS_DATOS": str(tmp_path / "datos")}
    export = synthetic_export(tmp_path / "sicoin_1301_2020_2021.csv")
    out = nexos("datos", env=env)
    assert out.returncode == 0 and "No hay datos importados" in out.stdout
    out = nexos("datos", "importar", str(export), env=env)
    assert out.returncode == 0, out.stderr
    assert "1301 Huehuetenango: 2020-2021" in out.stdout and "datos observados" in out.stdout
    out = nexos("datos", env=env)
    assert "1301 Huehuetenango: 2020-2021  archivo sicoin_1301_2020_2021.csv, importado" in out.stdout
    assert "huella" in out.stdout
    # No --datos flag: the stored years are observed, with the file's amounts.
    target = tmp_path / "p.csv"
    out = nexos("proyectar", "--municipio", "1301", "--salida", str(target), env=env)
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(target)
    spans = table.groupby("tipo")["anio"].agg(["min", "max"])
    assert spans.loc["observado"].tolist() == [2016, 2021] and spans.loc["estimado"].tolist() == [2022, 2026]
    assert spans.loc["proyectado"].tolist() == [BUDGET_YEAR, BUDGET_YEAR + 9]
    rows = pd.read_csv(export, skiprows=1)
    tax = table.query("tipo == 'observado' and concepto == 'impuestos_directos'").set_index("anio")["valor"]
    assert tax[2020] == rows.query("Ejercicio == 2020 and Sección == 10100")["Devengado"].sum()
    out = nexos("datos", "quitar", "--municipio", "1301", "--anio", "2021", env=env)
    assert out.returncode == 0 and "2021" in out.stdout
    out = nexos("datos", "quitar", "--municipio", "1301", "--anio", "2021", env=env)
    assert out.returncode == 1 and "no hay datos importados de 1301 en 2021" in out.stderr


def test_a_malformed_export_exits_1_in_spanish_and_the_store_is_byte_identical(tmp_path):
    env = {**os.environ, "NEXOS_DATOS": str(tmp_path / "datos")}
    assert nexos("datos", "importar", str(synthetic_export(tmp_path / "bueno.csv")), env=env).returncode == 0
    stored = tmp_path / "datos" / "ingresos.parquet"
    before = stored.read_bytes()
    bad = write_lines(tmp_path / "malo.csv", ["Año,Municipio,Sección,Devengado", "2022,1301,10100,Q 1,2,3",
                                              "veinte,1301,10200,100"])
    out = nexos("datos", "importar", str(synthetic_export(tmp_path / "otro.csv", code="0901")), str(bad), env=env)
    assert out.returncode == 1
    assert "error: " in out.stderr and "malo.csv: fila 3, columna 'Año': el año no es válido" in out.stderr
    assert "Traceback" not in out.stderr
    assert stored.read_bytes() == before
    assert sorted(p.name for p in stored.parent.iterdir()) == [".ingresos.parquet.lock", "ingresos.parquet"]
