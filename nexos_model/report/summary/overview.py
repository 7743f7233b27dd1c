"""Cover, executive summary, headline lines, data quality, history and indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from nexos_model import catalog
from nexos_model.wording import anio_rango, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult

from nexos_model.report.summary.common import (
    DESTINO_NAMES,
    OBSERVED,
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
    _rows,
    _years,
    amount,
    key_label,
    plain_keys,
)
from nexos_model.report.summary.budget import (
    ceilings_sentences,
    operating_sentences,
    plan_overview_sentences,
    poa_sentences,
    range_sentences,
)
from nexos_model.report.summary.finance import rules_sentences
from nexos_model.report.summary.revenue import _gap_sentences

# --- sentences -----------------------------------------------------------------------------



def executive_summary(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Headline sentences, the budget being prepared first: its ceilings, operating budget and
    POA, the multi-year plan, the range of the budget year's space, the legal rules; then the
    longer view (own revenue, the IUSI gap) and what the figures rest on. Each sentence is the
    first of its section, so it says what that section's table says."""
    code = _code(result, municipio)
    wide = result.wide(code)
    place = _place(code)
    _, last, end = _years(result, code)
    out = ceilings_sentences(result, code)[:1] + operating_sentences(result, code)[:1]
    out += poa_sentences(result, code)[:1] + plan_overview_sentences(result, code)
    out += range_sentences(result, code)[1:2] + rules_sentences(result, code)[:1]
    out.append(_path_sentence("Los ingresos propios", place["nombre"], wide.at[last, "ingresos_propios"],
                              wide.at[end, "ingresos_propios"], last, end, observed=True))
    out.extend(_gap_sentences(result, code, streams=("iusi",), keys=False))
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
        if not bool(rows["datos_suficientes"].all()):
            out.append(f"{catalog.label(stream)} {first}: recaudación {quetzales(parts['recaudacion'])}; potencial y "
                       f"brecha: sin datos suficientes.")
            continue
        generic = " (supuesto genérico)" if bool(rows.get("supuesto_generico", pd.Series([False])).any()) else ""
        out.append(f"{catalog.label(stream)} {first}: recaudación {quetzales(parts['recaudacion'])}, potencial "
                   f"{quetzales(parts['potencial'])}, brecha {quetzales(parts['brecha_total'])}{generic}.")
    space = result.fiscal_space.loc[(result.fiscal_space["municipio"] == code) & (result.fiscal_space["anio"] == first)]
    by_use = space.groupby("destino")["monto"].sum()
    own = float(by_use.drop("codede", errors="ignore").sum())
    detail = ", ".join(f"{DESTINO_NAMES[d].lower()} {quetzales(by_use.get(d, 0.0))}" for d in ("libre", "inversion",
                                                                                                 "prestamo"))
    out.append(f"Espacio fiscal propio para inversión {first}: {quetzales(own)} ({detail}); aparte, CODEDE "
               f"asignado a proyectos {quetzales(by_use.get('codede', 0.0))}.")
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
    caveat = _estimates_caveat(result, code)
    if findings.empty:
        if caveat:
            return [f"El diagnóstico de calidad no encontró años faltantes, líneas duplicadas ni valores atípicos "
                    f"en los datos de {span}, pero {caveat}."]
        return [f"El diagnóstico de calidad no encontró valores dudosos en los datos de {span}."]
    counts = findings["tipo"].value_counts()
    parts = ", ".join(f"{k} {_finding_label(t, k)}" for t, k in counts.items())
    n = len(findings)
    return [f"El diagnóstico de calidad encontró {n} observaci{'ón' if n == 1 else 'ones'} en los datos de "
            f"{span} ({parts}); la proyección no aprende de los valores marcados"
            + (f". Además, {caveat}." if caveat else ".")]


def _estimates_caveat(result: "RunResult", code: str) -> str:
    """What the projection estimates or assumes instead of reading it in the data (calibration
    warnings, generic assumptions), as the end of a sentence; empty when nothing."""
    calibration = _rows(result.calibration, code)
    warned = calibration.loc[calibration["nota"].astype(str) != ""] if not calibration.empty else calibration
    assumed = _rows(result.assumptions, code)
    parts = []
    if len(warned):
        names = ", ".join(catalog.label(s) for s in dict.fromkeys(warned["flujo"]))
        parts.append(f"{len(warned)} calibraci{'ón' if len(warned) == 1 else 'ones'} con advertencias ({names})")
    if len(assumed):
        parts.append(f"{len(assumed)} supuesto{'s' if len(assumed) > 1 else ''} genérico{'s' if len(assumed) > 1 else ''}"
                     f" en lugar de datos del municipio")
    if not parts:
        return ""
    return "la proyección se apoya en " + " y ".join(parts) + " (ver las notas y la tabla de supuestos)"


def generic_assumptions_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The numbers the run takes from national benchmarks instead of the municipality's data,
    what each one moves, and the key of the municipality's file that replaces it."""
    code = _code(result, municipio)
    table = _rows(result.assumptions, code)
    if table.empty:
        return pd.DataFrame()
    return pd.DataFrame({"Supuesto genérico": table["tema"], "Valor usado": table["valor"], "Afecta": table["afecta"],
                         f"Reemplácelo en params/municipios/{code}.yaml con": table["clave"]})


def projection_notes(result: "RunResult", municipio: str | None = None) -> list[str]:
    """What the projection did about doubtful values and estimates (``RunResult.notes``)."""
    return list(result.notes.get(_code(result, municipio), []))


# --- what the figures rest on, for the council (labels, never keys) ---------------------------

def year_kinds_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Which years are observed, estimated and projected, and where each comes from."""
    code = _code(result, municipio)
    first, last, end = _years(result, code)
    budget = result.budget_year(code)
    out = [f"Observado: {anio_rango(first, last)}, la ejecución de ingresos registrada en SICOIN GL (montos al "
           f"centavo)."]
    if budget - 1 > last:
        out.append(f"Estimado: {anio_rango(last + 1, budget - 1)}, años ya pasados sin datos cargados; el modelo los "
                   f"estima desde {last} con la inflación observada y los totales nacionales publicados.")
    out.append(f"Proyectado: {anio_rango(budget, end)}, bajo el escenario del informe (montos redondeados al "
               f"quetzal, o en millones donde se indica).")
    out.append("Supuesto genérico: un valor de referencia nacional usado porque el municipio no dio el suyo; la "
               "tabla siguiente dice cuáles son, qué mueven y qué dato del municipio los reemplaza.")
    return out


def council_notes(result: "RunResult", municipio: str | None = None) -> list[str]:
    """:func:`projection_notes` with each parameter key written as its label."""
    return [plain_keys(n) for n in projection_notes(result, municipio)]


def council_assumptions_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """:func:`generic_assumptions_table` for the council: the datum that replaces each default by
    its label (the keys are in the Excel file's «Supuestos genéricos» sheet)."""
    code = _code(result, municipio)
    table = _rows(result.assumptions, code)
    if table.empty:
        return pd.DataFrame()
    return pd.DataFrame({"Supuesto genérico": table["tema"], "Valor usado": table["valor"].map(plain_keys),
                         "Afecta": table["afecta"].map(plain_keys),
                         "Dato del municipio que lo reemplaza": table["clave"].map(key_label)})


# --- history and revenue (formatted text) ----------------------------------------------------

def revenue_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Year by year: own revenue, transfers, total revenue and autonomy, observed, estimated and projected."""
    code = _code(result, municipio)
    wide = result.wide(code)
    autonomy = _autonomy(wide)
    kinds = _kinds(result, code, wide.index)
    table = {"Año": [str(y) for y in wide.index], "Tipo": kinds}
    for concept in SUMMARY_CONCEPTS:
        table[catalog.label(concept)] = [amount(v, k == OBSERVED) for v, k in zip(wide[concept], kinds)]
    table["Autonomía financiera"] = [porcentaje(v) for v in autonomy]
    return pd.DataFrame(table)


def concept_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Own-source revenue by MINFIN concept: last observed year, end of projection, annual growth."""
    code = _code(result, municipio)
    wide = result.wide(code)
    _, last, end = _years(result, code)
    return _path_table(wide, catalog.children("ingresos_propios") + ["ingresos_propios"], last, end, {}, observed=True)


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


