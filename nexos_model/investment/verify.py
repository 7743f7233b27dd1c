"""Check a programme against every rule it must keep, from its output tables alone.

Written independently of the optimizer (it reads ``cronograma``, ``financiamiento``,
``no_financiados`` and ``poa`` as a reader of the Excel file would), so tests can hold every
output of the MILP and of the ranked fill to the same rules:

* each selected project starts inside its window and finishes within the horizon;
* each year of execution is paid in full (``costo_total × perfil_costo``), only from the
  project's eligible ``fuentes``, and nothing is paid outside execution or for a project
  not selected;
* no source goes over its space in any year, counting the new loans' debt service (paid from
  their payment source) and the O&M of projects finished in earlier years, which must fit the
  free money (``om_room``) each source has left; the O&M of everything built fits after the
  plan (``om_after_horizon``);
* new loans taken in several years share the borrowing room while they are repaid
  (``borrowing``, see :mod:`nexos_model.investment.borrowing`);
* dependencies (B starts after A ends), exclusive groups (at most one), mandatory projects;
* the tables agree: every project is either programmed or unfunded, ``fin`` follows from
  ``inicio`` and ``duracion``, the POA is the first year's funding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nexos_model.investment.inputs import ProgrammeOptions, declared_om, fiscal_space_table, om_room_table, post_room
from nexos_model.investment.programme import Programme
from nexos_model.investment.project import FUENTES, Project

REL_TOL = 1e-6  # money: relative to the largest space of any source and year


def plan_violations(programme: Programme, projects: Sequence[Project], space: Any, years: Sequence[int],
                    options: ProgrammeOptions = ProgrammeOptions()) -> list[str]:
    """Every broken rule, in Spanish (empty list = the programme keeps them all).

    ``space`` as accepted by :func:`~nexos_model.investment.inputs.fiscal_space_table`;
    ``options``: the programme's O&M-after-the-plan rule and new borrowing (the rest of the
    options do not change the rules); projects with an undeclared O&M count 0, as in the
    optimizer.
    """
    om_after_horizon, borrowing = options.om_after_horizon, options.borrowing
    years = [int(y) for y in years]
    table = fiscal_space_table(space, years)
    cap = {(k, y): v for k, row in zip(FUENTES, table.to_numpy().tolist()) for y, v in zip(years, row)}
    tol = REL_TOL * max(1.0, max(cap.values()))
    by_name = {p.name: p for p in declared_om(projects)}
    problems: list[str] = []
    crono = programme.cronograma
    starts = {str(n): int(s) for n, s in zip(crono["proyecto"], crono["inicio"])}
    # the funding table as plain rows, read once
    fin = programme.financiamiento
    amounts = fin["monto"].to_numpy(dtype=float)
    paid = list(zip(fin["proyecto"].tolist(), fin["fuente"].tolist(), fin["anio"].tolist(), amounts.tolist()))
    paid_by_project: dict[str, list[tuple[str, int, float]]] = {}
    for name, source, year, amount in paid:
        paid_by_project.setdefault(name, []).append((source, year, amount))

    # tables agree with each other
    unfunded = set(programme.no_financiados["proyecto"])
    if set(starts) & unfunded:
        problems.append(f"proyectos a la vez programados y no financiados: {sorted(set(starts) & unfunded)}")
    if set(starts) | unfunded != set(by_name):
        problems.append(f"proyectos que faltan en las tablas: {sorted(set(by_name) - set(starts) - unfunded)}")
    if len(starts) != len(crono):
        problems.append("el cronograma repite proyectos")
    for name, start, end in zip(crono["proyecto"].tolist(), crono["inicio"].tolist(), crono["fin"].tolist()):
        p = by_name.get(name)
        if p is not None and end != start + p.duration - 1:
            problems.append(f"'{name}': fin {end} no corresponde a inicio {start} "
                            f"y duración {p.duration}")

    # windows and full funding from eligible sources
    if (amounts < -tol).any():
        problems.append("hay montos de financiamiento negativos")
    for name in sorted(set(paid_by_project) - set(starts)):
        problems.append(f"'{name}' recibe financiamiento pero no está programado")
    for name, s in starts.items():
        p = by_name[name]
        if (p.earliest_start is not None and s < p.earliest_start) or (
            p.latest_start is not None and s > p.latest_start
        ):
            problems.append(f"'{name}' inicia en {s}, fuera de su ventana {p.earliest_start}–{p.latest_start}")
        if s < years[0] or s + p.duration - 1 > years[-1]:
            problems.append(f"'{name}' no se ejecuta dentro del horizonte {years[0]}–{years[-1]}")
        rows = paid_by_project.get(name, [])
        wrong = sorted({source for source, _, _ in rows} - set(p.sources))
        if wrong:
            problems.append(f"'{name}' se paga con fuentes no elegibles: {wrong}")
        outside = sorted({year for _, year, _ in rows} - set(range(s, s + p.duration)))
        if outside:
            problems.append(f"'{name}' recibe dinero fuera de sus años de ejecución: {outside}")
        for t, share in enumerate(p.cost_profile):
            due = p.total_cost * share
            paid_in_year = _total([amount for _, year, amount in rows if year == s + t])
            if abs(paid_in_year - due) > max(tol, 1e-7 * due):
                problems.append(f"'{name}' en {s + t}: pagado {paid_in_year:,.2f}, debía {due:,.2f}")

    # space by source and year: investment and the new loans' debt service; the O&M of finished
    # projects must fit what is left of the free money
    used = {(k, y): 0.0 for k in FUENTES for y in years}
    for _, source, year, amount in paid:
        if (source, year) in used:
            used[(source, year)] += amount
        else:
            problems.append(f"fuente o año desconocido en el financiamiento: {source} {year}")
    service = {y: 0.0 for y in years}
    if borrowing is not None and borrowing.payment_source in FUENTES:
        for t in years:
            fresh = max(used[("prestamo_infom", t)] - (cap[("prestamo_infom", t)] - float(borrowing.capacity[t])), 0.0)
            for y in years:
                service[y] += fresh * borrowing.service_share(t, y)
    room = om_room_table(options.om_room, table, years)
    for y in years:
        left = {k: cap[(k, y)] - used[(k, y)] - (service[y] if borrowing is not None
                                                  and k == borrowing.payment_source else 0.0) for k in FUENTES}
        for k, amount in left.items():
            if amount < -tol:
                problems.append(f"{k} {y}: usa {cap[(k, y)] - amount:,.2f} y el espacio es {cap[(k, y)]:,.2f}")
        om = sum(by_name[n].annual_om_cost for n, s in starts.items() if y >= s + by_name[n].duration)
        free = sum(min(max(float(room.at[k, y]), 0.0), max(left[k], 0.0)) for k in FUENTES)
        if om > free + tol:
            problems.append(f"la operación de lo construido en {y} ({om:,.2f}) no cabe en el dinero de libre uso "
                            f"que queda ({free:,.2f})")
    if om_after_horizon:
        after = post_room(options, room)
        om = sum(by_name[n].annual_om_cost for n in starts)
        if om > after + tol:
            problems.append(f"la operación de lo construido ({om:,.2f}/año) no cabe después del plan ({after:,.2f})")

    # new loans (beyond those already decided) share the borrowing room while they are repaid
    if borrowing is not None:
        share = {}
        for t in years:
            capacity = float(borrowing.capacity[t])
            fresh = used[("prestamo_infom", t)] - (cap[("prestamo_infom", t)] - capacity)
            if fresh > tol:
                if capacity <= 0:
                    problems.append(f"préstamo nuevo en {t} ({fresh:,.2f}) sin capacidad de endeudamiento")
                    continue
                share[t] = fresh / capacity
        for y in years:
            load = sum(v for t, v in share.items() if t <= y < t + int(borrowing.term[t]))
            if load > 1 + REL_TOL * max(1.0, len(share)):
                problems.append(f"los préstamos nuevos en repago en {y} usan {load:.4f} veces "
                                "la capacidad de endeudamiento")

    # dependencies, exclusive groups, mandatory projects
    for name, s in starts.items():
        for dep in by_name[name].depends_on:
            if dep not in starts:
                problems.append(f"'{name}' depende de '{dep}', que no está programado")
            elif starts[dep] + by_name[dep].duration > s:
                problems.append(f"'{name}' inicia en {s} antes de que termine '{dep}'")
    groups: dict[str, list[str]] = {}
    for name in starts:
        if by_name[name].exclusive_group:
            groups.setdefault(by_name[name].exclusive_group, []).append(name)
    for g, names in groups.items():
        if len(names) > 1:
            problems.append(f"grupo_exclusivo '{g}' con varios proyectos: {sorted(names)}")
    for p in by_name.values():
        if p.mandatory and p.name not in starts:
            problems.append(f"el proyecto obligatorio '{p.name}' no está programado")

    # the POA is the first year's funding
    first = _total([amount for _, _, year, amount in paid if year == years[0]])
    poa_total = float(programme.poa["total"].sum()) if len(programme.poa) else 0.0
    if not np.isclose(poa_total, first, rtol=1e-9, atol=tol):
        problems.append(f"el POA suma {poa_total:,.2f} y el financiamiento de {years[0]} {first:,.2f}")
    return problems


def _total(amounts: list[float]) -> float:
    """Sum of amounts, blanks (NaN) as 0: what ``Series.sum`` gives for the same rows."""
    return float(np.nansum(np.asarray(amounts, dtype=float)))


__all__ = ["REL_TOL", "plan_violations"]
