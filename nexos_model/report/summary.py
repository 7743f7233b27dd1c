"""What the reports say: Spanish sentences and formatted tables built from a ``RunResult``.

Each function takes the result of :func:`nexos_model.run` (and optionally a municipality code,
by default the first one run) and returns either a list of Spanish sentences or a table whose
cells are already text (``Q 1,234.56``, ``12.3 %``), ready to show in a notebook or the HTML
report. The investment-plan functions take an ``InvestmentPlan``
(:func:`nexos_model.investment.plan.plan_for_run`), the scenario ones a scenario comparison or a
tornado table. :func:`excel_tables` returns the same content as numbers for the Excel file.

A new section adds one function here and one cell in a workbook; nothing else changes. Rule
results are written ``✓ cumple`` / ``✗ no cumple`` so they read in grey print; the notebook
helpers colour them green and red on screen.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nexos_model import catalog
from nexos_model.params.uncertainty import field_metadata
from nexos_model.quality import FINDING_LABELS
from nexos_model.report.formatting import anio_rango, fecha, numero, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult
    from nexos_model.investment.plan import InvestmentPlan

__all__ = [
    # facts and sentences
    "cover", "executive_summary", "headline_lines", "quality_sentences", "projection_notes",
    # history and revenue (01, report)
    "concept_table", "history_table", "indicators_table", "quality_table", "revenue_table",
    # own revenue by stream (02)
    "calibration_table", "gap_table", "indicator_path_table", "lever_effect_table", "lever_sentences",
    "lever_table", "own_revenue_sentences", "stream_table",
    # numbers other report modules draw from
    "SOURCE_NAMES", "parameter_value", "space_by_source", "stream_names", "unit_of",
    # transfers, spending, debt, rules, fiscal space (03)
    "aporte_criteria_table", "debt_table", "finance_sentences", "fiscal_space_sentences",
    "fiscal_space_table", "rules_basis_table", "rules_matrix", "rules_sentences", "sources_uses_sentences",
    "sources_uses_table", "spending_table", "transfer_table",
    # investment plan (04, report)
    "plan_comparison_table", "plan_effect_table", "plan_funding_table", "plan_poa_table",
    "plan_portfolio_table", "plan_schedule_table", "plan_scores_table", "plan_sentences",
    "plan_unfunded_table", "plan_warnings",
    # scenarios and uncertainty (05)
    "breaches_table", "changes_table", "comparison_difference_table", "comparison_sentences", "comparison_table",
    "probability_sentences", "tornado_table", "uncertainty_sentences", "uncertainty_table",
    # annex and Excel
    "assumptions_annex", "excel_tables",
]

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
TRANSFER_SOURCES = ("aporte_constitucional", "iva_paz", "circulacion_vehiculos", "petroleo", "codede",
                    "otras_transferencias")
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
#: Portfolio sectors (``investment.portfolio``).
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

def _path_sentence(subject: str, place: str, a: float, b: float, first: int, end: int) -> str:
    rate = _growth(a, b, end - first)
    pace = f" ({porcentaje(rate)} anual)" if rate is not None else ""
    return f"{subject} de {place} pasarían de {quetzales(a)} en {first} a {quetzales(b)} en {end}{pace}."


def executive_summary(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Headline sentences: own revenue, transfers, autonomy, revenue per inhabitant, IUSI gap,
    fiscal space, legal rules and data quality."""
    code = _code(result, municipio)
    wide = result.wide(code)
    place = _place(code)
    _, last, end = _years(result, code)
    out = [_path_sentence(subject, place["nombre"], wide.at[last, concept], wide.at[end, concept], last, end)
           for concept, subject in SUBJECTS.items()]
    autonomy = _autonomy(wide)
    out.append(f"La autonomía financiera (ingresos propios / ingresos totales) sería de "
               f"{porcentaje(autonomy.at[end])} en {end}, frente a {porcentaje(autonomy.at[last])} en {last}.")
    if place["poblacion"]:
        per_head = wide.at[last, "ingresos_propios"] / place["poblacion"]
        out.append(f"Con la población del Censo 2018 ({numero(place['poblacion'])} habitantes), los ingresos "
                   f"propios de {last} equivalen a {quetzales(per_head)} por habitante.")
    out.extend(_gap_sentences(result, code, streams=("iusi",)))
    out.extend(fiscal_space_sentences(result, code)[:1])
    out.extend(rules_sentences(result, code)[:1])
    out.extend(quality_sentences(result, code))
    return out


def headline_lines(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Short Spanish lines for the terminal: own revenue, potential and gap, fiscal space, rules."""
    code = _code(result, municipio)
    value = _projected(result, code)
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
    """What the projection did about doubtful values and estimates (``RunResult.notes``)."""
    return list(result.notes.get(_code(result, municipio), []))


# --- history and revenue (formatted text) ----------------------------------------------------

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
    """Own-source revenue by MINFIN concept: last observed year, end of projection, annual growth."""
    code = _code(result, municipio)
    wide = result.wide(code)
    _, last, end = _years(result, code)
    return _path_table(wide, catalog.children("ingresos_propios") + ["ingresos_propios"], last, end, {})


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


def _indicator_text(indicator: str, value: float) -> str:
    return quetzales(value) if indicator.endswith("per_capita") else porcentaje(value)


def indicators_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The last observed year's indicators beside the department's and the national median."""
    code = _code(result, municipio)
    _, last, _ = _years(result, code)
    table = result.indicators(code)
    table = table.loc[table["anio"] == last]
    names = table["indicador"].tolist()
    return pd.DataFrame({
        f"Indicador ({last})": table["etiqueta"].tolist(),
        "Municipio": [_indicator_text(n, v) for n, v in zip(names, table["valor"])],
        "Mediana del departamento": [_indicator_text(n, v) for n, v in zip(names, table["mediana_departamento"])],
        "Mediana nacional": [_indicator_text(n, v) for n, v in zip(names, table["mediana_nacional"])],
    })


#: Short indicator names for a table with one column per indicator.
INDICATOR_SHORT = {"ingresos_propios_per_capita": "Propios por habitante", "iusi_per_capita": "IUSI por habitante",
                   "autonomia": "Autonomía", "dependencia_transferencias": "Dependencia de transferencias",
                   "crecimiento_ingresos_propios": "Crecimiento de los propios"}


def indicator_path_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Each indicator year by year, observed and projected (per cápita with the Censo 2018)."""
    code = _code(result, municipio)
    _, last, _ = _years(result, code)
    table = result.indicators(code)
    wide = table.pivot(index="anio", columns="indicador", values="valor")
    labels = {**dict(zip(table["indicador"], table["etiqueta"])), **INDICATOR_SHORT}
    order = list(dict.fromkeys(table["indicador"]))
    out = {"Año": [str(y) for y in wide.index],
           "Tipo": ["observado" if y <= last else "proyectado" for y in wide.index]}
    for name in order:
        out[labels[name]] = [_indicator_text(name, v) for v in wide[name]]
    return pd.DataFrame(out)


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


# --- own revenue by stream: projection, potential and gap, calibration, levers (02) -----------

def stream_names(values: pd.DataFrame) -> list[str]:
    """The own-revenue streams of the projection, in the catalog's order."""
    lines = catalog.result_lines()
    names = lines.index[(lines["grupo"] == "flujo") & (lines.index != "ingresos_propios_total")]
    return [s for s in names if s in values.columns]


def stream_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Own revenue by stream (IUSI, ornato, agua, ...): first and last projected year, growth, share."""
    code = _code(result, municipio)
    values = _projected(result, code)
    first, end = int(values.index.min()), int(values.index.max())
    return _path_table(values, stream_names(values), first, end, {"ingresos_propios_total": "Ingresos propios"},
                       total="ingresos_propios_total")


def _in_sentence(label: str) -> str:
    """A label inside a sentence: ``Boleto de ornato`` -> ``boleto de ornato``; acronyms (IUSI) stay."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def _gap_sentences(result: "RunResult", code: str, streams: tuple[str, ...] | None = None) -> list[str]:
    gaps = _rows(result.gaps, code)
    if gaps.empty:
        return []
    first = int(gaps["anio"].min())
    out = []
    for stream, rows in gaps.loc[gaps["anio"] == first].groupby("flujo", sort=False):
        if streams and stream not in streams:
            continue
        value = rows.set_index("componente")["valor"]
        per_head = rows.set_index("componente")["per_capita"]
        name = _in_sentence(catalog.label(stream))
        if value["brecha_total"] < 0.005:
            out.append(f"En {first}, lo recaudado por {name} ({quetzales(value['recaudacion'])}) ya alcanzaría "
                       f"su potencial.")
            continue
        out.append(f"En {first}, lo recaudado por {name} sería {quetzales(value['recaudacion'])} de un "
                   f"potencial de {quetzales(value['potencial'])}: una brecha de {quetzales(value['brecha_total'])} "
                   f"({quetzales(per_head['brecha_total'])} por habitante).")
    return out


def own_revenue_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Own revenue's path, its largest stream, the gaps of IUSI, agua and ornato, the levers."""
    code = _code(result, municipio)
    wide = result.wide(code)
    values = _projected(result, code)
    _, last, end = _years(result, code)
    place = _place(code)["nombre"]
    out = [_path_sentence("Los ingresos propios", place, wide.at[last, "ingresos_propios"],
                          wide.at[end, "ingresos_propios"], last, end)]
    streams = values.loc[end, stream_names(values)]
    if len(streams) and streams.max() > 0:
        top = streams.idxmax()
        out.append(f"El flujo más grande en {end} sería {_in_sentence(catalog.label(top))}: {quetzales(streams[top])}, "
                   f"{porcentaje(_share(streams[top], values.at[end, 'ingresos_propios_total']))} "
                   f"de los ingresos propios.")
    out.extend(_gap_sentences(result, code))
    levers = result.parameters[code].params.levers.active()
    if levers:
        labels = [field_metadata(f"palancas.{key}")[0].get("etiqueta", key) for key in levers]
        names = ", ".join(label[:1].lower() + label[1:] for label in labels)
        out.append(f"El escenario '{result.escenario}' mueve {len(levers)} palanca{'s' if len(levers) > 1 else ''}: "
                   f"{names}.")
    else:
        out.append(f"El escenario '{result.escenario}' no mueve palancas de ingresos propios.")
    return out


def gap_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Potential and gap of IUSI, agua and ornato by component, in quetzales and per cápita,
    in the first and the last projected year. Recaudación + the gaps = potencial."""
    code = _code(result, municipio)
    gaps = _rows(result.gaps, code)
    if gaps.empty:
        return pd.DataFrame()
    first, end = int(gaps["anio"].min()), int(gaps["anio"].max())
    rows = []
    for stream in dict.fromkeys(gaps["flujo"]):
        part = gaps.loc[gaps["flujo"] == stream].set_index(["anio", "componente"])
        for component in GAP_LABELS:
            if (first, component) not in part.index:
                continue
            rows.append({
                "Flujo": catalog.label(stream), "Componente": GAP_LABELS[component],
                f"{first}": quetzales(part.at[(first, component), "valor"]),
                f"Por habitante {first}": quetzales(part.at[(first, component), "per_capita"]),
                f"{end}": quetzales(part.at[(end, component), "valor"]),
                f"Por habitante {end}": quetzales(part.at[(end, component), "per_capita"]),
            })
    return pd.DataFrame(rows)


def calibration_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The unobserved driver of each stream, as assumed and as implied by the base year's revenue."""
    code = _code(result, municipio)
    table = _rows(result.calibration, code)
    _, last, _ = _years(result, code)
    if table.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "Flujo": [catalog.label(s) for s in table["flujo"]],
        "Impulsor": [_name(DRIVER_LABELS, d) for d in table["impulsor"]],
        "Valor supuesto": [porcentaje(v) for v in table["valor"]],
        f"Valor que reproduce {last}": [porcentaje(v) for v in table["valor_implicito"]],
        "Escala de la base": [numero(v, 2) for v in table["escala_base"]],
        "Base conocida": ["sí" if b else "no (supuesta)" for b in table["base_conocida"]],
        "Resultado": ["fuera de rango: se escala la base" if o else "dentro del rango"
                      for o in table["fuera_de_rango"]],
    })


def _lever_value(unit: str, value: float, decimals: int = 1) -> str:
    """A value in its unit: fractions as %, quetzales as Q, anything else as a short number."""
    if unit.startswith("fracción"):
        return porcentaje(value, decimals)
    if unit.startswith("quetzales"):
        return quetzales(value)
    return f"{value:.4g}"


def lever_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The scenario's levers (council decisions): target, years, path and cost."""
    code = _code(result, municipio)
    shapes = {"lineal": "línea recta", "s": "curva S", "escalones": "escalones"}
    rows = []
    for key, lever in result.parameters[code].params.levers.active().items():
        meta, _ = field_metadata(f"palancas.{key}")
        rows.append({"Palanca": meta.get("etiqueta", key), "Meta": _lever_value(meta.get("unidad", ""), lever.target),
                     "Inicio": str(lever.start_year), "Meta alcanzada en": str(lever.target_year),
                     "Trayectoria": shapes.get(lever.shape, lever.shape), "Costo total": quetzales(lever.cost)})
    return pd.DataFrame(rows, columns=["Palanca", "Meta", "Inicio", "Meta alcanzada en", "Trayectoria",
                                       "Costo total"])


#: Lines compared with the base scenario to show a lever's effect (own streams, the aporte
#: that the art. 119 formula moves with own revenue, the reforms' cost).
EFFECT_LINES = ("iusi", "agua", "ornato", "ingresos_propios_total", "aporte_constitucional", "costo_reformas")


def _effect(result: "RunResult", base: "RunResult", code: str) -> pd.DataFrame:
    """Scenario minus base, by year, for :data:`EFFECT_LINES`."""
    now, ref = _projected(result, code), _projected(base, code)
    lines = [c for c in EFFECT_LINES if c in now.columns and c in ref.columns]
    return now[lines] - ref[lines].reindex(now.index)


def lever_effect_table(result: "RunResult", base: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """What the scenario changes against the base scenario, year by year: IUSI, agua, ornato,
    own revenue, the aporte constitucional (art. 119 rewards own revenue) and the reforms' cost.
    Lines that do not change are left out."""
    code = _code(result, municipio)
    diff = _effect(result, base, code)
    moved = [c for c in diff.columns if diff[c].abs().max() > 0.005]
    if not moved:
        return pd.DataFrame()
    labels = {"ingresos_propios_total": "Ingresos propios", "costo_reformas": "Costo de las reformas"}
    return _year_table(diff, {c: f"Δ {_name(labels, c)}" if c != "costo_reformas" else labels[c] for c in moved})


def lever_sentences(result: "RunResult", base: "RunResult", municipio: str | None = None) -> list[str]:
    """The scenario's effect on own revenue against the base scenario, net of the reforms' cost."""
    code = _code(result, municipio)
    diff = _effect(result, base, code)
    first, end = int(diff.index.min()), int(diff.index.max())
    own, cost = diff["ingresos_propios_total"], diff.get("costo_reformas", pd.Series(0.0, index=diff.index))
    if result.escenario == base.escenario:
        return ["Este es el escenario base: no hay diferencias que medir."]
    if own.abs().max() <= 0.005 and cost.abs().max() <= 0.005:
        return [f"El escenario '{result.escenario}' no cambia los ingresos propios frente al escenario base."]
    verb = "más" if own.at[end] >= 0 else "menos"
    out = [f"En {end}, los ingresos propios serían {quetzales(abs(own.at[end]))} {verb} que en el escenario "
           f"base; en {anio_rango(first, end)} sumarían {quetzales(own.sum())} de diferencia."]
    if cost.sum() > 0.005:
        out.append(f"Las reformas cuestan {quetzales(cost.sum())} en {anio_rango(first, end)}: el efecto neto "
                   f"acumulado sería {quetzales(own.sum() - cost.sum())}.")
    if "aporte_constitucional" in diff and diff["aporte_constitucional"].abs().max() > 0.005:
        out.append(f"Por el criterio de ingresos propios per cápita (art. 119), el aporte constitucional "
                   f"cambiaría en {quetzales(diff['aporte_constitucional'].sum())} en {anio_rango(first, end)}.")
    return out


# --- transfers, spending, debt, rules, fiscal space (03) ------------------------------------

def transfer_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Transfers by source: first and last projected year, growth, share of all transfers."""
    code = _code(result, municipio)
    values = _projected(result, code)
    first, end = int(values.index.min()), int(values.index.max())
    sources = [s for s in TRANSFER_SOURCES if s in values.columns]
    return _path_table(values, sources, first, end, {"transferencias_total": "Transferencias"},
                       total="transferencias_total")


def aporte_criteria_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The aporte constitucional by art. 119 criterion: legal weight, amount, share of the total."""
    code = _code(result, municipio)
    parts = _rows(result.aporte, code)
    if parts.empty:
        return pd.DataFrame()
    weights = result.parameters[code].params.transfers.aporte.weights
    wide = parts.pivot(index="anio", columns="criterio", values="monto")
    first, end = int(wide.index.min()), int(wide.index.max())
    rows = [{"Criterio (art. 119)": _name(CRITERIA_LABELS, c), "Peso legal": porcentaje(weights.get(c)),
             str(first): quetzales(wide.at[first, c]), str(end): quetzales(wide.at[end, c]),
             f"Parte del aporte {end}": porcentaje(_share(wide.at[end, c], wide.loc[end].sum()))}
            for c in dict.fromkeys(parts["criterio"])]
    rows.append({"Criterio (art. 119)": "Aporte constitucional", "Peso legal": porcentaje(sum(weights.values())),
                 str(first): quetzales(wide.loc[first].sum()), str(end): quetzales(wide.loc[end].sum()),
                 f"Parte del aporte {end}": porcentaje(1.0)})
    return pd.DataFrame(rows)


def spending_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Operating spending by line, year by year."""
    code = _code(result, municipio)
    values = _projected(result, code)
    lines = ["gasto_personal", "gasto_bienes_servicios", "costo_reformas", "operacion_mantenimiento",
             "gasto_funcionamiento"]
    short = {"gasto_personal": "Personal", "gasto_bienes_servicios": "Bienes y servicios",
             "costo_reformas": "Reformas", "operacion_mantenimiento": "O&M de obras nuevas",
             "gasto_funcionamiento": "Funcionamiento total"}
    return _year_table(values, {c: short[c] for c in lines if c in values.columns})


def debt_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Debt service, its ratio to ordinary revenue (the legal limit's base) and the largest new
    INFOM loan each year could start, with its term."""
    code = _code(result, municipio)
    values = _projected(result, code)
    table = _year_table(values, {"intereses": "Intereses", "amortizacion": "Amortización",
                                 "servicio_deuda": "Servicio de la deuda"})
    ratio = values["servicio_deuda"] / values["ingresos_ordinarios"].where(values["ingresos_ordinarios"] > 0)
    table["Servicio / ingresos ordinarios"] = [porcentaje(v) for v in ratio]
    table["Desembolsos"] = [quetzales(v) for v in values["desembolso_prestamo"]]
    capacity = _rows(result.borrowing, code)
    if not capacity.empty:
        capacity = capacity.set_index("anio").reindex(values.index)
        table["Préstamo nuevo posible"] = [quetzales(v) for v in capacity["monto"]]
        table["Plazo (años)"] = [numero(v) for v in capacity["plazo"]]
    return table


def _rules(result: "RunResult", code: str) -> pd.DataFrame:
    return _rows(result.rules, code)


def rules_matrix(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Each legal rule (rows) in each projected year (columns): ``✓`` met, ``✗`` broken."""
    code = _code(result, municipio)
    rules = _rules(result, code)
    if rules.empty:
        return pd.DataFrame()
    wide = rules.pivot(index="regla", columns="anio", values="cumple").reindex(list(dict.fromkeys(rules["regla"])))
    labels = dict(zip(rules["regla"], rules["etiqueta"]))
    out = {"Regla": [labels[r] for r in wide.index]}
    for year in wide.columns:
        out[str(year)] = ["✓" if ok else "✗" for ok in wide[year]]
    return pd.DataFrame(out)


def rules_basis_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Each rule's legal basis, limit, years broken and whether the article is confirmed."""
    from nexos_model.rules import catalog as rule_catalog

    code = _code(result, municipio)
    rules = _rules(result, code)
    if rules.empty:
        return pd.DataFrame()
    certainty = rule_catalog()["certeza"].to_dict()
    rows = []
    for rule, part in rules.groupby("regla", sort=False):
        broken = part.loc[~part["cumple"], "anio"].astype(int).tolist()
        limit = float(part["limite"].iloc[0])
        share_rule = rule in {"aporte_funcionamiento", "iva_paz_funcionamiento", "servicio_deuda"}
        rows.append({
            "Regla": part["etiqueta"].iloc[0],
            "Base legal": part["articulo"].iloc[0],
            "Límite": (f"máximo {porcentaje(limit)}" if share_rule else
                       f"año {int(limit)}" if rule == "plazo_prestamo" else quetzales(limit)),
            "Resultado": OK if not broken else f"{BREACH} en {', '.join(map(str, broken))}",
            "Texto legal": "confirmado" if certainty.get(rule) == "C" else "por confirmar",
        })
    return pd.DataFrame(rows)


def rules_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Whether every rule holds; otherwise one sentence per broken rule with its first breach."""
    code = _code(result, municipio)
    rules = _rules(result, code)
    if rules.empty:
        return []
    first, end = int(rules["anio"].min()), int(rules["anio"].max())
    kinds = rules["regla"].nunique()
    broken = rules.loc[~rules["cumple"]]
    if broken.empty:
        return [f"Se cumplen las {kinds} reglas legales revisadas en todos los años, de {first} a {end}."]
    n = broken["regla"].nunique()
    out = [f"{n} de las {kinds} reglas legales revisadas no se cumpl{'e' if n == 1 else 'en'} en algún año "
           f"de {first} a {end}."]
    for _, part in broken.groupby("regla", sort=False):
        years = part["anio"].astype(int).tolist()
        out.append(f"{part['etiqueta'].iloc[0]} ({part['articulo'].iloc[0]}): no se cumple en "
                   f"{len(years)} año{'s' if len(years) > 1 else ''}. {part['mensaje'].iloc[0]}")
    return out


def space_by_source(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Fiscal space as numbers: years × sources (in :data:`SOURCE_NAMES` order)."""
    space = _rows(result.fiscal_space, _code(result, municipio))
    wide = space.pivot(index="anio", columns="fuente", values="monto")
    return wide[[s for s in SOURCE_NAMES if s in wide.columns] + [s for s in wide.columns if s not in SOURCE_NAMES]]


def fiscal_space_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Fiscal space for investment by source of funds, year by year, and its total."""
    code = _code(result, municipio)
    wide = space_by_source(result, code)
    wide["total"] = wide.sum(axis=1)
    short = {**SOURCE_NAMES, "propios": "Propios y libre uso", "aporte_constitucional": "Aporte constitucional",
             "total": "Total"}
    return _year_table(wide, {c: _name(short, c) for c in wide.columns})


def fiscal_space_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """The fiscal space over the projection and how much of it is earmarked money."""
    code = _code(result, municipio)
    wide = space_by_source(result, code)
    if wide.empty:
        return []
    first, end = int(wide.index.min()), int(wide.index.max())
    total = wide.sum(axis=1)
    earmarked = wide[[c for c in ("aporte_constitucional", "iva_paz", "codede") if c in wide.columns]].sum().sum()
    out = [f"El espacio fiscal para inversión sumaría {quetzales(total.sum())} en {anio_rango(first, end)} "
           f"({quetzales(total.at[first])} en {first} y {quetzales(total.at[end])} en {end}); "
           f"{porcentaje(_share(earmarked, total.sum()))} son fondos con destino de inversión "
           f"(aporte constitucional, IVA-PAZ y CODEDE)."]
    if "propios" in wide.columns:
        out.append(f"Los ingresos propios y las transferencias de libre uso dejarían "
                   f"{quetzales(wide.at[end, 'propios'])} para invertir en {end}, después de pagar el funcionamiento.")
    return out


#: The identity every projected year satisfies (``fiscal.py``): sources on the left, uses on the right.
SOURCES = {"ingresos_propios_total": "Ingresos propios", "transferencias_total": "Transferencias",
           "desembolso_prestamo": "Desembolsos de préstamos", "deficit": "Gasto sin fuente de pago"}
USES = {"gasto_funcionamiento": "Gasto de funcionamiento", "servicio_deuda": "Servicio de la deuda",
        "espacio_fiscal": "Espacio fiscal para inversión"}


def _identity(values: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return values[list(SOURCES)].sum(axis=1), values[list(USES)].sum(axis=1)


def sources_uses_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Sources = uses: each line in the first and last projected year and over the projection,
    with the totals and their difference (zero: every quetzal is accounted for)."""
    code = _code(result, municipio)
    values = _projected(result, code)
    first, end = int(values.index.min()), int(values.index.max())
    sources, uses = _identity(values)
    span = f"Total {anio_rango(first, end)}"
    rows = []

    def add(label: str, series: pd.Series) -> None:
        rows.append({"Fuentes y usos": label, str(first): quetzales(series.at[first]),
                     str(end): quetzales(series.at[end]), span: quetzales(series.sum())})

    for concept, label in SOURCES.items():
        add(f"(+) {label}", values[concept])
    add("= Total de fuentes", sources)
    for concept, label in USES.items():
        add(f"(−) {label}", values[concept])
    add("= Total de usos", uses)
    add("Diferencia (fuentes − usos)", (sources - uses).round(2))
    return pd.DataFrame(rows)


def sources_uses_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """That the identity holds every year, to the cent."""
    code = _code(result, municipio)
    values = _projected(result, code)
    sources, uses = _identity(values)
    gap = float((sources - uses).abs().max())
    first, end = int(values.index.min()), int(values.index.max())
    verdict = ("las fuentes igualan a los usos" if gap < 0.005 else
               f"las fuentes y los usos difieren hasta en {quetzales(gap)}")
    return [f"En cada año, de {first} a {end}, {verdict} (diferencia máxima {quetzales(gap)}): "
            f"ingresos propios + transferencias + préstamos + gasto sin fuente = funcionamiento + servicio "
            f"de la deuda + espacio fiscal."]


def finance_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Transfers, the aporte's weight, operating spending, debt room, fiscal space and the rules."""
    code = _code(result, municipio)
    values = _projected(result, code)
    _, last, end = _years(result, code)
    first = last + 1
    place = _place(code)["nombre"]
    out = [_path_sentence("Las transferencias", place, values.at[first, "transferencias_total"],
                          values.at[end, "transferencias_total"], first, end)]
    if "aporte_constitucional" in values:
        aporte = values.at[end, "aporte_constitucional"]
        share = _share(aporte, values.at[end, "transferencias_total"])
        out.append(f"El aporte constitucional sería {porcentaje(share)} de las transferencias en {end} "
                   f"({quetzales(aporte)}).")
    operating = values["gasto_funcionamiento"]
    out.append(f"El gasto de funcionamiento pasaría de {quetzales(operating.at[first])} en {first} "
               f"a {quetzales(operating.at[end])} en {end}.")
    capacity = _rows(result.borrowing, code)
    if not capacity.empty:
        row = capacity.loc[capacity["anio"] == first].iloc[0]
        if row["monto"] > 0:
            term = int(row["plazo"])
            out.append(f"Un préstamo nuevo del INFOM que empiece en {first} podría ser de hasta "
                       f"{quetzales(row['monto'])} a {term} año{'s' if term > 1 else ''}, dentro del límite "
                       f"del servicio de la deuda y del período del alcalde.")
        else:
            out.append(f"En {first} no cabe un préstamo nuevo dentro del límite del servicio de la deuda y del "
                       f"período del alcalde.")
    out.extend(fiscal_space_sentences(result, code)[:1])
    out.extend(rules_sentences(result, code)[:1])
    return out


# --- investment plan (04, report) ------------------------------------------------------------

def _sources_text(row: pd.Series, sources: list[str]) -> str:
    parts = [f"{SOURCE_NAMES.get(s, s)} {quetzales(row[s])}" for s in sources if row.get(s, 0) > 0.005]
    return "; ".join(parts) if parts else "—"


def _portfolio_origin(origin: str) -> str:
    """A portfolio file as ``archivo carteras/0901.yaml`` (no machine path in a report)."""
    from pathlib import Path

    path = Path(origin)
    if path.suffix.lower() in {".yaml", ".yml", ".csv", ".xlsx"}:
        return f"archivo {path.parent.name}/{path.name}" if path.parent.name else f"archivo {path.name}"
    return origin


def plan_sentences(plan: "InvestmentPlan") -> list[str]:
    """What the plan does: portfolio, projects programmed and their cost, gain over the ranked
    fill, projects left out, recurrent cost it commits."""
    years = anio_rango(plan.years[0], plan.years[-1])
    schedule, comparison = plan.cronograma, plan.comparacion.set_index("metodo")
    optimum = comparison.iloc[0]
    out = [f"Cartera: {_portfolio_origin(plan.cartera)} ({len(plan.projects)} proyectos)."]
    if plan.ilustrativa and "ILUSTRATIVA" not in plan.cartera:
        out.append("La cartera es ILUSTRATIVA: muestra cómo se programaría la inversión, no es un plan "
                   "aprobado por el municipio.")
    out.append(f"El programa óptimo financia {len(schedule)} de {len(plan.projects)} proyectos en {years}, con una "
               f"inversión de {quetzales(optimum['inversion'])}.")
    ranked = comparison.iloc[1]
    gain = optimum.get("ganancia_sobre_orden_pct")
    if gain is not None and np.isfinite(gain):
        result = (f"logra {porcentaje(gain / 100)} más puntaje" if gain >= 0.05 else "logra el mismo puntaje")
        out.append(f"Frente a financiar en orden de puntaje ({int(ranked['proyectos'])} proyectos, "
                   f"{quetzales(ranked['inversion'])}), el programa óptimo {result}.")
    left = plan.no_financiados
    if len(left):
        out.append(f"{len(left)} proyecto{'s quedan' if len(left) > 1 else ' queda'} sin financiar; la tabla dice "
                   f"por qué.")
    effect = plan.efecto
    if len(effect) and effect["operacion_mantenimiento"].max() > 0:
        top = effect.loc[effect["operacion_mantenimiento"].idxmax()]
        out.append(f"Las obras terminadas costarían {quetzales(top['operacion_mantenimiento'])} al año en operación "
                   f"y mantenimiento a partir de {int(top['anio'])}, con cargo a los ingresos propios.")
    return out


def plan_warnings(plan: "InvestmentPlan") -> list[str]:
    """The plan's warnings (illustrative portfolio, estimated O&M, solver limits), capitalized."""
    return [w[:1].upper() + w[1:] + ("" if w.endswith(".") else ".") for w in plan.avisos]


def plan_portfolio_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """The candidate projects: sector, cost, duration, yearly O&M, beneficiaries, mandatory."""
    programmed = set(plan.cronograma["proyecto"])
    return pd.DataFrame([{
        "Proyecto": p.name, "Sector": _name(SECTOR_LABELS, p.sector), "Costo total": quetzales(p.total_cost),
        "Años": str(p.duration), "O&M anual": quetzales(p.annual_om_cost),
        "Beneficiarios": numero(p.beneficiaries), "Obligatorio": "sí" if p.mandatory else "no",
        "En el programa": "sí" if p.name in programmed else "no",
    } for p in plan.projects])


def plan_scores_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """Each project's score and the contribution of each criterion (weights × index)."""
    scores = plan.puntajes
    criteria = {"alineacion": "Alineación", "costo_por_beneficiario": "Costo por beneficiario",
                "prioridad_sector": "Prioridad del sector", "avance_resultados": "Avance de resultados"}
    out = {"Proyecto": scores["proyecto"].tolist()}
    for column, header in criteria.items():
        if column in scores:
            out[header] = [numero(v, 3) for v in scores[column]]
    out["Puntaje"] = [numero(v, 3) for v in scores["puntaje"]]
    return pd.DataFrame(out)


def plan_comparison_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """The optimal programme (MILP) beside the ranked fill."""
    table = plan.comparacion
    return pd.DataFrame({
        "Método": [m[:1].upper() + m[1:] for m in table["metodo"]],
        "Proyectos": [str(int(v)) for v in table["proyectos"]],
        "Puntaje total": [numero(v, 3) for v in table["puntaje_total"]],
        "Inversión": [quetzales(v) for v in table["inversion"]],
        "Obligatorios sin financiar": [str(int(v)) for v in table["obligatorios_sin_financiar"]],
        "Ganancia sobre el orden": [porcentaje(v / 100) for v in table["ganancia_sobre_orden_pct"]],
    })


def plan_schedule_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """The schedule: each programmed project's years, cost and yearly O&M."""
    table = plan.cronograma.sort_values(["inicio", "fin", "proyecto"], ignore_index=True)
    return pd.DataFrame({
        "Proyecto": table["proyecto"].tolist(),
        "Sector": [_name(SECTOR_LABELS, s) for s in table["sector"]],
        "Ejecución": [anio_rango(a, b) for a, b in zip(table["inicio"], table["fin"])],
        "Costo total": [quetzales(v) for v in table["costo_total"]],
        "O&M anual": [quetzales(v) for v in table["costo_operacion_anual"]],
        "Puntaje": [numero(v, 3) for v in table["puntaje"]],
    })


def plan_funding_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """Funding mix by year and source: space, investment, O&M, what is left and the share used."""
    table = plan.financiamiento
    return pd.DataFrame({
        "Año": [str(y) for y in table["anio"]],
        "Fuente": [SOURCE_NAMES.get(s, s) for s in table["fuente"]],
        "Espacio": [quetzales(v) for v in table["espacio"]],
        "Inversión": [quetzales(v) for v in table["inversion"]],
        "O&M": [quetzales(v) for v in table["operacion"]],
        "Saldo": [quetzales(v) for v in table["saldo"]],
        "Uso": [porcentaje(v) for v in table["uso"]],
    })


def plan_unfunded_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """Projects left out and the reason that binds."""
    table = plan.no_financiados
    return pd.DataFrame({
        "Proyecto": table["proyecto"].tolist(),
        "Puntaje": [numero(v, 3) for v in table["puntaje"]],
        "Obligatorio": ["sí" if v else "no" for v in table["obligatorio"]],
        "Razón": [r[:1].upper() + r[1:] for r in table["razon"].astype(str)],
    })


def plan_poa_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """The first year's operating plan (POA): project, SNIP code, sector, amount and sources."""
    table = plan.poa
    sources = [s for s in SOURCE_NAMES if s in table.columns]
    return pd.DataFrame({
        "Proyecto": table["proyecto"].tolist(),
        "Código SNIP": [str(v) if v else "pendiente" for v in table["codigo_snip"]],
        "Sector": [_name(SECTOR_LABELS, s) for s in table["sector"]],
        "Monto": [quetzales(v) for v in table["total"]],
        "Fuentes": [_sources_text(row, sources) for _, row in table.iterrows()],
    })


def plan_effect_table(plan: "InvestmentPlan") -> pd.DataFrame:
    """What the plan adds to later budgets: O&M of the new works and service of new loans."""
    return _year_table(plan.efecto.set_index("anio"), {
        "operacion_mantenimiento": "O&M de obras nuevas", "desembolso_prestamo": "Préstamos nuevos",
        "servicio_deuda": "Servicio de la deuda nueva", "saldo_deuda": "Saldo de la deuda nueva"})


# --- scenarios and uncertainty (05) -----------------------------------------------------------

def unit_of(concept: str) -> str:
    """``quetzales``, ``porcentaje`` or ``personas`` for a result concept (catalog first)."""
    lines = catalog.result_lines()
    if concept in lines.index and lines.at[concept, "unidad"]:
        return lines.at[concept, "unidad"]
    if concept in {"autonomia", "dependencia_transferencias", "crecimiento_ingresos_propios"}:
        return "porcentaje"
    return "quetzales"


def _value_of(concept: str, value: float) -> str:
    unit = unit_of(concept)
    if unit == "porcentaje" or unit.startswith("fracción"):
        return porcentaje(value)
    if unit == "quetzales":
        return quetzales(value)
    return numero(value)


def _outcomes_in(comparison: Any, anio: int | None) -> tuple[int, pd.DataFrame]:
    outcomes = comparison.outcomes
    year = int(anio or outcomes["anio"].max())
    return year, outcomes.loc[outcomes["anio"] == year]


def _by_scenario(rows: pd.DataFrame, column: str, year: int, scenarios: list[str]) -> pd.DataFrame:
    """Outcomes (rows) × scenarios (columns) of ``column``, as text in each outcome's unit."""
    wide = rows.pivot(index="resultado", columns="escenario", values=column)
    order = list(dict.fromkeys(rows["resultado"]))
    labels = dict(zip(rows["resultado"], rows["etiqueta"]))
    out = {f"Resultado ({year})": [labels[r] for r in order]}
    for name in scenarios:
        out[name] = [_value_of(r, wide.at[r, name]) for r in order]
    return pd.DataFrame(out)


def comparison_table(comparison: Any, anio: int | None = None) -> pd.DataFrame:
    """Each compared outcome (rows) in each scenario (columns) in one year (default: the last)."""
    year, rows = _outcomes_in(comparison, anio)
    return _by_scenario(rows, "valor", year, list(dict.fromkeys(rows["escenario"])))


def comparison_difference_table(comparison: Any, anio: int | None = None) -> pd.DataFrame:
    """The same outcomes as differences from the reference (first, base) scenario."""
    year, rows = _outcomes_in(comparison, anio)
    scenarios = list(dict.fromkeys(rows["escenario"]))
    return _by_scenario(rows, "diferencia_base", year, scenarios[1:])


def comparison_sentences(comparison: Any, resultado: str = "ingresos_propios") -> list[str]:
    """Where each scenario leaves one outcome in the last year, against the reference scenario."""
    year, rows = _outcomes_in(comparison, None)
    rows = rows.loc[rows["resultado"] == resultado]
    if rows.empty:
        return []
    label = rows["etiqueta"].iloc[0]
    first = rows.iloc[0]
    out = [f"{label} en {year}, escenario {first['escenario']}: {_value_of(resultado, first['valor'])}."]
    for row in rows.iloc[1:].itertuples():
        sign = "+" if row.diferencia_base >= 0 else ""
        out.append(f"Escenario {row.escenario}: {_value_of(resultado, row.valor)} "
                   f"({sign}{_value_of(resultado, row.diferencia_base)} frente al escenario {first['escenario']}).")
    return out


def changes_table(comparison: Any) -> pd.DataFrame:
    """What each scenario changes from the defaults: parameter, value with its unit, source."""
    changes = comparison.changes
    units = changes["unidad"] if "unidad" in changes else [""] * len(changes)
    return pd.DataFrame({
        "Escenario": changes["escenario"].tolist(),
        "Parámetro": changes["parametro"].astype(str).tolist(),
        "Clave": changes["clave"].tolist(),
        "Valor": [f"{_value_text(v)} {u}".strip() if u else _value_text(v) for v, u in zip(changes["valor"], units)],
        "Fuente": changes["fuente"].astype(str).tolist(),
    })


def breaches_table(comparison: Any) -> pd.DataFrame:
    """Legal rules each scenario breaks, and in which years (empty: all hold)."""
    table = getattr(comparison, "breaches", None)
    if table is None or table.empty:
        return pd.DataFrame()
    return pd.DataFrame({"Escenario": table["escenario"].tolist(), "Regla": table["etiqueta"].tolist(),
                         "Años en que no se cumple": table["anios_incumplidos"].astype(str).tolist()})


def uncertainty_table(result: "RunResult", concepto: str = "ingresos_propios",
                      municipio: str | None = None) -> pd.DataFrame:
    """Percentiles of one outcome by year (Monte Carlo): p05, p25, median, p75, p95."""
    code = _code(result, municipio)
    table = _rows(getattr(result, "percentiles", None), code)
    if table.empty:
        return pd.DataFrame()
    table = table.loc[table["concepto"] == concepto].sort_values("anio")
    out = {"Año": [str(y) for y in table["anio"]]}
    for column, header in (("p05", "p05"), ("p25", "p25"), ("p50", "Mediana"), ("p75", "p75"), ("p95", "p95")):
        out[header] = [_value_of(concepto, v) for v in table[column]]
    return pd.DataFrame(out)


def uncertainty_sentences(result: "RunResult", concepto: str = "ingresos_propios",
                          municipio: str | None = None) -> list[str]:
    """The last year's 90 % interval and median of one outcome beside the central projection."""
    code = _code(result, municipio)
    table = _rows(getattr(result, "percentiles", None), code)
    if table.empty:
        return []
    rows = table.loc[table["concepto"] == concepto].set_index("anio")
    end = int(rows.index.max())
    central = _projected(result, code).at[end, concepto]
    label = catalog.label(concepto)
    return [f"{label} en {end}: con 90 % de probabilidad entre {_value_of(concepto, rows.at[end, 'p05'])} y "
            f"{_value_of(concepto, rows.at[end, 'p95'])}, con mediana de {_value_of(concepto, rows.at[end, 'p50'])} "
            f"en {numero(getattr(result, 'simulations', 0))} simulaciones; la proyección central es "
            f"{_value_of(concepto, central)}."]


def _event_name(event: str) -> tuple[str, bool]:
    """A Monte Carlo event's Spanish name and whether it is a legal rule."""
    from nexos_model.rules import catalog as rule_catalog

    rules = rule_catalog()
    if event in rules.index:
        return rules.at[event, "etiqueta"], True
    return catalog.label(event), False


def probability_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """For each event of the Monte Carlo run (a rule broken, spending with no source of funds),
    its highest yearly probability and the year; the events that never happen, together."""
    code = _code(result, municipio)
    table = _rows(getattr(result, "probabilities", None), code)
    if table.empty:
        return []
    span = f"de {int(table['anio'].min())} a {int(table['anio'].max())}"
    out, never = [], []
    for event, part in table.groupby("evento", sort=False):
        name, is_rule = _event_name(str(event))
        top = part.loc[part["probabilidad"].idxmax()]
        if top["probabilidad"] <= 0:
            never.append(name)
            continue
        what = f"no se cumpla «{name}»" if is_rule else f"haya {_in_sentence(name).lower()}"
        out.append(f"Probabilidad de que {what}: {porcentaje(top['probabilidad'])} en {int(top['anio'])}, "
                   f"la más alta {span}.")
    if never:
        out.append(f"No ocurre en ninguna simulación {span}: {'; '.join(never)}.")
    return out


def parameter_value(key: str, value: float) -> str:
    """A parameter's value in its unit (fractions as % with 2 decimals, quetzales as Q)."""
    return _lever_value(field_metadata(key)[0].get("unidad", ""), value, decimals=2)


def tornado_table(table: pd.DataFrame, resultado: str = "ingresos_propios") -> pd.DataFrame:
    """A tornado table in Spanish: each parameter's range tried and the outcome at each end."""
    names = dict(zip(table["parametro"], table["etiqueta"])) if "etiqueta" in table else {}
    return pd.DataFrame({
        "Parámetro": [names.get(p) or field_metadata(p)[0].get("etiqueta") or p for p in table["parametro"]],
        "Valor bajo": [parameter_value(p, v) for p, v in zip(table["parametro"], table["bajo"])],
        "Valor alto": [parameter_value(p, v) for p, v in zip(table["parametro"], table["alto"])],
        "Resultado con el bajo": [_value_of(resultado, v) for v in table["resultado_bajo"]],
        "Resultado con el alto": [_value_of(resultado, v) for v in table["resultado_alto"]],
        "Rango": [_value_of(resultado, v) for v in table["rango"]],
    })


# --- annex ---------------------------------------------------------------------------------

def assumptions_annex(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Parameters that differ from the defaults: key, label, value, unit, layer that set it, source
    (:func:`nexos_model.params.changes.changes_table`, with the report's Spanish headers).

    The scenario's description is on the cover, so it is left out here.
    """
    from nexos_model.params.changes import changes_table

    table = changes_table(result.parameters[_code(result, municipio)])
    return table.rename(columns={"clave": "Clave", "parametro": "Parámetro", "valor": "Valor", "unidad": "Unidad",
                                 "capa": "Capa", "fuente": "Fuente"})


# --- Excel (numbers, not text) ---------------------------------------------------------------

def _with_formats(table: pd.DataFrame, formats: dict[str, Any]) -> pd.DataFrame:
    """Attach the number formats the Excel writer reads (``excel.FORMATS_ATTR``):
    ``{column: "quetzales" | "porcentaje"}`` or a list with one per row."""
    from nexos_model.report.excel import FORMATS_ATTR

    table.attrs[FORMATS_ATTR] = {c: f for c, f in formats.items() if c in table.columns}
    return table


def _projection_sheet(result: "RunResult", code: str) -> pd.DataFrame:
    """Years × every concept (MINFIN concepts, then model lines), observed and projected."""
    wide = result.wide(code)
    _, last, _ = _years(result, code)
    model = _projected(result, code)
    extra = [c for c in catalog.result_lines().index if c in model.columns and c not in wide.columns]
    table = pd.concat([wide, model[extra]], axis=1)
    labels = {c: catalog.label(c) for c in table.columns}
    table = table.rename(columns=labels).rename_axis(index="Año", columns=None)
    table.insert(0, "Tipo", ["observado" if y <= last else "proyectado" for y in table.index])
    money = {label: "quetzales" for c, label in labels.items() if unit_of(c) == "quetzales"}
    return _with_formats(table, money)


def _indicator_sheet(result: "RunResult", code: str) -> pd.DataFrame:
    table = result.indicators(code)
    _, last, _ = _years(result, code)
    out = pd.DataFrame({
        "Año": table["anio"].astype(int), "Tipo": ["observado" if y <= last else "proyectado" for y in table["anio"]],
        "Indicador": table["etiqueta"], "Municipio": table["valor"],
        "Mediana del departamento": table["mediana_departamento"], "Mediana nacional": table["mediana_nacional"],
    }).reset_index(drop=True)
    # The value columns mix per-cápita quetzales and ratios: one format per row.
    by_row = ["quetzales" if n.endswith("per_capita") else "porcentaje" for n in table["indicador"]]
    return _with_formats(out, {c: by_row for c in ("Municipio", "Mediana del departamento", "Mediana nacional")})


#: Rules measured as a share (the others in quetzales, the loan term in years).
SHARE_RULES = frozenset({"aporte_funcionamiento", "iva_paz_funcionamiento", "servicio_deuda"})


def _rules_sheet(result: "RunResult", code: str) -> pd.DataFrame:
    rules = _rules(result, code)
    table = pd.DataFrame({
        "Año": rules["anio"].astype(int), "Regla": rules["etiqueta"], "Base legal": rules["articulo"],
        "Cumple": ["sí" if ok else "no" for ok in rules["cumple"]], "Valor": rules["valor"],
        "Límite": rules["limite"], "Exceso": rules["exceso"], "Detalle": rules["mensaje"],
    })
    by_row = ["porcentaje" if r in SHARE_RULES else None if r == "plazo_prestamo" else "quetzales"
              for r in rules["regla"]]
    return _with_formats(table, {"Valor": by_row, "Límite": by_row, "Exceso": "quetzales"})


#: Spanish headers of the source lines and the data-quality findings.
LINE_HEADERS = {"municipio": "Municipio", "anio": "Año", "rubro": "Rubro", "concepto": "Concepto",
                "devengado": "Devengado", "vigente": "Vigente", "percibido": "Percibido", "fila": "Fila del archivo",
                "tipo": "Tipo", "valor": "Valor", "mensaje": "Detalle"}


def _lines_sheet(table: pd.DataFrame, code: str) -> pd.DataFrame:
    rows = table.loc[table["municipio"] == code].reset_index(drop=True).rename(columns=LINE_HEADERS)
    return _with_formats(rows, {c: "quetzales" for c in ("Devengado", "Vigente", "Percibido", "Valor")})


def _space_sheet(result: "RunResult", code: str) -> pd.DataFrame:
    wide = space_by_source(result, code)
    wide["total"] = wide.sum(axis=1)
    labels = {c: _name({**SOURCE_NAMES, "total": "Total"}, c) for c in wide.columns}
    table = wide.rename(columns=labels).rename_axis(index="Año", columns=None)
    return _with_formats(table, {v: "quetzales" for v in labels.values()})


#: Spanish headers of the plan's tables (sources by their report names).
PLAN_HEADERS = {"proyecto": "Proyecto", "sector": "Sector", "inicio": "Inicio", "fin": "Fin", "anio": "Año",
                "costo_total": "Costo total", "costo_operacion_anual": "O&M anual", "puntaje": "Puntaje",
                "obligatorio": "Obligatorio", "fuente": "Fuente", "espacio": "Espacio", "inversion": "Inversión",
                "operacion": "O&M", "saldo": "Saldo", "uso": "Uso", "codigo_snip": "Código SNIP", "total": "Total",
                "razon": "Razón", **SOURCE_NAMES}


def _plan_sheet(table: pd.DataFrame) -> pd.DataFrame:
    """A plan table with Spanish headers and words (sectors, sources, sí/no), numbers kept."""
    out = table.copy()
    if "sector" in out:
        out["sector"] = [_name(SECTOR_LABELS, x) for x in out["sector"]]
    if "fuente" in out:
        out["fuente"] = [SOURCE_NAMES.get(x, x) for x in out["fuente"]]
    if "obligatorio" in out:
        out["obligatorio"] = ["sí" if x else "no" for x in out["obligatorio"]]
    out = out.rename(columns=PLAN_HEADERS)
    money = ("Costo total", "O&M anual", "Espacio", "Inversión", "O&M", "Saldo", "Total", *SOURCE_NAMES.values())
    return _with_formats(out, {**{c: "quetzales" for c in money}, "Uso": "porcentaje"})


def _plan_sheets(result: "RunResult", code: str) -> dict[str, pd.DataFrame]:
    """The investment plan's schedule, funding, POA and projects left out: the plan
    ``run(planificar=True)`` made, else ``plan_for_run`` on the run's fiscal space."""
    from nexos_model.investment.plan import plan_for_run

    plan = getattr(result, "plans", {}).get(code) or plan_for_run(result, code)
    return {"Plan de inversión": _plan_sheet(plan.cronograma),
            "Financiamiento del plan": _plan_sheet(plan.financiamiento),
            "POA": _plan_sheet(plan.poa), "No financiados": _plan_sheet(plan.no_financiados)}


def excel_tables(result: "RunResult", municipio: str | None = None) -> tuple[dict[str, pd.DataFrame], set[str]]:
    """Sheets for ``proyeccion.xlsx`` and the set of columns holding quetzales.

    ``Proyección`` (years × every concept and model line), ``Indicadores``, ``Reglas``,
    ``Espacio fiscal``, the investment plan (``Plan de inversión``, ``Financiamiento del plan``,
    ``POA``, ``No financiados``), ``Historia`` (source lines), ``Calidad`` and ``Supuestos``.
    Each sheet's number formats travel in its ``DataFrame.attrs["formatos"]`` (read by
    :func:`nexos_model.report.excel.write_excel`); the returned set repeats the money columns
    for writers that only take that.
    """
    code = _code(result, municipio)
    history, quality = _lines_sheet(result.history, code), _lines_sheet(result.quality, code)
    sheets = {"Proyección": _projection_sheet(result, code), "Indicadores": _indicator_sheet(result, code),
              "Reglas": _rules_sheet(result, code), "Espacio fiscal": _space_sheet(result, code),
              **_plan_sheets(result, code), "Historia": history, "Calidad": quality,
              "Supuestos": assumptions_annex(result, code)}
    from nexos_model.report.excel import FORMATS_ATTR

    money = {c for table in sheets.values() for c, f in table.attrs.get(FORMATS_ATTR, {}).items()
             if f == "quetzales"}
    return sheets, money
