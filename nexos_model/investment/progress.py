"""Strategic progress: what a programme buys against each result's target path (PDM-OT / PEI).

A project adds its ``resultados`` contribution in the year it finishes (a water system serves
nobody until it is built), and only contributions finished by the target year count toward
the target (:mod:`nexos_model.investment.targets`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from nexos_model.investment.programme import Programme
from nexos_model.investment.project import Project
from nexos_model.investment.targets import parse_targets


PROGRESS_COLUMNS = ["resultado", "indicador", "unidad", "anio", "programado", "meta_lineal", "brecha",
                    "en_camino"]


SUMMARY_COLUMNS = ["resultado", "indicador", "unidad", "anio_base", "linea_base", "anio_meta", "meta",
                   "anio_evaluado", "alcanzado", "avance_brecha", "con_toda_la_cartera", "situacion"]


def strategic_progress(
    programme: Programme, results_targets: Mapping[str, Any], projects: Sequence[Project] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Programmed progress per result and year vs the target path, and what the money cannot reach.

    Returns ``(table, summary, messages)``.

    ``table``: one row per result and programmed year: ``programado`` (baseline moved toward
    the target by the contributions of projects finished by that year), ``meta_lineal`` (the
    linear path), ``brecha`` (distance still to cover to be on the path, in the indicator's
    unit, positive = behind) and ``en_camino``.

    ``summary``: one row per result: the value reached in ``anio_evaluado`` (the target year,
    or the plan's last year when the target lies beyond it), the share of the gap closed, the
    value the whole portfolio would reach, and ``situacion`` in Spanish. ``messages`` repeats,
    for the report, each result the money cannot reach and whether even the whole portfolio
    would (then projects are missing, not only money).
    """
    targets = parse_targets(results_targets)
    projects = list(projects) if projects is not None else list(programme.projects)
    by_name = {p.name: p for p in projects}
    years = list(programme.years)
    finish = dict(zip(programme.cronograma["proyecto"].tolist(), programme.cronograma["fin"].tolist()))
    rows, summary, messages = [], [], []
    for result, target in targets.items():
        tol = 1e-9 * max(1.0, abs(target.target))

        def reached_by(year: int) -> float:  # called within this iteration only: the loop's values are current
            total = sum(by_name[n].results.get(result, 0.0) for n, fin in finish.items() if fin <= year)  # noqa: B023
            return target.value_with(total)  # noqa: B023

        for year in years:
            value = reached_by(year)
            path = target.path(year)
            behind = target.direction * (path - value)
            rows.append({
                "resultado": result, "indicador": target.indicator, "unidad": target.unit, "anio": year,
                "programado": value, "meta_lineal": path, "brecha": behind, "en_camino": behind <= tol,
            })
        evaluated = min(target.target_year, years[-1])
        value = reached_by(evaluated)
        potential = target.value_with(sum(p.results.get(result, 0.0) for p in projects))
        closed = target.direction * (value - target.baseline) / target.gap if target.gap > 0 else 1.0
        met = target.direction * (target.target - value) <= tol
        potential_met = target.direction * (target.target - potential) <= tol
        if met:
            situacion = "alcanza la meta"
        elif target.target_year > years[-1]:
            situacion = (f"en {years[-1]} va en {closed:.0%} de la brecha; la meta es para "
                         f"{target.target_year}, después del plan")
        elif potential_met:
            situacion = "no alcanza la meta: falta dinero (la cartera completa sí la alcanzaría)"
        else:
            situacion = "no alcanza la meta: faltan proyectos (ni la cartera completa la alcanzaría)"
        summary.append({
            "resultado": result, "indicador": target.indicator, "unidad": target.unit,
            "anio_base": target.baseline_year, "linea_base": target.baseline,
            "anio_meta": target.target_year, "meta": target.target, "anio_evaluado": evaluated,
            "alcanzado": value, "avance_brecha": closed, "con_toda_la_cartera": potential,
            "situacion": situacion,
        })
        if not met and target.target_year <= years[-1]:
            text = (f"{target.indicator}: con el espacio fiscal disponible llega a {value:,.2f} {target.unit} "
                    f"de la meta {target.target:,.2f} en {target.target_year} ({closed:.0%} de la brecha)")
            if potential_met:
                text += "; la cartera completa sí la alcanzaría con más recursos"
            else:
                text += (f"; ni toda la cartera alcanzaría la meta (llegaría a {potential:,.2f}): "
                         "faltan proyectos, no solo dinero")
            messages.append(text)
        elif not met:
            messages.append(
                f"{target.indicator}: el plan llega a {value:,.2f} {target.unit} en {years[-1]} "
                f"({closed:.0%} de la brecha); la meta de {target.target:,.2f} es para {target.target_year}"
            )
    return (pd.DataFrame(rows, columns=PROGRESS_COLUMNS), pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
            messages)


__all__ = ["PROGRESS_COLUMNS", "SUMMARY_COLUMNS", "strategic_progress"]
