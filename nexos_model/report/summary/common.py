"""Shared facts and Spanish labels of the report summaries (codes, places, years, tables)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from nexos_model import __version__, catalog
from nexos_model.diagnostics.quality import FINDING_LABELS
from nexos_model.io.bundled import load_municipalities
from nexos_model.wording import anio_rango, fecha, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult


#: Subject of the headline sentence of each concept (Spanish needs the article's gender).
SUBJECTS = {"ingresos_propios": "Los ingresos propios", "transferencias": "Las transferencias"}
SUMMARY_CONCEPTS = ("ingresos_propios", "transferencias", "ingresos_totales")

#: Funding sources of the fiscal space and the investment plan, in the plan's order, as the
#: reports name them (``fuente`` of ``RunResult.fiscal_space`` and of the plan's tables).
SOURCE_NAMES = {
    "codede": "CODEDE",
    "iva_paz": "IVA-PAZ",
    "aporte_constitucional": "Aporte constitucional",
    "prestamo_infom": "Préstamo INFOM",
    "propios": "Ingresos propios y de libre uso",
}
#: The same in the middle of a sentence (used by the terminal headline).
FUENTE_LABELS = {"propios": "propios", "aporte_constitucional": "aporte constitucional", "iva_paz": "IVA-PAZ",
                 "codede": "CODEDE", "prestamo_infom": "préstamo INFOM"}
#: Transfers by source (concepts of the projection), in the catalog's order.
#: Transfer lines of the projection, by source: the results catalog's ``transferencia`` group.
TRANSFER_SOURCES = tuple(c for c, g in catalog.result_lines()["grupo"].items()
                         if g == "transferencia" and c != "transferencias_total")
#: Components of ``RunResult.gaps``: recaudación + the five gaps = potencial.
GAP_LABELS = {
    "recaudacion": "Recaudación",
    "brecha_cobertura": "Brecha de cobertura (fuera del registro)",
    "brecha_valuacion": "Brecha de valuación (avalúo o tarifa)",
    "brecha_tasa": "Brecha de tasa",
    "brecha_cumplimiento": "Brecha de cumplimiento (cobro)",
    "interaccion": "Interacción entre brechas",
    "brecha_total": "Brecha total",
    "potencial": "Potencial",
}
#: The same, short, for a chart's legend.
GAP_SHORT = {"recaudacion": "Recaudado", "brecha_cobertura": "Cobertura", "brecha_valuacion": "Valuación",
             "brecha_tasa": "Tasa", "brecha_cumplimiento": "Cumplimiento", "interaccion": "Interacción",
             "brecha_total": "Brecha total", "potencial": "Potencial"}
GAP_PARTS = ("brecha_cobertura", "brecha_valuacion", "brecha_tasa", "brecha_cumplimiento", "interaccion")
#: Criteria of the aporte constitucional (Código Municipal art. 119, ``RunResult.aporte``).
CRITERIA_LABELS = {
    "partes_iguales": "Partes iguales entre municipios",
    "poblacion": "Población",
    "ingresos_propios_per_capita": "Ingresos propios per cápita",
    "aldeas_caserios": "Aldeas y caseríos",
}
#: Calibrated drivers (``RunResult.calibration``'s ``impulsor``).
DRIVER_LABELS = {"eficiencia_cobro": "Eficiencia de cobro", "cumplimiento": "Cumplimiento",
                 "cobertura": "Cobertura", "valuacion": "Valuación"}
#: Portfolio sectors (those of ``investment.illustrative`` and the bundled portfolios).
SECTOR_LABELS = {"agua": "Agua", "saneamiento": "Saneamiento", "desechos": "Desechos sólidos",
                 "transporte": "Transporte", "urbanizacion": "Urbanización", "educacion": "Educación",
                 "salud": "Salud"}
#: Rule results as text that reads in grey print (the notebook colours them).
OK, BREACH = "✓ cumple", "✗ no cumple"


def _finding_label(tipo: str, count: int = 1) -> str:
    singular, plural = FINDING_LABELS.get(tipo, (tipo, tipo))
    return singular if count == 1 else plural


def _name(mapping: dict[str, str], key: str) -> str:
    """A label from ``mapping``, else the catalog's, else the key in words."""
    if key in mapping:
        return mapping[key]
    label = catalog.label(key)
    return label if label != key else key.replace("_", " ").capitalize()


# --- facts ---------------------------------------------------------------------------------

def _code(result: "RunResult", municipio: str | None) -> str:
    return result.code(municipio)


def _place(code: str) -> dict[str, Any]:
    table = load_municipalities().set_index("municipio")
    row = table.loc[code] if code in table.index else None
    if row is None:
        return {"nombre": code, "departamento": "", "poblacion": None}
    return {"nombre": row["nombre"], "departamento": row["departamento"], "poblacion": int(row["poblacion"])}


def _years(result: "RunResult", code: str) -> tuple[int, int, int]:
    """First and last observed year, last projected year."""
    observed = result.annual.loc[result.annual["municipio"] == code, "anio"]
    projected = result.projection.loc[result.projection["municipio"] == code, "anio"]
    return int(observed.min()), int(observed.max()), int(projected.max())


def _projected(result: "RunResult", code: str) -> pd.DataFrame:
    """Every projected line (MINFIN concepts and model lines) as years × concepts."""
    rows = result.projection.loc[result.projection["municipio"] == code]
    return rows.pivot(index="anio", columns="concepto", values="valor").sort_index()


def _rows(table: pd.DataFrame | None, code: str) -> pd.DataFrame:
    """The rows of a per-municipality result table that belong to ``code`` (empty if none)."""
    if table is None:
        return pd.DataFrame()
    return table.loc[table["municipio"] == code].reset_index(drop=True)


def _growth(start: float, end: float, years: int) -> float | None:
    """Average annual growth rate: ``(end / start) ** (1 / years) - 1``; None if undefined."""
    if years <= 0 or not start or start <= 0 or end < 0:
        return None
    return (end / start) ** (1 / years) - 1


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _autonomy(wide: pd.DataFrame) -> pd.Series:
    """Financial autonomy: own-source revenue / total revenue (financing excluded)."""
    total = wide["ingresos_totales"].where(wide["ingresos_totales"] != 0)
    return wide["ingresos_propios"] / total


def _year_table(values: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Years as rows, ``{concept: header}`` as quetzales columns."""
    out = {"Año": [str(y) for y in values.index]}
    for concept, header in columns.items():
        out[header] = [quetzales(v) for v in values[concept]]
    return pd.DataFrame(out)


def _path_table(values: pd.DataFrame, concepts: list[str], first: int, end: int, labels: dict[str, str],
                total: str | None = None) -> pd.DataFrame:
    """Concepts as rows: value in ``first`` and ``end``, annual growth, share of ``total`` in ``end``."""
    rows = []
    for concept in concepts + ([total] if total else []):
        a, b = values.at[first, concept], values.at[end, concept]
        row = {"Concepto": _name(labels, concept), str(first): quetzales(a), str(end): quetzales(b),
               "Crecimiento anual": porcentaje(_growth(a, b, end - first))}
        if total:
            row[f"Participación {end}"] = porcentaje(_share(b, values.at[end, total]))
        rows.append(row)
    return pd.DataFrame(rows)


def cover(result: "RunResult", municipio: str | None = None, today: dt.date | None = None) -> dict[str, str]:
    """Facts for the report cover, all as Spanish text."""
    code = _code(result, municipio)
    place = _place(code)
    first, last, end = _years(result, code)
    resolved = result.parameters[code]
    return {
        "municipio": code,
        "nombre": place["nombre"],
        "departamento": place["departamento"],
        "escenario": result.escenario,
        "descripcion": resolved.params.description,
        "fecha": fecha(today or dt.date.today()),
        "anios_datos": anio_rango(first, last),
        "anios_proyeccion": anio_rango(last + 1, end),
        "version": __version__,
        "parametros": resolved.digest(),
    }


def _path_sentence(subject: str, place: str, a: float, b: float, first: int, end: int) -> str:
    rate = _growth(a, b, end - first)
    pace = f" ({porcentaje(rate)} anual)" if rate is not None else ""
    return f"{subject} de {place} pasarían de {quetzales(a)} en {first} a {quetzales(b)} en {end}{pace}."


