"""The art. 119 allocation of a national pool (aporte constitucional) among all municipalities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nexos_model.api import prepared_bundled
from nexos_model.errors import NexosError
from nexos_model.fiscal import transfers
from nexos_model.io.bundled import load_municipalities
from nexos_model.params.loader import load_parameters


def aporte_allocation(year: int, pool: float) -> pd.DataFrame:
    """The art. 119 allocation of ``pool`` quetzales among all municipalities for ``year``.

    Own revenue per cápita is that of ``year`` − ``rezago_ingresos`` (observed if in the data,
    else projected under the defaults). Parts are rounded to the centavo and add up exactly to
    each municipality's total, to each criterion's total and to the pool.
    """
    params = load_parameters(None, None).params
    q, aporte = params.quality, params.transfers.aporte
    prepared = prepared_bundled(params.projection.measure, q.outlier_factor, q.outlier_floor,
                                 q.flagged_values == "excluir")
    ctx, _ = prepared.context(params.projection.horizon)
    source_year = year - aporte.revenue_lag
    if not ctx.years[0] <= source_year <= ctx.years[-1]:
        raise NexosError(f"--anio {year}: se necesitan los ingresos propios de {source_year} y hay datos o "
                         f"proyección de {ctx.years[0]} a {ctx.years[-1]} (se esperaba un año de "
                         f"{ctx.years[0] + aporte.revenue_lag} a {ctx.years[-1] + aporte.revenue_lag})")
    if not (np.isfinite(pool) and pool >= 0):
        raise NexosError(f"--monto {pool}: se esperaba un monto en quetzales ≥ 0")
    own = ctx.own[:, int(np.searchsorted(ctx.years, source_year))]
    parts = transfers.allocate_art119(pool, ctx.population, np.maximum(own, 0.0), ctx.aldeas, dict(aporte.weights))
    rounded = transfers.allocation_in_quetzales(parts, pool)
    table = load_municipalities().set_index("municipio").loc[list(ctx.municipios)]
    out = pd.DataFrame({
        "municipio": list(ctx.municipios),
        "nombre": table["nombre"].to_numpy(),
        "departamento": table["departamento"].to_numpy(),
        "poblacion": ctx.population,
        f"ingresos_propios_{source_year}": own,
        "ingresos_propios_per_capita": own / ctx.population,
        "aldeas_caserios": ctx.aldeas.astype(int),
        "aldeas_estimadas": ctx.aldeas_estimated,
        **{criterion: rounded[criterion][0] for criterion in transfers.ART119_CRITERIA},
        "total": rounded["total"][0],
    })
    out.insert(0, "anio", year)
    return out


__all__ = ["aporte_allocation"]
