"""Sensitivity of one outcome of one municipality: tornado swings and Sobol' indices over the
declared uncertainties and the active levers, on the vectorized projection core."""

from __future__ import annotations

import difflib
from typing import Any, Mapping

import numpy as np
import pandas as pd

from nexos_model import catalog
from nexos_model.api import check_budget_year, prepared_default, single_municipio
from nexos_model.errors import NexosError
from nexos_model.params.keys import lookup
from nexos_model.params.loader import load_parameters
from nexos_model.params.schema import field_metadata
from nexos_model.params.uncertainty import uncertainty_specs
from nexos_model.params.values import Values
from nexos_model.projection import end_year, project_arrays, projection_years, subset
from nexos_model.scenarios.sensitivity import bounds_from_specs, sobol, tornado

__all__ = ["sobol_for", "tornado_for"]


def _sensitivity_setup(municipio: str | int, escenario: str, resultado: str, anio: int | None,
                       overrides: Mapping[str, Any] | None):
    """The vectorized model (inputs by key -> outcome per row) and its central values."""
    codes = [single_municipio(municipio, "la sensibilidad")]
    params = load_parameters(codes[0], escenario, overrides).params
    q = params.quality
    prepared = prepared_default(params.projection.measure, q.outlier_factor, q.outlier_floor,
                                q.flagged_values == "excluir")
    check_budget_year(params, codes[0], prepared.last_observed(codes[0]))
    ctx, growth = prepared.context(end_year(params.calendar))
    inputs = subset(prepared.inputs, codes)
    years = projection_years(inputs, Values(params))
    year = int(years[-1]) if anio is None else int(anio)
    if year not in years:
        raise NexosError(f"--anio {anio}: fuera de la proyección ({years[0]}-{years[-1]})")
    known = set(catalog.concepts().index) | set(catalog.result_lines().index)
    if resultado not in known:
        hint = difflib.get_close_matches(resultado, sorted(known), n=1)
        tip = f"; ¿quiso decir '{hint[0]}'?" if hint else ""
        raise NexosError(f"--resultado {resultado}: resultado desconocido{tip} (p. ej. ingresos_propios, "
                         f"espacio_fiscal, iusi, ahorro_corriente)")
    t = int(np.searchsorted(years, year))

    def model(values: dict[str, np.ndarray]) -> np.ndarray:
        rows = len(next(iter(values.values())))
        v = Values(params, values)
        v.n_draws = rows
        arrays = project_arrays(inputs, v, ctx, growth)
        return np.array(np.broadcast_to(np.asarray(arrays.lines[resultado]), (1, rows, len(years)))[0, :, t])

    specs = uncertainty_specs(params)
    central = {key: float(spec.central()) for key, spec in specs.items()}
    lever_bounds: dict[str, tuple[float, float]] = {}
    for key, lever in params.levers.active().items():
        meta_key = f"palancas.{key}.meta"
        high = lever.target * 1.2 if key in ("agua_tarifa", "ornato_cuota") else min(1.0, lever.target * 1.2)
        central[meta_key] = lever.target
        lever_bounds[meta_key] = (lever.target * 0.8, high)
    loan = params.debt.new_loan.amount
    if loan > 0:
        central["deuda.nuevo_prestamo.monto"] = loan
        lever_bounds["deuda.nuevo_prestamo.monto"] = (loan * 0.5, loan * 1.5)
    staff = lookup(params, "gasto.funcionamiento.crecimiento_plantilla")
    staff_value = float(next(iter(staff.values()))) if len(set(staff.values())) == 1 else None
    if staff_value is not None:
        central["gasto.funcionamiento.crecimiento_plantilla"] = staff_value
        lever_bounds["gasto.funcionamiento.crecimiento_plantilla"] = (staff_value - 0.01, staff_value + 0.01)
    return model, specs, central, lever_bounds, year


def _labelled(table: pd.DataFrame) -> pd.DataFrame:
    table.insert(1, "etiqueta", [field_metadata(k)[0].get("etiqueta_completa", k) for k in table["parametro"]])
    table.insert(2, "rol", [field_metadata(k)[0].get("rol", "") for k in table["parametro"]])
    return table


def tornado_for(municipio: str | int, escenario: str, resultado: str, anio: int | None = None,
                overrides: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One-at-a-time swings of ``resultado`` in ``anio`` (default: last projected year): each
    uncertainty at its p05 and p95, each active lever ±20 % (loans ±50 %, staff growth ±1 point)."""
    model, specs, central, lever_bounds, year = _sensitivity_setup(municipio, escenario, resultado, anio, overrides)
    bounds = {**bounds_from_specs(specs), **lever_bounds}
    table = _labelled(tornado(model, central, bounds))
    table.attrs.update(resultado=resultado, anio=year)
    return table


def sobol_for(municipio: str | int, escenario: str, resultado: str, anio: int | None = None, n: int = 512,
              seed: int = 2026, overrides: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """First-order and total Sobol' indices of ``resultado`` over the declared uncertainties."""
    model, specs, central, lever_bounds, year = _sensitivity_setup(municipio, escenario, resultado, anio, overrides)
    fixed = {k: central[k] for k in lever_bounds}
    table = _labelled(sobol(model, specs, n, seed, fixed=fixed))
    table.attrs.update(resultado=resultado, anio=year)
    return table
