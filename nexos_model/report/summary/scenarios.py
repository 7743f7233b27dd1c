"""Scenario comparison, Monte Carlo bands and probabilities, tornado (workbook 05)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from nexos_model import catalog
from nexos_model.params.schema import field_metadata
from nexos_model.wording import numero, porcentaje, segun_unidad

if TYPE_CHECKING:
    from nexos_model.api import RunResult

from nexos_model.report.summary.common import _code, _projected, _rows
from nexos_model.report.summary.revenue import _in_sentence, _lever_value
from nexos_model.fiscal.rules import catalog as rule_catalog

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
    return segun_unidad(value, unit_of(concept))


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
        "Valor": [f"{v} {u}".strip() if u else str(v) for v, u in zip(changes["valor"], units)],
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


