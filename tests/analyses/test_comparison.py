"""Scenario comparison and sensitivity of one municipality, in Python and through the CLI."""

from __future__ import annotations

import pandas as pd
import pytest

from nexos_model import run
from nexos_model.analyses.comparison import compare
from nexos_model.analyses.sensitivity import sobol_for, tornado_for
from tests.support import BUDGET_YEAR, nexos


def test_comparison_lists_outcomes_differences_and_changes():
    result = compare("1401", ["base", "optimista", "actualizacion_catastral"])
    out = result.outcomes
    base = out.query("escenario == 'base'")
    assert (base["diferencia_base"] == 0).all()
    reform = out.query("escenario == 'actualizacion_catastral' and resultado == 'iusi' and anio == 2029")
    assert reform["diferencia_base"].iloc[0] > 0
    changes = result.changes.query("escenario == 'actualizacion_catastral'")
    assert "palancas.iusi_cobertura.meta" in set(changes["clave"])
    assert changes["parametro"].str.contains("Cobertura catastral").any()
    assert result.changes.query("escenario == 'base'").empty


def test_tornado_swings_and_sobol_indices():
    table = tornado_for("1401", "actualizacion_catastral", "ingresos_propios")
    assert list(table["rango"]) == sorted(table["rango"], reverse=True)
    assert {"incertidumbre", "palanca"} <= set(table["rol"])
    assert "palancas.iusi_cobertura.meta" in set(table["parametro"])
    central = table.attrs["resultado_central"]
    assert table.attrs["anio"] == BUDGET_YEAR + 9  # the last projected year
    det = run("1401", "actualizacion_catastral").projection.query(
        f"concepto == 'ingresos_propios' and anio == {table.attrs['anio']}")["valor"].iloc[0]
    assert central == pytest.approx(det, rel=1e-12)
    indices = sobol_for("1401", "base", "espacio_fiscal", n=64)
    assert set(indices.columns) >= {"parametro", "primer_orden", "total"}
    assert indices["total"].max() > 0


def test_cli_simulations_comparison_and_sensitivity(tmp_path):
    out = nexos("proyectar", "--municipio", "1401", "--simulaciones", "300", "--semilla", "4",
                "--salida", str(tmp_path / "p.xlsx"))
    assert out.returncode == 0, out.stderr
    sheets = pd.read_excel(tmp_path / "p.xlsx", sheet_name=None)
    assert {"percentiles", "probabilidades"} <= set(sheets)
    out = nexos("comparar", "--municipio", "1401", "--escenarios", "base,pesimista", "--salida", str(tmp_path / "c.csv"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "c_cambios.csv").exists()
    out = nexos("sensibilidad", "--municipio", "1401", "--resultado", "espacio_fiscl", "--salida", str(tmp_path / "s.csv"))
    assert out.returncode == 1 and "¿quiso decir 'espacio_fiscal'?" in out.stderr
