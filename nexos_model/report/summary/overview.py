"""Cover, executive summary, headline lines, data quality, history and indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from nexos_model import catalog
from nexos_model.wording import anio_rango, numero, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult

from nexos_model.report.summary.common import (
    FUENTE_LABELS,
    SUBJECTS,
    SUMMARY_CONCEPTS,
    _autonomy,
    _code,
    _finding_label,
    _kinds,
    _path_sentence,
    _path_table,
    _place,
    _plan_span,
    _projected,
    _years,
)
from nexos_model.report.summary.finance import fiscal_space_sentences, rules_sentences
from nexos_model.report.summary.revenue import _gap_sentences

# --- sentences -----------------------------------------------------------------------------



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
    """Short Spanish lines for the terminal, from the budget year being prepared: own revenue,
    potential and gap, fiscal space, rules."""
    code = _code(result, municipio)
    value = _projected(result, code)
    first, end = _plan_span(result, code)
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
    rules = result.rules.loc[(result.rules["municipio"] == code) & (result.rules["anio"] >= first)]
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
    """Year by year: own revenue, transfers, total revenue and autonomy, observed, estimated and projected."""
    code = _code(result, municipio)
    wide = result.wide(code)
    autonomy = _autonomy(wide)
    table = {"Año": [str(y) for y in wide.index], "Tipo": _kinds(result, code, wide.index)}
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
    """Each indicator year by year, observed, estimated and projected (per cápita with the Censo 2018)."""
    code = _code(result, municipio)
    table = result.indicators(code)
    wide = table.pivot(index="anio", columns="indicador", values="valor")
    labels = {**dict(zip(table["indicador"], table["etiqueta"])), **INDICATOR_SHORT}
    order = list(dict.fromkeys(table["indicador"]))
    out = {"Año": [str(y) for y in wide.index], "Tipo": _kinds(result, code, wide.index)}
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


