"""Shared facts and Spanish labels of the report summaries (codes, places, years, tables)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from nexos_model import __version__, catalog
from nexos_model.diagnostics.quality import FINDING_LABELS
from nexos_model.io.bundled import load_municipalities
from nexos_model.io.store import STORE_VARIABLE
from nexos_model.params.calendar_schema import ESTIMATED, OBSERVED, year_kinds
from nexos_model.params.changes import adjustment_sentences, scenario_label, scenario_title
from nexos_model.wording import anio_rango, anios_texto, fecha, porcentaje, quetzales

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


def _plan_span(result: "RunResult", code: str) -> tuple[int, int]:
    """The budget year being prepared and the last projected year: what looks ahead starts there."""
    return result.budget_year(code), _years(result, code)[2]


def _kinds(result: "RunResult", code: str, years) -> list[str]:
    """``observado``, ``estimado`` or ``proyectado`` for each of ``years`` of one municipality."""
    return year_kinds(list(years), result.last_observed(code), result.budget_year(code)).tolist()


def _year_header(result: "RunResult", code: str, year: int) -> str:
    """A year as a column header: ``2024 (est.)`` when it is an estimate, ``2018 (obs.)`` observed."""
    kind = _kinds(result, code, [year])[0]
    return f"{year} (est.)" if kind == ESTIMATED else f"{year} (obs.)" if kind == OBSERVED else str(year)


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


def _year_table(values: pd.DataFrame, columns: dict[str, str], kinds: list[str] | None = None) -> pd.DataFrame:
    """Years as rows (with their ``Tipo`` when ``kinds`` is given), ``{concept: header}`` as
    quetzales columns."""
    out = {"Año": [str(y) for y in values.index]}
    if kinds is not None:
        out["Tipo"] = list(kinds)
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


def scenario_name(result: "RunResult", municipio: str | None = None) -> str:
    """The run's scenario as the app's header names it: its label and the adjustments on top
    («Escenario base + 3 ajustes», «Reforma catastral 2027»)."""
    code = _code(result, municipio)
    return scenario_title(result.escenario, result.parameters[code])


def _detail(description: str) -> str:
    """A scenario's description without the label it starts with (the cover names it already)."""
    head, sep, rest = description.partition(": ")
    return rest if sep and head == scenario_label("", description) else description


def cover(result: "RunResult", municipio: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Facts for the report cover, all as Spanish text; ``ajustes``: the adjustments on the
    scenario (the app's, ``--set``), each in plain words."""
    code = _code(result, municipio)
    place = _place(code)
    first, last, end = _years(result, code)
    budget = result.budget_year(code)
    resolved = result.parameters[code]
    return {
        "municipio": code,
        "nombre": place["nombre"],
        "departamento": place["departamento"],
        "escenario": scenario_name(result, code),
        "descripcion": _detail(resolved.params.description),
        "ajustes": adjustment_sentences(resolved),
        "fecha": fecha(today or dt.date.today()),
        "anios_datos": anio_rango(first, last),
        "anios_estimados": anio_rango(last + 1, budget - 1) if budget - 1 > last else "ninguno",
        "anios_proyeccion": anio_rango(budget, end),
        "anio_presupuesto": str(budget),
        "version": __version__,
        "parametros": _fingerprint(resolved.digest(), result.data_digest),
        "antiguedad_datos": data_age_sentences(result, code),
    }


def _fingerprint(parameters: str, data: str) -> str:
    """The cover's fingerprint: the parameters' digest, and the imported data's when there are any."""
    return parameters if not data else f"{parameters}-{data}"


def data_age_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """How old the data are, what that means for the figures and how to load recent data: the
    first page of the council report, in plain Spanish."""
    code = _code(result, municipio)
    _, last, _ = _years(result, code)
    budget = result.budget_year(code)
    name = _place(code)["nombre"]
    out = [f"Los datos observados de {name} (ejecución de ingresos de SICOIN GL) llegan hasta {last}; el "
           f"presupuesto que se prepara es el de {budget}."]
    if budget - 1 > last:
        estimated = anio_rango(last + 1, budget - 1)
        out.append(f"Los años {estimated} ya pasaron, pero sus datos no están cargados: sus cifras son "
                   f"estimaciones del modelo a partir de {last}, con la inflación observada (INE) y los totales "
                   f"nacionales publicados del aporte constitucional donde los hay; no son lo que la municipalidad ejecutó y "
                   f"pueden diferir de ello. Las tablas y gráficos los marcan como «estimado».")
        out.append(f"Como la proyección de {budget} en adelante parte de esas estimaciones, su margen de error "
                   f"es mayor mientras más años falten: {budget - 1 - last} año"
                   f"{'s' if budget - 1 - last != 1 else ''} sin datos en este reporte.")
    out.append(f"Para usar datos recientes, exporte de SICOIN GL (o del Portal de Gobiernos Locales) la ejecución de "
               f"ingresos de los años cerrados, en CSV o Excel, y cárguela una vez con el comando "
               f"«nexos datos importar ARCHIVO»; los reportes siguientes la usan sin más (carpeta "
               f"{STORE_VARIABLE}, por defecto datos/).")
    loaded = result.loaded.get(code)
    if loaded:
        out.append(f"Este reporte ya usa los datos importados de {anios_texto(loaded)} (huella de los datos "
                   f"{result.data_digest}).")
    return out


def _path_sentence(subject: str, place: str, a: float, b: float, first: int, end: int) -> str:
    rate = _growth(a, b, end - first)
    pace = f" ({porcentaje(rate)} anual)" if rate is not None else ""
    return f"{subject} de {place} pasarían de {quetzales(a)} en {first} a {quetzales(b)} en {end}{pace}."


