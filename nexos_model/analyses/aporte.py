"""The art. 119 allocation of a national pool (aporte constitucional) among all municipalities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nexos_model import catalog
from nexos_model.api import prepared_default
from nexos_model.diagnostics.quality import EXCLUDING_TYPES
from nexos_model.errors import NexosError
from nexos_model.fiscal import transfers
from nexos_model.fiscal.space import aporte_pool
from nexos_model.io.bundled import APORTE_TOTALS_FILE, load_aporte_totals, load_municipalities, national_figures
from nexos_model.params.loader import load_parameters
from nexos_model.params.calendar_schema import year_kinds
from nexos_model.params.values import Values
from nexos_model.projection import end_year
from nexos_model.wording import porcentaje, quetzales

#: The output's name of each art. 119 criterion's part.
PART_COLUMNS = {"partes_iguales": "parte_iguales", "poblacion": "parte_poblacion",
                "ingresos_propios_per_capita": "parte_ingresos", "aldeas_caserios": "parte_aldeas"}
NOTE_COLUMNS = ["municipio", "nombre", "anio_ingresos", "ingresos_propios_registrados", "ingresos_propios_usados",
                "diferencia", "motivo"]


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


def aporte_allocation(year: int, pool: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The art. 119 allocation of ``pool`` quetzales among all municipalities for ``year``
    (``pool`` None: :func:`national_aporte` of the year), and the notes on every own-revenue
    value replaced.

    Own revenue per cápita is that of ``year`` − ``rezago_ingresos`` (observed if in the
    municipality's data, estimated or projected under the defaults otherwise). The table keeps
    the formula's inputs under their names (``poblacion``: Censo 2018, summing to the census
    total; ``ingresos_propios_tipo``: observado, estimado or proyectado;
    ``ingresos_propios_registrados``: as booked, empty where not observed;
    ``ingresos_propios_usados``: what the formula takes, the booked value with each line the
    data-quality diagnostics exclude counted as zero, as in the projection;
    ``ingresos_propios_reemplazado``; ``aldeas_caserios`` and ``aldeas_estimadas``) and the parts
    apart: ``parte_iguales``, ``parte_poblacion``, ``parte_ingresos``, ``parte_aldeas`` and
    ``total``, rounded to the centavo so that they add up exactly to each municipality's total,
    to each criterion's total and to the pool. The notes list each replaced value: booked, used,
    and which lines were left out and why. ``attrs['monto']`` and ``attrs['origen']`` say what
    was distributed and where it came from.
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
    codes = list(ctx.municipios)
    used = ctx.own[:, int(np.searchsorted(ctx.years, source_year))]
    last_observed = pd.Series(prepared.inputs.last_observed(), index=prepared.municipios).reindex(codes)
    kinds = year_kinds(np.full(len(codes), source_year), last_observed.to_numpy(dtype=int),
                       params.calendar.budget_year)
    observed = kinds == "observado"
    booked = np.where(observed, _booked_own_revenue(prepared.annual, codes, source_year), np.nan)
    replaced = np.abs(booked - used) > 0.005  # False where nothing was booked (NaN)
    parts = transfers.allocate_art119(pool, ctx.population, np.maximum(used, 0.0), ctx.aldeas, dict(aporte.weights))
    rounded = transfers.allocation_in_quetzales(parts, pool)
    places = load_municipalities().set_index("municipio").loc[codes]
    table = pd.DataFrame({
        "anio": year,
        "municipio": codes,
        "nombre": places["nombre"].to_numpy(),
        "departamento": places["departamento"].to_numpy(),
        "poblacion": ctx.population,
        "anio_ingresos": source_year,
        "ingresos_propios_tipo": kinds,
        "ingresos_propios_registrados": np.round(booked, 2),
        "ingresos_propios_usados": np.round(used, 2),
        "ingresos_propios_reemplazado": replaced,
        "ingresos_propios_per_capita": used / ctx.population,
        "aldeas_caserios": ctx.aldeas.astype(int),
        "aldeas_estimadas": ctx.aldeas_estimated,
        **{column: rounded[criterion][0] for criterion, column in PART_COLUMNS.items()},
        "total": rounded["total"][0],
    })
    table.attrs.update(monto=float(pool), origen=origin)
    return table, _replacement_notes(table.loc[replaced], prepared.quality, source_year)


def _booked_own_revenue(annual: pd.DataFrame, codes: list[str], year: int) -> np.ndarray:
    """Own revenue as booked in ``year`` (every own concept, nothing excluded), per municipality."""
    own = annual.loc[(annual["anio"] == year) & annual["concepto"].isin(catalog.children("ingresos_propios"))]
    return own.groupby("municipio")["valor"].sum().reindex(codes, fill_value=0.0).to_numpy(dtype=float)


def _replacement_notes(rows: pd.DataFrame, quality: pd.DataFrame, year: int) -> pd.DataFrame:
    """One note per replaced own-revenue value: booked, used, the difference and the lines left out."""
    findings = quality.loc[(quality["anio"] == year) & quality["tipo"].isin(EXCLUDING_TYPES)
                           & quality["concepto"].isin(catalog.children("ingresos_propios"))]
    why = findings.groupby("municipio")["mensaje"].agg("; ".join)
    return pd.DataFrame({
        "municipio": rows["municipio"].to_numpy(),
        "nombre": rows["nombre"].to_numpy(),
        "anio_ingresos": year,
        "ingresos_propios_registrados": rows["ingresos_propios_registrados"].to_numpy(),
        "ingresos_propios_usados": rows["ingresos_propios_usados"].to_numpy(),
        "diferencia": (rows["ingresos_propios_usados"] - rows["ingresos_propios_registrados"]).round(2).to_numpy(),
        "motivo": [f"se cuenta en cero lo que el diagnóstico de calidad excluye (calidad.valores_marcados = "
                   f"excluir): {why.get(code, 'valor implausible')}" for code in rows["municipio"]],
    }, columns=NOTE_COLUMNS)


def note_lines(notes: pd.DataFrame) -> list[str]:
    """The notes in Spanish, one line per replaced value."""
    return [f"{row.nombre} ({row.municipio}), ingresos propios {row.anio_ingresos}: registrados "
            f"{quetzales(row.ingresos_propios_registrados)}, usados {quetzales(row.ingresos_propios_usados)} "
            f"({row.motivo})" for row in notes.itertuples()]


__all__ = ["NOTE_COLUMNS", "PART_COLUMNS", "aporte_allocation", "national_aporte", "note_lines"]
