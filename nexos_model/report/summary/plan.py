"""The investment plan: portfolio, scores, programme, funding, POA, effect (workbook 04)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nexos_model.wording import anio_rango, numero, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.investment.plan import InvestmentPlan

from nexos_model.report.summary.common import (
    SECTOR_LABELS,
    SOURCE_NAMES,
    _name,
    _year_table,
)
from pathlib import Path

# --- investment plan (04, report) ------------------------------------------------------------

def _sources_text(row: pd.Series, sources: list[str]) -> str:
    parts = [f"{SOURCE_NAMES.get(s, s)} {quetzales(row[s])}" for s in sources if row.get(s, 0) > 0.005]
    return "; ".join(parts) if parts else "—"


def _portfolio_origin(origin: str) -> str:
    """A portfolio file as ``archivo carteras/0901.yaml`` (no machine path in a report)."""
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


def plan_poa_title(plan: "InvestmentPlan") -> str:
    """The POA section's title: the plan's first year is the budget being prepared."""
    return f"Plan Operativo Anual {plan.years[0]}"


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


