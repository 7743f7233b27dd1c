"""The pure projection core: validated inputs in, tidy tables out. No files, no printing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nexos_model import catalog
from nexos_model.params.schema import Parameters
from nexos_model.revenue import trend

RESULT_COLUMNS = ["escenario", "municipio", "anio", "concepto", "valor"]


@dataclass(frozen=True)
class ProjectionInputs:
    """One municipality's cleaned history as arrays, plus the national references it needs."""

    municipio: str
    concepts: tuple[str, ...]
    years: np.ndarray  # history years, ascending
    values: np.ndarray  # (concepts, years); NaN = missing or excluded by the diagnostics
    national_growth: np.ndarray  # (concepts,) median growth across municipalities


def project(inputs: ProjectionInputs, params: Parameters, escenario: str) -> pd.DataFrame:
    """Project every concept ``params.projection.horizon`` years past the last history year.

    Revenue and transfers follow the trend method; financing (cash use, loans) is not a trend:
    it is projected as zero here and decided by the debt plan.
    """
    settings, macro = params.trend, params.macro
    years = inputs.years[-1] + np.arange(1, params.projection.horizon + 1)
    if settings.method == "ultimo_valor":
        growth = np.zeros(len(inputs.concepts))
        base = trend.base_value(inputs.values, inputs.years, growth)
        path = np.repeat(base[:, None], len(years), axis=1)
    else:
        own = trend.own_growth(inputs.values, inputs.years)
        growth = trend.shrunk_growth(
            own, inputs.national_growth, settings.shrinkage, settings.growth_min, settings.growth_max
        )
        base = trend.base_value(inputs.values, inputs.years, growth)
        real = trend.real_growth(growth, macro.historical_inflation, macro.historical_population_growth)
        path = trend.project_path(base, real, year_values(macro.inflation, years),
                                  year_values(macro.population_growth, years), settings.damping)
    financing = np.array([catalog.group(c) == "financiamiento" for c in inputs.concepts])
    path[financing] = 0.0

    wide = pd.DataFrame(path.T, index=pd.Index(years, name="anio"), columns=list(inputs.concepts))
    return to_long(catalog.add_totals(wide), escenario, inputs.municipio)


def year_values(series: dict[int, float], years: np.ndarray) -> np.ndarray:
    """A year-keyed parameter as a path: each year takes the latest key at or before it."""
    keys = np.array(sorted(series))
    values = np.array([series[k] for k in keys])
    index = np.searchsorted(keys, years, side="right") - 1
    return values[np.clip(index, 0, None)]


def to_long(wide: pd.DataFrame, escenario: str, municipio: str) -> pd.DataFrame:
    """Wide (years × concepts) to the tidy result shape."""
    long = wide.rename_axis(columns="concepto").stack().rename("valor").reset_index()
    long.insert(0, "municipio", municipio)
    long.insert(0, "escenario", escenario)
    return long[RESULT_COLUMNS]
