"""A programmed portfolio and its tables: what is built when, paid by which source, what is left.

The optimum (:mod:`nexos_model.investment.optimize`) and the ranked fill
(:mod:`nexos_model.investment.ranked`) both end here, so their tables have the same shape and
words: schedule, funding, unfunded projects with the reason, POA, O&M and use of the space.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nexos_model.investment.borrowing import loan_room
from nexos_model.investment.project import FUENTES, INFOM, PROPIOS, Project
from nexos_model.investment.reasons import unfunded_reason


@dataclass
class Programme:
    """A programmed portfolio: what is built when, paid by which source.

    Tables (Spanish column names, for reports):
    ``cronograma`` (proyecto, sector, inicio, fin, costo_total, costo_operacion_anual,
    puntaje, obligatorio), ``financiamiento`` (proyecto, fuente, anio, monto),
    ``no_financiados`` (proyecto, puntaje, obligatorio, razon), ``poa`` (first year: one row
    per project under execution, one column per source, ``total``), ``operacion`` (anio,
    operacion_nueva, operacion_acumulada), ``uso_espacio`` (fuente, anio, espacio,
    inversion, operacion, saldo).
    """

    metodo: str
    years: list[int]
    projects: list[Project]
    puntajes: pd.DataFrame
    cronograma: pd.DataFrame
    financiamiento: pd.DataFrame
    no_financiados: pd.DataFrame
    poa: pd.DataFrame
    operacion: pd.DataFrame
    uso_espacio: pd.DataFrame
    objetivo: float
    puntaje_total: float
    estado: str = "óptimo"
    segundos: float = 0.0
    avisos: list[str] = field(default_factory=list)
    brecha_mip: float = 0.0  # solver's relative gap between the programme and its bound

    @property
    def starts(self) -> dict[str, int]:
        """Selected project -> start year."""
        return dict(zip(self.cronograma["proyecto"], self.cronograma["inicio"]))


@dataclass
class Comparison:
    """Optimal programme vs the ranked-order fill, and the gain in the objective (%)."""

    optimo: Programme
    orden: Programme
    ganancia_pct: float

    def summary(self) -> pd.DataFrame:
        rows = []
        for label, prog in (("óptimo (MILP)", self.optimo), ("orden de puntaje", self.orden)):
            rows.append(
                {
                    "metodo": label,
                    "proyectos": len(prog.cronograma),
                    "puntaje_total": prog.puntaje_total,
                    "objetivo": prog.objetivo,
                    "inversion": float(prog.cronograma["costo_total"].sum()),
                    "obligatorios_sin_financiar": int(prog.no_financiados["obligatorio"].sum()),
                    "segundos": prog.segundos,
                }
            )
        table = pd.DataFrame(rows)
        table["ganancia_sobre_orden_pct"] = [self.ganancia_pct, 0.0]
        return table


def usage(projects, starts, funding, space, years, borrowing=None) -> tuple[pd.DataFrame, np.ndarray]:
    """Space used by source and year; returns the table and remaining[k, y] (Q).

    ``remaining`` of ``prestamo_infom`` is what a new loan could still take in each year
    (:func:`loan_room`); the table's ``saldo`` is space minus use, source by source.
    """
    k_index = {k: i for i, k in enumerate(FUENTES)}
    y_index = {y: j for j, y in enumerate(years)}
    invest = np.zeros((len(FUENTES), len(years)))
    for (_name, source, year), amount in funding.items():
        invest[k_index[source], y_index[year]] += amount
    om = np.zeros((len(FUENTES), len(years)))
    by_name = {p.name: p for p in projects}
    for name, s in starts.items():
        p = by_name[name]
        for y in years:
            if y >= s + p.duration:
                om[k_index[PROPIOS], y_index[y]] += p.annual_om_cost
    cap = space.to_numpy(dtype=float)
    remaining = cap - invest - om
    i_loan = k_index[INFOM]
    remaining[i_loan] = loan_room(cap[i_loan], invest[i_loan], years, borrowing)
    balance = cap - invest - om
    table = pd.DataFrame({
        "fuente": np.repeat(FUENTES, len(years)),
        "anio": np.tile(years, len(FUENTES)),
        "espacio": cap.ravel(),
        "inversion": invest.ravel(),
        "operacion": om.ravel(),
        "saldo": balance.ravel(),
    })
    return table, remaining


def build_programme(
    metodo, projects, scores, score_table, starts, funding, space, years,
    om_after_horizon, objective, estado, seconds, post_room=None, borrowing=None, mip_gap=0.0,
) -> Programme:
    by_name = {p.name: p for p in projects}
    score_of = dict(zip((p.name for p in projects), scores))
    # by start, best score first; ties keep the portfolio order (a stable sort)
    order = sorted((p.name for p in projects if p.name in starts), key=lambda n: (starts[n], -score_of[n]))
    cronograma = pd.DataFrame(
        {
            "proyecto": order,
            "sector": [by_name[n].sector for n in order],
            "inicio": [int(starts[n]) for n in order],
            "fin": [int(starts[n] + by_name[n].duration - 1) for n in order],
            "costo_total": [by_name[n].total_cost for n in order],
            "costo_operacion_anual": [by_name[n].annual_om_cost for n in order],
            "puntaje": [score_of[n] for n in order],
            "obligatorio": [by_name[n].mandatory for n in order],
        }
    )
    paid = sorted((y, n, k, a) for (n, k, y), a in funding.items() if a > 0)  # (anio, proyecto, fuente) are unique
    financiamiento = pd.DataFrame([(n, k, y, a) for y, n, k, a in paid],
                                  columns=["proyecto", "fuente", "anio", "monto"])
    uso, remaining = usage(projects, starts, funding, space, years, borrowing)
    if post_room is None:
        post_room = float(space.loc[PROPIOS, years[-1]])
    post_room = post_room - sum(by_name[n].annual_om_cost for n in starts)
    no_fin = [
        {
            "proyecto": p.name,
            "puntaje": score_of[p.name],
            "obligatorio": p.mandatory,
            "razon": unfunded_reason(p, projects, starts, remaining, years, post_room, om_after_horizon, metodo),
        }
        for p in projects
        if p.name not in starts
    ]
    no_financiados = pd.DataFrame(no_fin, columns=["proyecto", "puntaje", "obligatorio", "razon"])
    poa = _poa(paid, financiamiento["proyecto"].dtype, by_name, years[0])
    new_om = [
        sum(by_name[n].annual_om_cost for n, s in starts.items() if s + by_name[n].duration == y)
        for y in years
    ]
    operacion = pd.DataFrame(
        {"anio": years, "operacion_nueva": new_om, "operacion_acumulada": np.cumsum(new_om)}
    )
    puntaje_total = float(sum(score_of[n] for n in starts))
    avisos = []
    missing = [p.name for p in projects if p.mandatory and p.name not in starts]
    if missing:
        avisos.append("proyectos obligatorios sin financiar: " + ", ".join(f"'{m}'" for m in missing))
    return Programme(
        metodo=metodo,
        years=list(years),
        projects=list(projects),
        puntajes=score_table,
        cronograma=cronograma,
        financiamiento=financiamiento,
        no_financiados=no_financiados,
        poa=poa,
        operacion=operacion,
        uso_espacio=uso,
        objetivo=float(objective if objective is not None else puntaje_total),
        puntaje_total=puntaje_total,
        estado=estado,
        segundos=seconds,
        avisos=avisos,
        brecha_mip=float(mip_gap),
    )


def _poa(paid, name_dtype, by_name: Mapping[str, Project], first: int) -> pd.DataFrame:
    """The first year's funding: one row per project (by name), one column per source, ``total``.

    ``paid``: ``(anio, proyecto, fuente, monto)`` of the programme, one row per project,
    source and year. ``name_dtype``: that of ``financiamiento.proyecto``, kept when the POA
    is empty.
    """
    amounts: dict[str, np.ndarray] = {}
    for y, n, k, a in paid:
        if y == first:
            amounts.setdefault(n, np.zeros(len(FUENTES)))[FUENTES.index(k)] = a
    names = sorted(amounts)
    by_source = np.array([amounts[n] for n in names]).reshape(len(names), len(FUENTES))
    return pd.DataFrame({
        "proyecto": pd.Series(names, dtype=name_dtype),
        "codigo_snip": [by_name[n].snip_code or "" for n in names],
        "sector": [by_name[n].sector for n in names],
        "anio": first,
        **{k: by_source[:, i] for i, k in enumerate(FUENTES)},
        "total": by_source.sum(axis=1),
    })


__all__ = ["Comparison", "Programme", "build_programme", "usage"]
