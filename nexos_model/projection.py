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
    settings = params.trend
    if settings.method == "ultimo_valor":
        growth = np.zeros(len(inputs.concepts))
    else:
        own = trend.own_growth(inputs.values, inputs.years)
        growth = trend.shrunk_growth(
            own, inputs.national_growth, settings.shrinkage, settings.growth_min, settings.growth_max
        )
    base = trend.base_value(inputs.values, inputs.years, growth)
    path = trend.project_path(base, growth, params.projection.horizon)
    financing = np.array([catalog.group(c) == "financiamiento" for c in inputs.concepts])
    path[financing] = 0.0

    years = inputs.years[-1] + np.arange(1, params.projection.horizon + 1)
    wide = pd.DataFrame(path.T, index=pd.Index(years, name="anio"), columns=list(inputs.concepts))
    return to_long(catalog.add_totals(wide), escenario, inputs.municipio)


def to_long(wide: pd.DataFrame, escenario: str, municipio: str) -> pd.DataFrame:
    """Wide (years × concepts) to the tidy result shape."""
    long = wide.rename_axis(columns="concepto").stack().rename("valor").reset_index()
    long.insert(0, "municipio", municipio)
    long.insert(0, "escenario", escenario)
    return long[RESULT_COLUMNS]
