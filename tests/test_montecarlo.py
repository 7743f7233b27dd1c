"""Monte Carlo through the same projection: seeded, ordered, equal to the deterministic run at
zero variance, unbiased where the mean is known; comparison and sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import nexos
from nexos_model import run
from nexos_model.api import prepared_bundled
from nexos_model.params.loader import load_parameters
from nexos_model.projection import subset
from nexos_model.analyses.comparison import compare
from nexos_model.analyses.sensitivity import sobol_for, tornado_for
from nexos_model.scenarios.montecarlo import OUTCOMES, simulate
from nexos_model.scenarios.summary import COLUMNS

def _zero_spread() -> dict:
    """Every default uncertainty kept, with zero spread (an overlay merges, it cannot delete)."""
    out = {}
    for key, spec in load_parameters(None, None).params.uncertainty.distributions.items():
        if spec["distribucion"] == "triangular":
            out[key] = {**spec, "minimo": spec["moda"], "maximo": spec["moda"]}
        else:
            out[key] = {**spec, "desviacion": 0.0}
    return out


NO_UNCERTAINTY = {"incertidumbre.distribuciones": _zero_spread(),
                  "incertidumbre.error_tendencia": 0.0, "incertidumbre.error_crecimiento": 0.0}


def setup(code, escenario="base", overrides=None):
    params = load_parameters(code, escenario, overrides).params
    prepared = prepared_bundled("devengado", 5.0, 50_000.0, True)
    ctx, growth = prepared.context(params.projection.horizon)
    return subset(prepared.inputs, [code]), params, ctx, growth


def test_percentiles_are_ordered_and_the_same_seed_repeats():
    a = run("1401", "base", simulaciones=500, semilla=11)
    b = run("1401", "base", simulaciones=500, semilla=11)
    pd.testing.assert_frame_equal(a.percentiles, b.percentiles)
    pd.testing.assert_frame_equal(a.probabilities, b.probabilities)
    values = a.percentiles[list(COLUMNS)].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-6).all()
    c = run("1401", "base", simulaciones=500, semilla=12)
    assert not a.percentiles[list(COLUMNS)].equals(c.percentiles[list(COLUMNS)])
    assert set(a.percentiles["concepto"]) == set(OUTCOMES)
    assert a.probabilities["probabilidad"].between(0, 1).all()


def test_chunking_does_not_change_the_draws():
    inputs, params, ctx, growth = setup("0901")
    one = simulate(inputs, params, ctx, growth, 300, 5, chunk=300)
    many = simulate(inputs, params, ctx, growth, 300, 5, chunk=64)
    pd.testing.assert_frame_equal(one.percentiles, many.percentiles)
    pd.testing.assert_frame_equal(one.probabilities, many.probabilities)


@pytest.mark.parametrize("escenario, extra", [
    ("base", {}),
    ("actualizacion_catastral", {"deuda.nuevo_prestamo.monto": 2_000_000}),
])
def test_zero_variance_equals_the_deterministic_run_exactly(escenario, extra):
    overrides = {**NO_UNCERTAINTY, **extra}
    result = run("1401", escenario, overrides, simulaciones=200, semilla=3)
    det = result.projection.pivot_table(index=["anio", "concepto"], values="valor")["valor"]
    for column in (*COLUMNS, "media"):
        got = result.percentiles.set_index(["anio", "concepto"])[column]
        np.testing.assert_array_equal(got.to_numpy(), det.reindex(got.index).to_numpy())


def test_sample_mean_converges_to_the_analytic_mean():
    """Trend error only: revenue = path × exp(σ ε + τ h η − τ² h²/2), lognormal, so the mean is
    path × exp(σ²/2) and the median path × exp(−τ² h²/2)."""
    sigma, tau = 0.3, 0.05
    overrides = {**NO_UNCERTAINTY, "incertidumbre.error_tendencia": sigma, "incertidumbre.error_crecimiento": tau}
    inputs, params, ctx, growth = setup("1301", "base", overrides)
    sim = simulate(inputs, params, ctx, growth, 40_000, 9, outcomes=("multas",))
    det = run("1301", "base", overrides).projection.query("concepto == 'multas'").set_index("anio")["valor"]
    mean = sim.percentiles.set_index("anio")["media"]
    h = np.arange(1, len(det) + 1)
    np.testing.assert_allclose(mean.to_numpy(), det.to_numpy() * np.exp(sigma**2 / 2), rtol=0.01)
    median = sim.percentiles.set_index("anio")["p50"]
    np.testing.assert_allclose(median.to_numpy(), det.to_numpy() * np.exp(-(tau**2 * h**2) / 2), rtol=0.02)


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
    det = run("1401", "actualizacion_catastral").projection.query(
        "concepto == 'ingresos_propios' and anio == 2029")["valor"].iloc[0]
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
