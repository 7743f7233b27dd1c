"""Why, in Spanish: why a project was left unfunded, and why the mandatory projects cannot all
be programmed. Words for the council, with the amounts that fall short."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from nexos_model.errors import ParameterError
from nexos_model.investment.borrowing import check_borrowing
from nexos_model.investment.inputs import (
    FIT_TOLERANCE,
    ProgrammeInputs,
    ProgrammeOptions,
    check_years,
    declared_om,
    fiscal_space_table,
    om_capacity,
    om_room_table,
    post_room,
    start_years,
)
from nexos_model.investment.milp import fits_together
from nexos_model.investment.project import FUENTES, Project
from nexos_model.wording import quetzales


def _fmt(q: float) -> str:
    return quetzales(q, 0)


def budget_reason(p, s, remaining, years, post_room, om_after_horizon, om_left,
                  words: bool = True) -> tuple[float, str | None]:
    """Shortfall (Q) and Spanish reason for fitting p at start s into ``remaining`` (K, Y), its
    O&M into the free money still able to pay operation each year, ``om_left`` (Y,).

    ``words=False`` leaves the reason out (None): formatting the amounts is what costs, and
    callers comparing several starts only word the one they keep.
    """
    k_index = {k: i for i, k in enumerate(FUENTES)}
    y_index = {y: j for j, y in enumerate(years)}
    cost = p.yearly_cost()
    total_short, first = 0.0, None
    for t in range(p.duration):
        y = s + t
        j = y_index[y]
        room = {k: max(remaining[k_index[k], j], 0.0) for k in p.sources}
        short = cost[t] - sum(room.values())
        if short > FIT_TOLERANCE * max(cost[t], 1.0):
            total_short += short
            if first is None and words:
                detalle = ", ".join(f"{k} {_fmt(v)}" for k, v in room.items())
                first = (
                    f"no cabe en el espacio fiscal: en {y} necesita {_fmt(cost[t])} y sus fuentes "
                    f"tienen un saldo de {_fmt(sum(room.values()))} ({detalle})"
                )
    if p.annual_om_cost > 0:
        for y in years:
            if y >= s + p.duration:
                room = om_left[y_index[y]]
                if p.annual_om_cost > room + FIT_TOLERANCE * max(p.annual_om_cost, 1.0):
                    total_short += p.annual_om_cost - max(room, 0.0)
                    if first is None and words:
                        first = (
                            f"su operación y mantenimiento ({_fmt(p.annual_om_cost)}/año) no cabe en el "
                            f"dinero de libre uso que queda en {y} ({_fmt(max(room, 0.0))})"
                        )
        if om_after_horizon and p.annual_om_cost > post_room + FIT_TOLERANCE * max(p.annual_om_cost, 1.0):
            total_short += p.annual_om_cost - max(post_room, 0.0)
            if first is None and words:
                first = (
                    f"su operación y mantenimiento ({_fmt(p.annual_om_cost)}/año) no cabe en el dinero de "
                    f"libre uso después de {years[-1]} (saldo {_fmt(max(post_room, 0.0))})"
                )
    return total_short, first


def window_text(p: Project, years: Sequence[int]) -> str:
    a = p.earliest_start if p.earliest_start is not None else years[0]
    b = p.latest_start if p.latest_start is not None else years[-1]
    return (
        f"fuera de su ventana: debe iniciar entre {a} y {b} y dura {p.duration} año(s), "
        f"así que no termina dentro del horizonte {years[0]}–{years[-1]}"
    )


def unfunded_reason(p, projects, starts, remaining, years, post_room, om_after_horizon, metodo, om_left) -> str:
    by_name = {q.name: q for q in projects}
    options = start_years(p, years)
    if not options:
        return window_text(p, years)
    if p.exclusive_group:
        rivals = [q for q in starts if by_name[q].exclusive_group == p.exclusive_group and q != p.name]
        if rivals:
            return f"alternativa de '{rivals[0]}', que fue seleccionado: solo uno de los dos puede ejecutarse"
    for dep in p.depends_on:
        if dep not in starts:
            return f"depende de '{dep}', que no fue seleccionado"
    ready = max((starts[d] + by_name[d].duration for d in p.depends_on), default=years[0])
    options = [s for s in options if s >= ready]
    if not options:
        deps = ", ".join(f"'{d}' (termina en {starts[d] + by_name[d].duration - 1})" for d in p.depends_on)
        return f"depende de {deps}: no queda año de inicio dentro de su ventana y del horizonte"
    best = min(options, key=lambda s: budget_reason(p, s, remaining, years, post_room, om_after_horizon, om_left,
                                                      words=False)[0])
    reason = budget_reason(p, best, remaining, years, post_room, om_after_horizon, om_left)[1]
    if reason:
        return reason
    if metodo == "orden":
        return "cabía con el saldo final, pero no cuando el método por orden de puntaje lo evaluó"
    return ("solo cabría cambiando el año o las fuentes de otros proyectos seleccionados, "
            "lo que baja el valor total del plan")


def _ancestors(name: str, by_name: Mapping[str, Project]) -> set[str]:
    out, stack = set(), [name]
    while stack:
        for dep in by_name[stack.pop()].depends_on:
            if dep not in out:
                out.add(dep)
                stack.append(dep)
    return out


def explain_infeasible(projects: Sequence[Project], space: Any, years: Sequence[int],
                       options: ProgrammeOptions = ProgrammeOptions()) -> list[str]:
    """Spanish explanation of why the mandatory projects cannot all be programmed.

    Checks, in order: mandatory projects that exclude each other, that cannot start inside
    their window and the horizon, that do not fit even alone (with the first year and source
    that falls short), that fit alone but not with the projects they depend on, and finally
    that fit one by one but not together (their total cost against their sources' space).
    """
    om_after_horizon = options.om_after_horizon
    projects = declared_om(projects)
    years = check_years(years)
    space = fiscal_space_table(space, years)
    borrowing = check_borrowing(options.borrowing, space, years)
    room = om_room_table(options.om_room, space, years)
    om_room = room.to_numpy(dtype=float)
    by_name = {p.name: p for p in projects}
    mandatory = [p for p in projects if p.mandatory]
    messages = []
    k_index = {k: i for i, k in enumerate(FUENTES)}
    cap = space.to_numpy(dtype=float)
    after = post_room(options, room)
    om_left = om_capacity(om_room, cap)
    groups: dict[str, list[str]] = {}
    for p in mandatory:
        if p.exclusive_group:
            groups.setdefault(p.exclusive_group, []).append(p.name)
    for g, names in groups.items():
        if len(names) > 1:
            messages.append(
                f"los proyectos obligatorios {', '.join(repr(n) for n in names)} son excluyentes entre sí "
                f"(grupo_exclusivo '{g}'): solo uno puede ejecutarse"
            )
    alone_ok = []
    for p in mandatory:
        if not start_years(p, years):
            messages.append(f"el proyecto obligatorio '{p.name}' está {window_text(p, years)}")
            continue
        deps = _ancestors(p.name, by_name)
        if fits_together(projects, {p.name}, space, years, om_after_horizon, after, borrowing, om_room):
            if deps and not fits_together(projects, {p.name} | deps, space, years, om_after_horizon,
                                            after, borrowing, om_room):
                messages.append(
                    f"el proyecto obligatorio '{p.name}' cabe solo, pero no junto con los proyectos de los "
                    f"que depende ({', '.join(repr(d) for d in sorted(deps))}) dentro del horizonte y el "
                    "espacio fiscal"
                )
            else:
                alone_ok.append(p)
            continue
        full = cap.copy()
        reasons = [
            budget_reason(p, s, full, years, after, om_after_horizon, om_left)
            for s in start_years(p, years)
        ]
        short, text = min(reasons, key=lambda item: item[0])
        messages.append(
            f"el proyecto obligatorio '{p.name}' no cabe por sí solo: "
            + (text or "su costo por año no cabe en el espacio de sus fuentes")
        )
    if not messages and alone_ok:
        total = sum(p.total_cost for p in alone_ok)
        sources = sorted({k for p in alone_ok for k in p.sources}, key=FUENTES.index)
        room = cap[[k_index[k] for k in sources]].sum()
        names = ", ".join(f"'{p.name}'" for p in alone_ok)
        text = (
            f"cada proyecto obligatorio cabe por sí solo, pero juntos ({names}) no caben: cuestan "
            f"{_fmt(total)} y el espacio de sus fuentes ({', '.join(sources)}) en {years[0]}–{years[-1]} "
            f"es {_fmt(room)}"
        )
        om = sum(p.annual_om_cost for p in alone_ok)
        if om > 0:
            text += f"; además su operación suma {_fmt(om)}/año, que se paga con dinero de libre uso"
        if total <= room:
            text += " (el total alcanza, pero no en los años y fuentes que cada uno puede usar)"
        messages.append(text)
    return messages or ["los proyectos obligatorios no caben en el espacio fiscal por fuente y año"]


def infeasible_error(inputs: ProgrammeInputs, options: ProgrammeOptions) -> ParameterError:
    """The Spanish error of a programme the mandatory projects make impossible."""
    return ParameterError(
        ["no hay programa factible con los proyectos obligatorios:"]
        + explain_infeasible(inputs.projects, inputs.space, inputs.years, replace(options, borrowing=inputs.borrowing))
    )


__all__ = ["budget_reason", "explain_infeasible", "infeasible_error", "unfunded_reason", "window_text"]
