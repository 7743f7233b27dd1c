"""What the reports say: Spanish sentences and formatted tables built from a ``RunResult``.

Each function takes the result of :func:`nexos_model.run` (and optionally a municipality code,
by default the first one run) and returns either a list of Spanish sentences or a table whose
cells are already text (``Q 1,234.56``, ``12.3 %``), ready to show in a notebook or the HTML
report. :func:`excel_tables` returns the same content as numbers for the Excel file.

New sections (fiscal space, investment plan) add one function here and one cell in the
workbook; nothing else changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from nexos_model import catalog
from nexos_model.quality import FINDING_LABELS
from nexos_model.report.formatting import anio_rango, fecha, numero, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult

__all__ = [
    "assumptions_annex",
    "concept_table",
    "cover",
    "excel_tables",
    "executive_summary",
    "history_table",
    "indicators_table",
    "projection_notes",
    "quality_sentences",
    "quality_table",
    "revenue_table",
]

#: Spanish names of the data-quality finding types (``quality.diagnose``'s ``tipo``).

#: Subject of the headline sentence of each concept (Spanish needs the article's gender).
SUBJECTS = {"ingresos_propios": "Los ingresos propios", "transferencias": "Las transferencias"}


def _finding_label(tipo: str, count: int = 1) -> str:
    singular, plural = FINDING_LABELS.get(tipo, (tipo, tipo))
    return singular if count == 1 else plural

SUMMARY_CONCEPTS = ("ingresos_propios", "transferencias", "ingresos_totales")


# --- facts ---------------------------------------------------------------------------------

def _code(result: "RunResult", municipio: str | None) -> str:
    return municipio or result.municipios[0]


def _place(code: str) -> dict[str, Any]:
    from nexos_model.io.bundled import load_municipalities

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


def _growth(start: float, end: float, years: int) -> float | None:
    """Average annual growth rate: ``(end / start) ** (1 / years) - 1``; None if undefined."""
    if years <= 0 or not start or start <= 0 or end < 0:
        return None
    return (end / start) ** (1 / years) - 1


def _autonomy(wide: pd.DataFrame) -> pd.Series:
    """Financial autonomy: own-source revenue / total revenue (financing excluded)."""
    total = wide["ingresos_totales"].where(wide["ingresos_totales"] != 0)
    return wide["ingresos_propios"] / total


def cover(result: "RunResult", municipio: str | None = None, today: dt.date | None = None) -> dict[str, str]:
    """Facts for the report cover, all as Spanish text."""
    from nexos_model import __version__

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


# --- sentences -----------------------------------------------------------------------------

def executive_summary(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Headline sentences: own revenue, transfers, autonomy, revenue per inhabitant, data quality."""
    code = _code(result, municipio)
    wide = result.wide(code)
    place = _place(code)
    _, last, end = _years(result, code)
    n = end - last
    out = []
    for concept, subject in SUBJECTS.items():
        a, b = wide.at[last, concept], wide.at[end, concept]
        rate = _growth(a, b, n)
        pace = f" ({porcentaje(rate)} anual)" if rate is not None else ""
        out.append(f"{subject} de {place['nombre']} pasarían de {quetzales(a)} "
                   f"en {last} a {quetzales(b)} en {end}{pace}.")
    autonomy = _autonomy(wide)
    out.append(f"La autonomía financiera (ingresos propios / ingresos totales) sería de "
               f"{porcentaje(autonomy.at[end])} en {end}, frente a {porcentaje(autonomy.at[last])} en {last}.")
    if place["poblacion"]:
        per_head = wide.at[last, "ingresos_propios"] / place["poblacion"]
        out.append(f"Con la población del Censo 2018 ({numero(place['poblacion'])} habitantes), los ingresos "
                   f"propios de {last} equivalen a {quetzales(per_head)} por habitante.")
    out.extend(quality_sentences(result, code))
    return out


def headline_lines(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Short Spanish lines for the terminal: own revenue, potential and gap, fiscal space, rules."""
    code = _code(result, municipio)
    proj = result.projection.loc[result.projection["municipio"] == code]
    value = proj.pivot_table(index="anio", columns="concepto", values="valor")
    first, end = int(value.index.min()), int(value.index.max())
    out = [f"Ingresos propios: {quetzales(value.at[first, 'ingresos_propios'])} en {first}, "
           f"{quetzales(value.at[end, 'ingresos_propios'])} en {end}."]
    gaps = result.gaps.loc[(result.gaps["municipio"] == code) & (result.gaps["anio"] == first)]
    for stream, rows in gaps.groupby("flujo", sort=False):
        parts = rows.set_index("componente")["valor"]
        out.append(f"{catalog.label(stream)} {first}: recaudación {quetzales(parts['recaudacion'])}, potencial "
                   f"{quetzales(parts['potencial'])}, brecha {quetzales(parts['brecha_total'])}.")
    space = result.fiscal_space.loc[(result.fiscal_space["municipio"] == code) & (result.fiscal_space["anio"] == first)]
    detail = ", ".join(f"{FUENTE_LABELS.get(r.fuente, r.fuente)} {quetzales(r.monto)}" for r in space.itertuples())
    out.append(f"Espacio fiscal para inversión {first}: {quetzales(space['monto'].sum())} ({detail}).")
    rules = result.rules.loc[result.rules["municipio"] == code]
    broken = rules.loc[~rules["cumple"]]
    if broken.empty:
        out.append(f"Reglas legales: se cumplen todas en {first}-{end}.")
    else:
        out.append(f"Reglas legales: {len(broken)} incumplimientos en {first}-{end}; el primero: {broken.iloc[0]['mensaje']}")
    return out


FUENTE_LABELS = {"propios": "propios", "aporte_constitucional": "aporte constitucional", "iva_paz": "IVA-PAZ",
                 "codede": "CODEDE", "prestamo_infom": "préstamo INFOM"}


def quality_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """One sentence on the data-quality diagnostics of the municipality's history."""
    code = _code(result, municipio)
    first, last, _ = _years(result, code)
    findings = result.quality.loc[result.quality["municipio"] == code]
    span = anio_rango(first, last)
    if findings.empty:
        return [f"El diagnóstico de calidad no encontró valores dudosos en los datos de {span}."]
    counts = findings["tipo"].value_counts()
    parts = ", ".join(f"{k} {_finding_label(t, k)}" for t, k in counts.items())
    n = len(findings)
    return [f"El diagnóstico de calidad encontró {n} observaci{'ón' if n == 1 else 'ones'} en los datos de "
            f"{span} ({parts}); la proyección no aprende de los valores marcados."]


def projection_notes(result: "RunResult", municipio: str | None = None) -> list[str]:
    """What the projection did about doubtful values (``RunResult.notes``)."""
    return list(result.notes.get(_code(result, municipio), []))


# --- tables (formatted text) ---------------------------------------------------------------

def revenue_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Year by year: own revenue, transfers, total revenue and autonomy, observed and projected."""
    code = _code(result, municipio)
    wide = result.wide(code)
    _, last, _ = _years(result, code)
    autonomy = _autonomy(wide)
    table = {"Año": [str(y) for y in wide.index],
             "Tipo": ["observado" if y <= last else "proyectado" for y in wide.index]}
    for concept in SUMMARY_CONCEPTS:
        table[catalog.label(concept)] = [quetzales(v) for v in wide[concept]]
    table["Autonomía financiera"] = [porcentaje(v) for v in autonomy]
    return pd.DataFrame(table)


def concept_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Own-source revenue by concept: last observed year, end of projection, annual growth."""
    code = _code(result, municipio)
    wide = result.wide(code)
    _, last, end = _years(result, code)
    rows = []
    for concept in [*catalog.children("ingresos_propios"), "ingresos_propios"]:
        a, b = wide.at[last, concept], wide.at[end, concept]
        rows.append({"Concepto": catalog.label(concept), str(last): quetzales(a), str(end): quetzales(b),
                     "Crecimiento anual": porcentaje(_growth(a, b, end - last))})
    return pd.DataFrame(rows)


def history_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Observed revenue by concept (rows) and year (columns)."""
    code = _code(result, municipio)
    wide = result.wide(code)
    _, last, _ = _years(result, code)
    observed = wide.loc[wide.index <= last]
    concepts = [c for c in catalog.concepts().index if c in observed.columns]
    rows = [{"Concepto": catalog.label(c), **{str(y): quetzales(observed.at[y, c]) for y in observed.index}}
            for c in concepts]
    return pd.DataFrame(rows)


def indicators_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The last observed year's indicators beside the department's and the national median."""
    code = _code(result, municipio)
    _, last, _ = _years(result, code)
    table = result.indicators(code)
    table = table.loc[table["anio"] == last]
    money = table["indicador"].str.endswith("per_capita")
    show = lambda v, is_money: quetzales(v) if is_money else porcentaje(v)  # noqa: E731
    return pd.DataFrame({
        f"Indicador ({last})": table["etiqueta"].tolist(),
        "Municipio": [show(v, m) for v, m in zip(table["valor"], money)],
        "Mediana del departamento": [show(v, m) for v, m in zip(table["mediana_departamento"], money)],
        "Mediana nacional": [show(v, m) for v, m in zip(table["mediana_nacional"], money)],
    })


def quality_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The data-quality findings of one municipality, in Spanish."""
    code = _code(result, municipio)
    findings = result.quality.loc[result.quality["municipio"] == code]
    return pd.DataFrame({
        "Año": [str(y) for y in findings["anio"]],
        "Rubro": [str(x) for x in findings["rubro"]],
        "Concepto": [catalog.label(c) if c else "" for c in findings["concepto"]],
        "Tipo": [_finding_label(t) for t in findings["tipo"]],
        "Valor": [quetzales(v) for v in findings["valor"]],
        "Detalle": findings["mensaje"].astype(str).tolist(),
    })


def _field(path: str) -> tuple[dict[str, Any], str]:
    """Schema metadata (etiqueta, unidad, fuente) of a Spanish key path, and any year suffix."""
    from pydantic import BaseModel

    from nexos_model.params.schema import Parameters

    model: Any = Parameters
    meta: dict[str, Any] = {}
    parts = path.split(".")
    for i, key in enumerate(parts):
        fields = {f.alias or name: f for name, f in model.model_fields.items()} if model else {}
        if key not in fields:
            return meta, ".".join(parts[i:])
        meta = dict(fields[key].json_schema_extra or {})
        ann = fields[key].annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return meta, ""


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def assumptions_annex(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Parameters that differ from the defaults: key, value, layer that set it, label, unit, source.

    The scenario's description is on the cover, so it is left out here.
    """
    code = _code(result, municipio)
    rows = []
    for path, (layer, value) in sorted(result.parameters[code].changes_from_defaults().items()):
        if path == "descripcion":
            continue
        meta, year = _field(path)
        rows.append({
            "Clave": path,
            "Parámetro": meta.get("etiqueta", "") + (f" (desde {year})" if year and year != "0" else ""),
            "Valor": _value_text(value),
            "Unidad": meta.get("unidad", ""),
            "Capa": layer,
            "Fuente": meta.get("fuente", ""),
        })
    return pd.DataFrame(rows, columns=["Clave", "Parámetro", "Valor", "Unidad", "Capa", "Fuente"])


# --- Excel (numbers, not text) ---------------------------------------------------------------

def excel_tables(result: "RunResult", municipio: str | None = None) -> tuple[dict[str, pd.DataFrame], set[str]]:
    """Sheets for ``proyeccion.xlsx`` and the set of columns holding quetzales.

    ``Proyección``: years × concepts (Spanish labels), observed and projected; ``Historia``: the
    source lines; ``Calidad``: the findings; ``Supuestos``: the annex.
    """
    code = _code(result, municipio)
    wide = result.wide(code)
    _, last, _ = _years(result, code)
    labels = {c: catalog.label(c) for c in wide.columns}
    projection = wide.rename(columns=labels).rename_axis(index="Año", columns=None)
    projection.insert(0, "Tipo", ["observado" if y <= last else "proyectado" for y in projection.index])
    history = result.history.loc[result.history["municipio"] == code]
    quality = result.quality.loc[result.quality["municipio"] == code]
    sheets = {"Proyección": projection, "Historia": history.reset_index(drop=True),
              "Calidad": quality.reset_index(drop=True), "Supuestos": assumptions_annex(result, code)}
    return sheets, set(labels.values()) | {"percibido"}
