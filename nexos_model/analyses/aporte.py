"""The art. 119 allocation of a national pool (aporte constitucional) among all municipalities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nexos_model.api import prepared_default
from nexos_model.errors import NexosError
from nexos_model.fiscal import transfers
from nexos_model.fiscal.space import aporte_pool
from nexos_model.io.bundled import APORTE_TOTALS_FILE, load_aporte_totals, load_municipalities, national_figures
from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.projection import end_year
from nexos_model.wording import porcentaje


def national_aporte(year: int) -> tuple[float, str]:
    """The aporte's national pool of ``year`` and where it comes from, in Spanish: the published
    total (``data/aporte_constitucional_totales_nacionales_2018_2026.csv``), derived from
    published figures or interpolated between two of them, and after the last published year
    that total grown with ``transferencias.aporte_constitucional.crecimiento`` (the State's
    ordinary revenue). Rounded to the centavo."""
    totals = load_aporte_totals().set_index("anio")
    if year in totals.index:
        return round(float(totals.at[year, "monto"]), 2), (f"total nacional {totals.at[year, 'origen']} "
                                                            f"(nexos_model/data/{APORTE_TOTALS_FILE})")
    params = load_parameters(None, None).params
    pool = aporte_pool(national_figures().aporte_totals, Values(params), np.array([year]))
    last, first = int(totals.index.max()), int(totals.index.min())
    rate = params.transfers.aporte.growth
    how = (f"total publicado de {last} con el crecimiento de los ingresos ordinarios del Estado "
           f"(transferencias.aporte_constitucional.crecimiento, "
           f"{', '.join(porcentaje(r) for r in sorted(set(rate.values())))} al año; estimación)") if year > last else (
           f"total publicado de {first} descontado con transferencias.aporte_constitucional.crecimiento "
           f"(estimación)")
    return round(float(pool[0, 0]), 2), how


def aporte_allocation(year: int, pool: float | None = None) -> pd.DataFrame:
    """The art. 119 allocation of ``pool`` quetzales among all municipalities for ``year``
    (``pool`` None: :func:`national_aporte` of the year).

    Own revenue per cápita is that of ``year`` − ``rezago_ingresos`` (observed if in the data,
    estimated or projected under the defaults otherwise). Parts are rounded to the centavo and
    add up exactly to each municipality's total, to each criterion's total and to the pool.
    ``attrs['monto']`` and ``attrs['origen']`` say what was distributed and where it came from.
    """
    params = load_parameters(None, None).params
    q, aporte = params.quality, params.transfers.aporte
    prepared = prepared_default(params.projection.measure, q.outlier_factor, q.outlier_floor,
                                q.flagged_values == "excluir")
    ctx, _ = prepared.context(max(end_year(params.calendar), year))
    source_year = year - aporte.revenue_lag
    if not ctx.years[0] <= source_year <= ctx.years[-1]:
        raise NexosError(f"--anio {year}: se necesitan los ingresos propios de {source_year} y hay datos o "
                         f"proyección de {ctx.years[0]} a {ctx.years[-1]} (se esperaba un año de "
                         f"{ctx.years[0] + aporte.revenue_lag} a {ctx.years[-1] + aporte.revenue_lag})")
    origin = "monto dado (--monto)"
    if pool is None:
        pool, origin = national_aporte(year)
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
    out.attrs.update(monto=float(pool), origen=origin)
    return out


__all__ = ["aporte_allocation", "national_aporte"]
