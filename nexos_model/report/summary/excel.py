"""Assumptions annex and the Excel sheets (numbers with formats, not text)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from nexos_model import catalog

if TYPE_CHECKING:
    from nexos_model.api import RunResult

from nexos_model.report.summary.common import (
    SECTOR_LABELS,
    SOURCE_NAMES,
    _code,
    _kinds,
    cover,
    _name,
    _projected,
)
from nexos_model.report.summary.finance import _rules, space_by_source
from nexos_model.report.summary.scenarios import unit_of
from nexos_model.params.changes import changes_table
from nexos_model.io.excel import FORMATS_ATTR
from nexos_model.api import plan_for_run

# --- annex ---------------------------------------------------------------------------------

def assumptions_annex(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Parameters that differ from the defaults: key, label, value, unit, layer that set it, source
    (:func:`nexos_model.params.changes.changes_table`, with the report's Spanish headers).

    The scenario's description is on the cover, so it is left out here.
    """
    table = changes_table(result.parameters[_code(result, municipio)])
    return table.rename(columns={"clave": "Clave", "parametro": "Parámetro", "valor": "Valor", "unidad": "Unidad",
                                 "capa": "Capa", "fuente": "Fuente"})


# --- Excel (numbers, not text) ---------------------------------------------------------------

def scenario_sheet(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The workbook's first sheet: the municipality, the scenario as the app names it, the
    calendar and each adjustment in plain words (what the cover of the report says)."""
    facts = cover(result, municipio)
    rows = [("Municipio", f"{facts['nombre']}, {facts['departamento']} (código INE {facts['municipio']})"),
            ("Escenario", facts["escenario"]), ("Descripción", facts["descripcion"]),
            ("Presupuesto que se prepara", facts["anio_presupuesto"]), ("Datos observados", facts["anios_datos"]),
            ("Años estimados (sin datos)", facts["anios_estimados"]), ("Proyección", facts["anios_proyeccion"])]
    rows += [(f"Ajuste {i}", text) for i, text in enumerate(facts["ajustes"], start=1)]
    rows += [("Generado", f"{facts['fecha']} con Nexos {facts['version']}; huella {facts['parametros']}")]
    return pd.DataFrame(rows, columns=["Dato", "Valor"])


def _with_formats(table: pd.DataFrame, formats: dict[str, Any]) -> pd.DataFrame:
    """Attach the number formats the Excel writer reads (``excel.FORMATS_ATTR``):
    ``{column: "quetzales" | "porcentaje"}`` or a list with one per row."""
    table.attrs[FORMATS_ATTR] = {c: f for c, f in formats.items() if c in table.columns}
    return table


def _projection_sheet(result: "RunResult", code: str) -> pd.DataFrame:
    """Years × every concept (MINFIN concepts, then model lines), observed, estimated and projected."""
    wide = result.wide(code)
    model = _projected(result, code)
    extra = [c for c in catalog.result_lines().index if c in model.columns and c not in wide.columns]
    table = pd.concat([wide, model[extra]], axis=1)
    labels = {c: catalog.label(c) for c in table.columns}
    table = table.rename(columns=labels).rename_axis(index="Año", columns=None)
    table.insert(0, "Tipo", _kinds(result, code, table.index))
    money = {label: "quetzales" for c, label in labels.items() if unit_of(c) == "quetzales"}
    return _with_formats(table, money)


def _indicator_sheet(result: "RunResult", code: str) -> pd.DataFrame:
    table = result.indicators(code)
    out = pd.DataFrame({
        "Año": table["anio"].astype(int), "Tipo": table["tipo"],
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
        "Año": rules["anio"].astype(int), "Tipo": rules["tipo"], "Regla": rules["etiqueta"],
        "Base legal": rules["articulo"],
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
    table.insert(0, "Tipo", _kinds(result, code, table.index))
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
    plan = getattr(result, "plans", {}).get(code) or plan_for_run(result, code)
    return {"Plan de inversión": _plan_sheet(plan.cronograma),
            "Financiamiento del plan": _plan_sheet(plan.financiamiento),
            "POA": _plan_sheet(plan.poa), "No financiados": _plan_sheet(plan.no_financiados)}


def excel_tables(result: "RunResult", municipio: str | None = None) -> tuple[dict[str, pd.DataFrame], set[str]]:
    """Sheets for ``proyeccion.xlsx`` and the set of columns holding quetzales.

    ``Escenario`` (the cover: scenario, calendar, adjustments), ``Proyección`` (years × every concept and model line), ``Indicadores``, ``Reglas``,
    ``Espacio fiscal``, the investment plan (``Plan de inversión``, ``Financiamiento del plan``,
    ``POA``, ``No financiados``), ``Historia`` (source lines), ``Calidad`` and ``Supuestos``.
    Each sheet's number formats travel in its ``DataFrame.attrs["formatos"]`` (read by
    :func:`nexos_model.io.excel.write_excel`); the returned set repeats the money columns
    for writers that only take that.
    """
    code = _code(result, municipio)
    history, quality = _lines_sheet(result.history, code), _lines_sheet(result.quality, code)
    sheets = {"Escenario": scenario_sheet(result, code), "Proyección": _projection_sheet(result, code), "Indicadores": _indicator_sheet(result, code),
              "Reglas": _rules_sheet(result, code), "Espacio fiscal": _space_sheet(result, code),
              **_plan_sheets(result, code), "Historia": history, "Calidad": quality,
              "Supuestos": assumptions_annex(result, code)}

    money = {c for table in sheets.values() for c, f in table.attrs.get(FORMATS_ATTR, {}).items()
             if f == "quetzales"}
    return sheets, money
