"""An ILLUSTRATIVE portfolio for any municipality, for demonstrations where no real one exists.

Sized from the municipality's real spending by función (MINFIN clasificación funcional) and its
population; every project is flagged ``ilustrativo`` and named ``[ILUSTRATIVO] ...``. Pure: the
spending history and the population come from the caller
(:func:`nexos_model.io.portfolio.illustrative_portfolio_for` reads them from the bundled data).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nexos_model.errors import ParameterError
from nexos_model.investment.project import Project, validate_projects


# Spending functions (MINFIN clasificación funcional) -> portfolio sector.
FUNCTION_SECTORS: dict[str, str] = {
    "Abastecimiento de Agua": "agua",
    "Ordenación de Aguas Residuales": "saneamiento",
    "Ordenación de Desechos": "desechos",
    "Transporte": "transporte",
    "Urbanización": "urbanizacion",
    "Urbanización y Servicios Comunitarios n.c.d": "urbanizacion",
    "Desarrollo Comunitario": "urbanizacion",
    "Vivienda": "urbanizacion",
    "Educación Preprimaria y Primaria": "educacion",
    "Educación Media": "educacion",
    "Educación n.c.d": "educacion",
    "Educación no Atribuible a Ningún Nivel Escolarizado": "educacion",
    "Servicios Auxiliares de la Educación": "educacion",
    "Salud n.c.d": "salud",
    "Servicios de Salud Pública": "salud",
    "Servicios Hospitalarios": "salud",
    "Servicios para Pacientes Externos": "salud",
}


# Project templates per sector: (name, cost in years of the sector's spending, duration,
# O&M share of cost, result id, result per unit of basis, basis, sources). The basis of a
# result is "personas" (people served: the project's beneficiaries) or "costo" (per Q1,000
# invested: about Q3 million per km of paved rural road, Q400,000 per classroom); waste
# treated is about 0.2 t per person a year.
_TEMPLATES: dict[str, list[tuple[str, float, int, float, str | None, float, str, tuple[str, ...]]]] = {
    "agua": [
        ("Ampliación del sistema de agua potable", 2.5, 2, 0.04, "cobertura_agua", 1.0, "personas",
         ("codede", "aporte_constitucional", "prestamo_infom")),
        ("Pozo mecánico y tanque de distribución", 1.2, 1, 0.05, "cobertura_agua", 1.0, "personas",
         ("aporte_constitucional", "iva_paz")),
        ("Cloración y micromedición", 0.6, 1, 0.03, None, 0.0, "personas",
         ("iva_paz", "propios")),
    ],
    "saneamiento": [
        ("Planta de tratamiento de aguas residuales", 3.0, 2, 0.05, "cobertura_saneamiento", 0.5, "personas",
         ("codede", "prestamo_infom", "aporte_constitucional")),
        ("Colector de drenaje sanitario", 1.5, 2, 0.02, "cobertura_saneamiento", 1.0, "personas",
         ("aporte_constitucional", "codede")),
    ],
    "desechos": [
        ("Relleno sanitario regional", 2.5, 2, 0.05, "desechos_tratados", 0.2, "personas",
         ("codede", "prestamo_infom", "aporte_constitucional")),
        ("Centro de acopio y compostaje", 0.8, 1, 0.04, "desechos_tratados", 0.05, "personas",
         ("iva_paz", "propios")),
    ],
    "transporte": [
        ("Pavimentación de camino rural", 2.0, 2, 0.03, "km_caminos", 1 / 3000, "costo",
         ("codede", "aporte_constitucional")),
        ("Puente vehicular", 1.2, 1, 0.02, None, 0.0, "costo",
         ("aporte_constitucional", "iva_paz", "codede")),
    ],
    "urbanizacion": [
        ("Mejoramiento de calles del casco urbano", 1.5, 1, 0.02, None, 0.0, "costo",
         ("aporte_constitucional", "iva_paz", "propios")),
        ("Mercado municipal", 2.5, 2, 0.04, None, 0.0, "costo",
         ("prestamo_infom", "aporte_constitucional", "propios")),
        ("Mercado en terminal de buses", 2.2, 2, 0.04, None, 0.0, "costo",
         ("prestamo_infom", "aporte_constitucional", "propios")),
    ],
    "educacion": [
        ("Ampliación de escuela primaria", 1.0, 1, 0.03, "aulas", 1 / 400, "costo",
         ("aporte_constitucional", "codede")),
        ("Instituto de educación básica", 1.8, 2, 0.03, "aulas", 1 / 400, "costo",
         ("codede", "aporte_constitucional", "iva_paz")),
    ],
    "salud": [
        ("Puesto de salud", 1.0, 1, 0.05, "cobertura_salud", 1.0, "personas",
         ("codede", "aporte_constitucional")),
        ("Centro de atención permanente", 2.0, 2, 0.05, "cobertura_salud", 1.0, "personas",
         ("codede", "aporte_constitucional", "iva_paz")),
    ],
}


ILLUSTRATIVE_PREFIX = "[ILUSTRATIVO] "
_SECTOR_FLOOR_SHARE = 0.04  # sector with no recorded spending: size it as 4 % of the total
_MIN_SECTOR_SPEND = 250_000.0  # Q; no project cheaper than a small works contract


def sector_spending(history: pd.DataFrame, municipio: str, year: int = 2016) -> dict[str, float]:
    """Devengado (Q) by portfolio sector in ``year`` from a spending history by función
    (``municipio, anio, funcion, devengado``: the bundled one)."""
    rows = history[(history["municipio"] == municipio) & (history["anio"] == year)]
    if rows.empty:
        raise ParameterError(
            f"municipio '{municipio}': sin gasto por función en {year} en los datos incluidos "
            "(se esperaba: un código INE de 4 dígitos; ver `nexos municipios`)"
        )
    total = float(rows["devengado"].sum())
    by_sector = {s: 0.0 for s in _TEMPLATES}
    for function, amount in rows.groupby("funcion")["devengado"].sum().items():
        sector = FUNCTION_SECTORS.get(str(function))
        if sector:
            by_sector[sector] += float(amount)
    floor = max(_SECTOR_FLOOR_SHARE * total, _MIN_SECTOR_SPEND)
    return {s: max(v, floor) for s, v in by_sector.items()}


def illustrative_portfolio(
    municipio: str, years: Sequence[int], spending: Mapping[str, float], population: int,
    budget_scale: float = 1.0, total_cost: float | None = None,
) -> list[Project]:
    """An ILLUSTRATIVE portfolio (16 projects) for ``municipio``, sized from its 2016 spending.

    ``spending``: devengado by sector (:func:`sector_spending`); ``population``: inhabitants
    (beneficiaries are drawn as a share of it).

    Each project's cost is a multiple of its sector's 2016 devengado (a sector with little or
    no recorded spending gets 4 % of the municipality's total, at least Q250,000), times
    ``budget_scale``. The bundled spending by función covers only part of what municipalities
    spend (a median 8 % of revenue), so callers that know the fiscal space pass
    ``total_cost``: costs (and their O&M and results) are then rescaled to add up to it,
    keeping the sector mix. Randomness (multipliers, scores, windows) is seeded by the code, so
    the same municipality always gets the same portfolio. It includes one dependency (the
    drainage collector needs the treatment plant), one exclusive pair (two market sites), one
    mandatory project (water chlorination, a health-code obligation in this example), and
    O&M of 2-5 % of cost per year. Every project is flagged ``ilustrativo`` and its name
    carries the prefix ``[ILUSTRATIVO]``: it is not a real municipal plan.
    """
    years = [int(y) for y in years]
    if not years:
        raise ParameterError("anios: la lista de años está vacía (se esperaba: p. ej. [2026, 2027, 2028])")
    if not budget_scale > 0:
        raise ParameterError(f"escala: valor dado {budget_scale!r} (se esperaba: un número mayor que 0)")
    if total_cost is not None and not total_cost > 0:
        raise ParameterError(f"costo_total: valor dado {total_cost!r} (se esperaba: un monto mayor que 0)")
    spend = spending
    seed = int(hashlib.sha256(municipio.encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    first, last = years[0], years[-1]
    projects: list[dict[str, Any]] = []
    drawn: list[tuple[float, float, str | None, float, str]] = []  # cost, O&M share, result, per unit, basis
    for sector, templates in _TEMPLATES.items():
        for name, multiple, duration, om_share, result, per_unit, basis, sources in templates:
            duration = min(duration, len(years))
            cost = spend[sector] * multiple * budget_scale * rng.uniform(0.8, 1.25)
            latest = max(first, last - duration + 1)
            start_min = int(first + rng.integers(0, max(1, min(2, latest - first + 1))))
            beneficiaries = int(population * rng.uniform(0.03, 0.25))
            item: dict[str, Any] = {
                "nombre": ILLUSTRATIVE_PREFIX + name,
                "sector": sector,
                "duracion": duration,
                "inicio_minimo": min(start_min, latest),
                "inicio_maximo": latest,
                "beneficiarios": beneficiaries,
                "alineacion": int(rng.integers(2, 6)),
                "fuentes": list(sources),
                "ilustrativo": True,
            }
            if duration > 1:
                front = round(float(rng.uniform(0.35, 0.6)), 2)
                shares = [front] + [(1 - front) / (duration - 1)] * (duration - 1)
                shares[-1] = round(1.0 - sum(shares[:-1]), 10)
                item["perfil_costo"] = shares
            projects.append(item)
            drawn.append((cost, om_share, result, per_unit, basis))
    factor = 1.0 if total_cost is None else total_cost / sum(d[0] for d in drawn)
    for item, (cost, om_share, result, per_unit, basis) in zip(projects, drawn):
        cost = max(round(cost * factor, -3), 50_000.0)
        item["costo_total"] = cost
        item["costo_operacion_anual"] = round(cost * om_share)
        if result:
            amount = item["beneficiarios"] if basis == "personas" else cost / 1000
            item["resultados"] = {result: round(amount * per_unit, 2)}
    by_name = {p["nombre"]: p for p in projects}
    plant = by_name[ILLUSTRATIVE_PREFIX + "Planta de tratamiento de aguas residuales"]
    collector = by_name[ILLUSTRATIVE_PREFIX + "Colector de drenaje sanitario"]
    collector["depende_de"] = [plant["nombre"]]
    plant["inicio_minimo"] = first
    collector["inicio_maximo"] = max(first, last - collector["duracion"] + 1)
    collector["inicio_minimo"] = min(first + plant["duracion"], collector["inicio_maximo"])
    for market in ("Mercado municipal", "Mercado en terminal de buses"):
        by_name[ILLUSTRATIVE_PREFIX + market]["grupo_exclusivo"] = "sede_mercado"
    mandatory = by_name[ILLUSTRATIVE_PREFIX + "Cloración y micromedición"]
    mandatory.update(obligatorio=True, inicio_minimo=first, inicio_maximo=last)
    return validate_projects(
        [(f"elemento {i + 1}", p) for i, p in enumerate(projects)], f"cartera ilustrativa {municipio}"
    )


__all__ = ["FUNCTION_SECTORS", "ILLUSTRATIVE_PREFIX", "illustrative_portfolio", "sector_spending"]
