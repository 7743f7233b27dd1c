"""Multi-year investment programme (POM) and its first year (POA): optimal vs ranked fill.

Formulation solved by :func:`optimal_programme` with ``scipy.optimize.milp`` (HiGHS):

Variables
    ``x[p, s]`` ∈ {0, 1}: project p starts in year s, for s in its window
    (``inicio_minimo <= s <= inicio_maximo``) such that it finishes within the horizon
    (``s + duracion - 1 <= last year``).
    ``f[p, k, y]`` >= 0 (Q): money of eligible source k paying project p in year y.
    ``z[r]`` ∈ [0, 1] (only with ``result_weight > 0``): share of result r's gap closed.

Constraints
    one start           Σ_s x[p, s] <= 1  (= 1 when ``obligatorio``)
    full funding        Σ_k f[p, k, y] = Σ_s costo_total_p × perfil_p[y - s] × x[p, s]
    space by source     Σ_p f[p, k, y] + [k = propios] × Σ_p O&M_p × Σ_{s: s + duracion_p <= y} x[p, s]
                        <= espacio[k, y]       (O&M starts the year after the project ends)
    O&M after horizon   Σ_p O&M_p × Σ_s x[p, s] <= room after the plan
                        (``om_after_horizon``: the plan stays affordable once built; the room
                        is ``post_horizon_room``, by default own revenue's space in the last
                        year, i.e. assuming it stays at that level)
    borrowing           with ``borrowing`` (:class:`NewBorrowing`): the ``prestamo_infom`` space of
                        year t is D_t (proceeds of loans already decided) + C_t (the largest new
                        loan the debt-service room allows if taken alone in t, repaid over T_t
                        years). New borrowing n_t >= Σ_p f[p, prestamo_infom, t] - D_t, n_t >= 0, and
                        Σ_{t <= y < t + T_t} n_t / C_t <= 1 for every year y: loans of several years
                        share the room while they are repaid. Each loan's service is at most its
                        share n_t / C_t of the room of each of its years, so the sum of their
                        services stays within the room (a sufficient condition).
    dependencies        x[B, s] <= Σ_{s': s' + duracion_A <= s} x[A, s']  (B starts after A ends,
                        hence B only if A)
    exclusive groups    Σ_{p in g} Σ_s x[p, s] <= 1
    results             z[r] <= Σ_{p, s: s + duracion_p - 1 <= anio_meta_r} share of r's gap closed by p × x[p, s]
                        (only results with a gap; contributions count when finished by the target year)

Objective
    maximise Σ_p puntaje_p × Σ_s x[p, s] + result_weight × Σ_r z[r]
    (plus a tie-break below 1e-6 of the smallest score that prefers earlier starts).

:func:`ranked_fill` is the spreadsheet method: mandatory projects first, then by score
descending, each at its earliest start where it fits the remaining space (O&M and borrowing
included), funded greedily in its ``fuentes`` order; a project that fits in no year is skipped.

A project with no declared O&M (``costo_operacion_anual`` absent) counts 0 here;
:func:`nexos_model.investment.plan.plan_investment` estimates it first from the parameters.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from nexos_model.errors import NexosError, ParameterError
from nexos_model.investment.portfolio import FUENTES, Project, check_portfolio
from nexos_model.investment.progress import counted_by, parse_targets
from nexos_model.investment.scoring import score_projects

PROPIOS = "propios"
INFOM = "prestamo_infom"
_REL_TOL = 1e-7  # relative tolerance for "fits" checks (money in Q)


# --------------------------------------------------------------------------- inputs


def check_years(years: Sequence[int]) -> list[int]:
    """The programming horizon as a list of consecutive years."""
    out = [int(y) for y in years]
    if not out or any(b != a + 1 for a, b in zip(out, out[1:])):
        raise ParameterError(
            f"anios: valor dado {list(years)!r} (se esperaba: años consecutivos, p. ej. [2026, 2027, 2028])"
        )
    return out


def fiscal_space_table(space: Any, years: Sequence[int]) -> pd.DataFrame:
    """Fiscal space for investment by funding source and year (Q), as a sources × years frame.

    Accepts a DataFrame indexed by source with year columns, a long DataFrame with columns
    ``fuente, anio, monto`` (or ``valor``), a mapping ``{fuente: {anio: monto}}`` or
    ``{fuente: [monto por año]}``, or an array of shape (5, len(years)) in ``FUENTES`` order.
    Missing sources or years are 0. ``prestamo_infom`` is borrowed money: proceeds of loans
    already decided plus, when the plan may borrow more, the new-loan capacity
    (:class:`NewBorrowing`).
    """
    years = check_years(years)
    table = np.zeros((len(FUENTES), len(years)))
    errors: list[str] = []
    for source, by_year in _space_cells(space, years).items():
        if source not in FUENTES:
            errors.append(
                f"espacio_fiscal: fuente desconocida (valor dado: {source!r}; se esperaba: uno de {', '.join(FUENTES)})"
            )
            continue
        for j, year in enumerate(years):
            if year not in by_year:
                continue
            v = _amount(by_year[year])
            if v is None:
                errors.append(f"espacio_fiscal: {source} {year}: debe ser un número (valor dado: {by_year[year]!r})")
                continue
            if v < 0 or not np.isfinite(v):
                errors.append(
                    f"espacio_fiscal: {source} {year}: fuera de rango (valor dado: {v:,.2f}; se esperaba: un monto >= 0)"
                )
            table[FUENTES.index(source), j] = v
    if errors:
        raise ParameterError(errors)
    return pd.DataFrame(table, index=list(FUENTES), columns=years)


def _space_cells(space: Any, years: list[int]) -> dict[Any, Mapping[Any, Any]]:
    """Each source's cells by year, as given (unchecked): what :func:`fiscal_space_table` reads.

    A long table is summed by source and year first; sources come in its sorted order.
    """
    if isinstance(space, pd.DataFrame) and "fuente" in space.columns and "anio" in space.columns:
        value = "monto" if "monto" in space.columns else "valor"
        cells: dict[Any, dict[Any, Any]] = {}
        for (source, year), amount in space.groupby(["fuente", "anio"])[value].sum().items():
            cells.setdefault(source, {})[year] = amount
        return cells
    if isinstance(space, pd.DataFrame):
        return {source: dict(zip(space.columns, row)) for source, row in zip(space.index, space.to_numpy(dtype=object))}
    if isinstance(space, Mapping):
        return {k: (dict(v) if isinstance(v, Mapping) else dict(zip(years, v))) for k, v in space.items()}
    array = np.asarray(space, dtype=float)
    if array.shape != (len(FUENTES), len(years)):
        raise ParameterError(
            f"espacio_fiscal: forma {array.shape} (se esperaba: {len(FUENTES)} fuentes × {len(years)} años)"
        )
    return {source: dict(zip(years, row)) for source, row in zip(FUENTES, array)}


def _amount(cell: Any) -> float | None:
    """A fiscal-space cell as a float (blank = 0), or None when it is not a number."""
    if isinstance(cell, (int, float, np.integer, np.floating)):
        v = float(cell)
    else:
        v = pd.to_numeric(cell, errors="coerce")
        if pd.isna(v):
            return 0.0 if pd.isna(cell) else None
        v = float(v)
    return 0.0 if np.isnan(v) else v


def start_years(project: Project, years: Sequence[int]) -> list[int]:
    """Allowed start years: inside the project's window and finishing within the horizon."""
    return [
        s
        for s in years
        if (project.earliest_start is None or s >= project.earliest_start)
        and (project.latest_start is None or s <= project.latest_start)
        and s + project.duration - 1 <= years[-1]
    ]


def _scores(projects, scores, weights, sector_priority, results_targets,
            default_priority=0.5) -> tuple[np.ndarray, pd.DataFrame]:
    table = score_projects(projects, weights, sector_priority, results_targets, default_priority)
    if scores is not None:
        given = dict(scores)
        missing = [p.name for p in projects if p.name not in given]
        if missing:
            raise ParameterError(f"puntajes: faltan proyectos (valor dado: sin {missing})")
        table["puntaje"] = [float(given[p.name]) for p in projects]
    return table["puntaje"].to_numpy(dtype=float), table


def declared_om(projects: Sequence[Project]) -> list[Project]:
    """The projects with an undeclared O&M cost (None) set to 0."""
    return [p if p.annual_om_cost is not None else p.model_copy(update={"annual_om_cost": 0.0})
            for p in projects]


@dataclass(frozen=True)
class NewBorrowing:
    """New INFOM borrowing the plan may decide, by start year.

    ``capacity[t]``: the largest new loan the debt-service room allows if taken alone in t (Q);
    ``term[t]``: its term in years (repaid in t, t + 1, ..., t + term - 1). The rest of the
    ``prestamo_infom`` space (space - capacity) is money from loans already decided, whose
    service is already in the projection.
    """

    capacity: Mapping[int, float]
    term: Mapping[int, int]


def check_borrowing(borrowing: NewBorrowing | None, space: pd.DataFrame, years: Sequence[int]) -> NewBorrowing | None:
    """Every plan year has a term >= 1 and a capacity within the ``prestamo_infom`` space."""
    if borrowing is None:
        return None
    errors, capacity, term = [], {}, {}
    rooms = dict(zip(space.columns, space.loc[INFOM].tolist()))
    for y in years:
        c, t = borrowing.capacity.get(y), borrowing.term.get(y)
        room = rooms[y]
        if c is None or t is None:
            errors.append(f"préstamo nuevo {y}: falta la capacidad o el plazo (se esperaba uno por año del plan)")
            continue
        if not 0 <= float(c) <= room * (1 + 1e-9) + 1e-6:
            errors.append(f"préstamo nuevo {y}: capacidad {float(c):,.2f} fuera del espacio prestamo_infom "
                          f"{room:,.2f} (se esperaba: entre 0 y el espacio)")
        if int(t) < 1:
            errors.append(f"préstamo nuevo {y}: plazo {t!r} (se esperaba: 1 año o más)")
        capacity[int(y)], term[int(y)] = min(float(c), room), int(t)
    if errors:
        raise ParameterError(errors)
    return NewBorrowing(capacity, term)


def _active(t: int, y: int, borrowing: NewBorrowing) -> bool:
    """Whether a loan taken in t is being repaid in y."""
    return t <= y < t + borrowing.term[t]


def new_loans(space_row: np.ndarray, used: np.ndarray, years: Sequence[int],
              borrowing: NewBorrowing | None) -> np.ndarray:
    """New borrowing each year (Q): what the plan takes beyond the loans already decided."""
    if borrowing is None:
        return np.zeros(len(years))
    decided = np.asarray(space_row, float) - np.array([borrowing.capacity[y] for y in years])
    return np.maximum(np.asarray(used, float) - decided, 0.0)


def loan_load(space_row: np.ndarray, used: np.ndarray, years: Sequence[int], borrowing: NewBorrowing) -> np.ndarray:
    """Share of the debt-service room taken in each year by the new loans being repaid (<= 1)."""
    years = list(years)
    fresh = new_loans(space_row, used, years, borrowing)
    cap = np.array([borrowing.capacity[y] for y in years])
    share = np.divide(fresh, cap, out=np.zeros(len(years)), where=cap > 0)
    return np.array([sum(share[i] for i, t in enumerate(years) if _active(t, y, borrowing)) for y in years])


def loan_room(space_row: np.ndarray, used: np.ndarray, years: Sequence[int],
              borrowing: NewBorrowing | None) -> np.ndarray:
    """Borrowed money still available in each year (Q), given what is already used.

    Without ``borrowing`` it is ``space - used``. With it: what is left of the decided loans,
    plus the year's capacity times what is left of the room in the tightest year its loan
    would be repaid.
    """
    space_row = np.asarray(space_row, float)
    used = np.asarray(used, float)
    if borrowing is None:
        return space_row - used
    years = list(years)
    cap = np.array([borrowing.capacity[y] for y in years])
    load = loan_load(space_row, used, years, borrowing)
    room = np.zeros(len(years))
    for i, t in enumerate(years):
        active = [j for j, y in enumerate(years) if _active(t, y, borrowing)]
        slack = max(0.0, min(1.0 - load[j] for j in active))
        room[i] = max(space_row[i] - cap[i] - used[i], 0.0) + cap[i] * slack
    return np.minimum(room, space_row - used)


def objective_value(starts: Mapping[str, int], projects: Sequence[Project], scores: np.ndarray,
                    targets: Mapping[str, Any], result_weight: float) -> float:
    """Σ puntaje of the selected projects + peso_resultados × Σ_r min(1, share of r's gap closed)."""
    score_of = dict(zip((p.name for p in projects), scores))
    by_name = {p.name: p for p in projects}
    total = float(sum(score_of[n] for n in starts))
    if result_weight > 0:
        for r, target in targets.items():
            if target.gap > 0:
                closed = sum(target.share_of_gap(by_name[n].results.get(r, 0.0)) for n, s in starts.items()
                             if counted_by(target, s + by_name[n].duration - 1))
                total += result_weight * min(1.0, closed)
    return total


# --------------------------------------------------------------------------- result


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


# --------------------------------------------------------------------------- shared tables


def _usage(projects, starts, funding, space, years, borrowing=None) -> tuple[pd.DataFrame, np.ndarray]:
    """Space used by source and year; returns the table and remaining[k, y] (Q).

    ``remaining`` of ``prestamo_infom`` is what a new loan could still take in each year
    (:func:`loan_room`); the table's ``saldo`` is space minus use, source by source.
    """
    k_index = {k: i for i, k in enumerate(FUENTES)}
    y_index = {y: j for j, y in enumerate(years)}
    invest = np.zeros((len(FUENTES), len(years)))
    for (name, source, year), amount in funding.items():
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


def _fmt(q: float) -> str:
    from nexos_model.wording import quetzales

    return quetzales(q, 0)


def _budget_reason(p, s, remaining, years, post_room, om_after_horizon,
                   words: bool = True) -> tuple[float, str | None]:
    """Shortfall (Q) and Spanish reason for fitting p at start s into ``remaining``.

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
        if short > _REL_TOL * max(cost[t], 1.0):
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
                room = remaining[k_index[PROPIOS], y_index[y]]
                if p.annual_om_cost > room + _REL_TOL * max(p.annual_om_cost, 1.0):
                    total_short += p.annual_om_cost - max(room, 0.0)
                    if first is None and words:
                        first = (
                            f"su operación y mantenimiento ({_fmt(p.annual_om_cost)}/año) no cabe en el "
                            f"saldo de ingresos propios de {y} ({_fmt(max(room, 0.0))})"
                        )
        if om_after_horizon and p.annual_om_cost > post_room + _REL_TOL * max(p.annual_om_cost, 1.0):
            total_short += p.annual_om_cost - max(post_room, 0.0)
            if first is None and words:
                first = (
                    f"su operación y mantenimiento ({_fmt(p.annual_om_cost)}/año) no cabe en los ingresos "
                    f"propios después de {years[-1]} (saldo {_fmt(max(post_room, 0.0))})"
                )
    return total_short, first


def _window_text(p: Project, years: Sequence[int]) -> str:
    a = p.earliest_start if p.earliest_start is not None else years[0]
    b = p.latest_start if p.latest_start is not None else years[-1]
    return (
        f"fuera de su ventana: debe iniciar entre {a} y {b} y dura {p.duration} año(s), "
        f"así que no termina dentro del horizonte {years[0]}–{years[-1]}"
    )


def _unfunded_reason(p, projects, starts, remaining, years, post_room, om_after_horizon, metodo) -> str:
    by_name = {q.name: q for q in projects}
    options = start_years(p, years)
    if not options:
        return _window_text(p, years)
    if p.exclusive_group:
        rivals = [q for q in starts if by_name[q].exclusive_group == p.exclusive_group and q != p.name]
        if rivals:
            return f"excluyente con '{rivals[0]}' (grupo_exclusivo '{p.exclusive_group}'), que fue seleccionado"
    for dep in p.depends_on:
        if dep not in starts:
            return f"depende de '{dep}', que no fue seleccionado"
    ready = max((starts[d] + by_name[d].duration for d in p.depends_on), default=years[0])
    options = [s for s in options if s >= ready]
    if not options:
        deps = ", ".join(f"'{d}' (termina en {starts[d] + by_name[d].duration - 1})" for d in p.depends_on)
        return f"depende de {deps}: no queda año de inicio dentro de su ventana y del horizonte"
    best = min(options, key=lambda s: _budget_reason(p, s, remaining, years, post_room, om_after_horizon,
                                                      words=False)[0])
    reason = _budget_reason(p, best, remaining, years, post_room, om_after_horizon)[1]
    if reason:
        return reason
    if metodo == "orden":
        return "cabía con el saldo final, pero no cuando el método por orden de puntaje lo evaluó"
    return ("solo cabría cambiando el año o las fuentes de otros proyectos seleccionados, "
            "lo que baja el valor total del plan")


def _build_programme(
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
    uso, remaining = _usage(projects, starts, funding, space, years, borrowing)
    if post_room is None:
        post_room = float(space.loc[PROPIOS, years[-1]])
    post_room = post_room - sum(by_name[n].annual_om_cost for n in starts)
    no_fin = [
        {
            "proyecto": p.name,
            "puntaje": score_of[p.name],
            "obligatorio": p.mandatory,
            "razon": _unfunded_reason(p, projects, starts, remaining, years, post_room, om_after_horizon, metodo),
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


# --------------------------------------------------------------------------- MILP


@dataclass
class _Model:
    c: np.ndarray
    constraints: list[LinearConstraint]
    integrality: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    x_index: dict[tuple[int, int], int]
    f_index: dict[tuple[int, str, int], int]
    z_index: dict[str, int]
    unit: float


def _build_model(projects, scores, space, years, om_after_horizon, targets, result_weight,
                 post_room=None, borrowing=None) -> _Model:
    n_proj = len(projects)
    y_index = {y: j for j, y in enumerate(years)}
    unit = float(np.median([p.total_cost for p in projects])) if projects else 1.0
    cap = space.to_numpy(dtype=float) / unit
    options = [start_years(p, years) for p in projects]

    x_index: dict[tuple[int, int], int] = {}
    for i, opts in enumerate(options):
        for s in opts:
            x_index[(i, s)] = len(x_index)
    f_index: dict[tuple[int, str, int], int] = {}
    n_x = len(x_index)
    for i, p in enumerate(projects):
        if not options[i]:
            continue
        active = range(min(options[i]), max(options[i]) + p.duration)
        for y in active:
            for k in p.sources:
                f_index[(i, k, y)] = n_x + len(f_index)
    n_xf = n_x + len(f_index)
    with_gap = [r for r, t in targets.items() if t.gap > 0] if result_weight > 0 else []
    z_index = {r: n_xf + j for j, r in enumerate(with_gap)}
    n_var = n_xf + len(z_index)

    rows, cols, vals, lo, hi = [], [], [], [], []
    row = 0

    def add(entries, lb, ub):
        nonlocal row
        for col, val in entries:
            rows.append(row)
            cols.append(col)
            vals.append(val)
        lo.append(lb)
        hi.append(ub)
        row += 1

    # one start per project (exactly one if mandatory)
    for i, p in enumerate(projects):
        entries = [(x_index[(i, s)], 1.0) for s in options[i]]
        if entries:
            add(entries, 1.0 if p.mandatory else 0.0, 1.0)
    # full funding of each year's cost
    for i, p in enumerate(projects):
        if not options[i]:
            continue
        share = np.asarray(p.cost_profile) * p.total_cost / unit
        for y in range(min(options[i]), max(options[i]) + p.duration):
            entries = [(f_index[(i, k, y)], 1.0) for k in p.sources]
            entries += [(x_index[(i, s)], -share[y - s]) for s in options[i] if 0 <= y - s < p.duration]
            add(entries, 0.0, 0.0)
    # space by source and year, O&M of finished projects charged to propios
    for kk, k in enumerate(FUENTES):
        for y in years:
            entries = [(col, 1.0) for (i, kf, yf), col in f_index.items() if kf == k and yf == y]
            if k == PROPIOS:
                for (i, s), col in x_index.items():
                    p = projects[i]
                    if p.annual_om_cost > 0 and s + p.duration <= y:
                        entries.append((col, p.annual_om_cost / unit))
            if entries:
                add(entries, -np.inf, cap[kk, y_index[y]])
    if om_after_horizon:
        room = cap[FUENTES.index(PROPIOS), -1] if post_room is None else post_room / unit
        entries = [(col, projects[i].annual_om_cost / unit) for (i, s), col in x_index.items()
                   if projects[i].annual_om_cost > 0]
        if entries:
            add(entries, -np.inf, room)
    # new loans of several years share the debt-service room while they are repaid
    if borrowing is not None:
        kk = FUENTES.index(INFOM)
        n_index: dict[int, int] = {}
        for t in years:
            cols_t = [col for (i, k, yf), col in f_index.items() if k == INFOM and yf == t]
            capacity = borrowing.capacity[t] / unit
            if not cols_t or capacity <= 0:
                continue
            n_index[t] = n_var + len(n_index)
            decided = max(cap[kk, y_index[t]] - capacity, 0.0)
            add([(col, 1.0) for col in cols_t] + [(n_index[t], -1.0)], -np.inf, decided)
        for y in years:
            entries = [(col, unit / borrowing.capacity[t]) for t, col in n_index.items() if _active(t, y, borrowing)]
            if entries:
                add(entries, -np.inf, 1.0)
        n_var += len(n_index)
    # dependencies: B starts only after A has finished
    names = {p.name: i for i, p in enumerate(projects)}
    for b, p in enumerate(projects):
        for dep in p.depends_on:
            a = names[dep]
            for s in options[b]:
                entries = [(x_index[(b, s)], 1.0)]
                entries += [(x_index[(a, sa)], -1.0) for sa in options[a] if sa + projects[a].duration <= s]
                add(entries, -np.inf, 0.0)
    # exclusive groups
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(projects):
        if p.exclusive_group:
            groups.setdefault(p.exclusive_group, []).append(i)
    for members in groups.values():
        entries = [(x_index[(i, s)], 1.0) for i in members for s in options[i]]
        if len(members) > 1 and entries:
            add(entries, -np.inf, 1.0)
    # strategic results: z_r <= share of the gap closed
    for r, col in z_index.items():
        target = targets[r]
        entries = [(col, 1.0)]
        entries += [(x_index[(i, s)], -target.share_of_gap(projects[i].results.get(r, 0.0)))
                    for (i, s) in x_index
                    if projects[i].results.get(r, 0.0) > 0 and counted_by(target, s + projects[i].duration - 1)]
        add(entries, -np.inf, 0.0)

    c = np.zeros(n_var)
    positive = scores[scores > 0]
    eps = 1e-6 * (positive.min() if positive.size else 1.0) / max(1, n_proj * len(years))
    for (i, s), col in x_index.items():
        c[col] = -(scores[i] + eps * (years[-1] - s))
    for col in z_index.values():
        c[col] = -result_weight
    matrix = sparse.csr_array((vals, (rows, cols)), shape=(row, n_var))
    integrality = np.zeros(n_var)
    integrality[:n_x] = 1
    lower = np.zeros(n_var)
    upper = np.full(n_var, np.inf)
    upper[:n_x] = 1
    for col in z_index.values():
        upper[col] = 1
    constraints = [LinearConstraint(matrix, np.array(lo), np.array(hi))] if row else []
    return _Model(c, constraints, integrality, lower, upper, x_index, f_index, z_index, unit)


def _solve(model: _Model, time_limit: float, gap: float, lower=None, upper=None, integer=True):
    return milp(
        model.c,
        constraints=model.constraints,
        integrality=model.integrality if integer else None,
        bounds=Bounds(model.lower if lower is None else lower, model.upper if upper is None else upper),
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )


def _feasible_alone(projects, required: set[str], space, years, om_after_horizon, post_room=None,
                    borrowing=None) -> bool:
    """Whether the projects in ``required`` fit together (all forced, others left out)."""
    subset = [
        p.model_copy(update={"mandatory": True, "depends_on": tuple(d for d in p.depends_on if d in required)})
        for p in projects
        if p.name in required
    ]
    if any(not start_years(p, years) for p in subset):
        return False
    model = _build_model(subset, np.ones(len(subset)), space, years, om_after_horizon, {}, 0.0,
                         post_room, borrowing)
    res = _solve(model, 30.0, 1e-4)
    return res.status in (0, 1) and res.x is not None


def _ancestors(name: str, by_name: Mapping[str, Project]) -> set[str]:
    out, stack = set(), [name]
    while stack:
        for dep in by_name[stack.pop()].depends_on:
            if dep not in out:
                out.add(dep)
                stack.append(dep)
    return out


def explain_infeasible(projects, space, years, om_after_horizon: bool = True, post_horizon_room=None,
                       borrowing=None) -> list[str]:
    """Spanish explanation of why the mandatory projects cannot all be programmed.

    Checks, in order: mandatory projects that exclude each other, that cannot start inside
    their window and the horizon, that do not fit even alone (with the first year and source
    that falls short), that fit alone but not with the projects they depend on, and finally
    that fit one by one but not together (their total cost against their sources' space).
    """
    projects = declared_om(projects)
    years = check_years(years)
    space = fiscal_space_table(space, years)
    borrowing = check_borrowing(borrowing, space, years)
    by_name = {p.name: p for p in projects}
    mandatory = [p for p in projects if p.mandatory]
    messages = []
    k_index = {k: i for i, k in enumerate(FUENTES)}
    cap = space.to_numpy(dtype=float)
    post_room = float(cap[k_index[PROPIOS], -1]) if post_horizon_room is None else float(post_horizon_room)
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
            messages.append(f"el proyecto obligatorio '{p.name}' está {_window_text(p, years)}")
            continue
        deps = _ancestors(p.name, by_name)
        if _feasible_alone(projects, {p.name}, space, years, om_after_horizon, post_room, borrowing):
            if deps and not _feasible_alone(projects, {p.name} | deps, space, years, om_after_horizon,
                                            post_room, borrowing):
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
            _budget_reason(p, s, full, years, post_room, om_after_horizon)
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
            text += f"; además su operación suma {_fmt(om)}/año en ingresos propios"
        if total <= room:
            text += " (el total alcanza, pero no en los años y fuentes que cada uno puede usar)"
        messages.append(text)
    return messages or ["los proyectos obligatorios no caben en el espacio fiscal por fuente y año"]


def _infeasible(projects, space, years, om_after_horizon, post_room, borrowing) -> ParameterError:
    return ParameterError(
        ["no hay programa factible con los proyectos obligatorios:"]
        + explain_infeasible(projects, space, years, om_after_horizon, post_room, borrowing)
    )


class _Inputs(NamedTuple):
    """The inputs the optimum and the ranked fill share, checked, and the projects' scores."""

    projects: list[Project]
    years: list[int]
    space: pd.DataFrame
    borrowing: NewBorrowing | None
    targets: dict[str, Any]
    scores: np.ndarray
    score_table: pd.DataFrame


def _prepare(projects, years, space, borrowing, results_targets, scores, weights, sector_priority,
             default_priority) -> _Inputs:
    """Validate the inputs the optimum and the ranked fill share, and score the projects."""
    projects = declared_om(projects)
    check_portfolio(projects)
    years = check_years(years)
    space = fiscal_space_table(space, years)
    borrowing = check_borrowing(borrowing, space, years)
    targets = parse_targets(results_targets)
    score_vec, score_table = _scores(projects, scores, weights, sector_priority, results_targets,
                                     default_priority)
    return _Inputs(projects, years, space, borrowing, targets, score_vec, score_table)


def optimal_programme(
    projects: Sequence[Project],
    space: Any,
    years: Sequence[int],
    weights: Mapping[str, Any] | None = None,
    sector_priority: Mapping[str, Any] | None = None,
    results_targets: Mapping[str, Any] | None = None,
    result_weight: float = 0.0,
    scores: Mapping[str, float] | None = None,
    om_after_horizon: bool = True,
    time_limit: float = 60.0,
    gap: float = 1e-6,
    post_horizon_room: float | None = None,
    borrowing: NewBorrowing | None = None,
    default_priority: float = 0.5,
) -> Programme:
    """The objective-maximising multi-year programme (see the module docstring for the model).

    ``space``: fiscal space by source and year (see :func:`fiscal_space_table`).
    ``scores``: optional ``{proyecto: puntaje}`` replacing :func:`score_projects`.
    ``result_weight``: weight of Σ_r (share of result r's gap closed, capped at 1).
    ``post_horizon_room``: own revenue's space for O&M after the plan (default: its last year).
    ``borrowing``: new INFOM borrowing the plan may decide (:class:`NewBorrowing`); without it
    the ``prestamo_infom`` space is money like any other source.
    Raises ParameterError with a Spanish explanation if the mandatory projects do not fit,
    NexosError if the solver stops without any programme (time limit).
    """
    inputs = _prepare(projects, years, space, borrowing, results_targets, scores, weights, sector_priority,
                      default_priority)
    return _optimum(inputs, result_weight, om_after_horizon, time_limit, gap, post_horizon_room)


def _optimum(inputs: _Inputs, result_weight: float, om_after_horizon: bool, time_limit: float, gap: float,
             post_horizon_room: float | None) -> Programme:
    """:func:`optimal_programme` of inputs already prepared."""
    projects, years, space, borrowing, targets, score_vec, score_table = inputs
    if result_weight < 0:
        raise ParameterError(f"peso_resultados: valor dado {result_weight!r} (se esperaba: >= 0)")
    t0 = time.perf_counter()
    if any(p.mandatory and not start_years(p, years) for p in projects):
        raise _infeasible(projects, space, years, om_after_horizon, post_horizon_room, borrowing)
    model = _build_model(projects, score_vec, space, years, om_after_horizon, targets, result_weight,
                         post_horizon_room, borrowing)
    res = _solve(model, time_limit, gap)
    if res.status == 2:
        raise _infeasible(projects, space, years, om_after_horizon, post_horizon_room, borrowing)
    if res.x is None:
        raise NexosError(
            f"el optimizador no encontró un programa en {time_limit:.0f} s "
            "(reduzca la cartera o aumente inversion.tiempo_limite)"
        )
    estado = "óptimo" if res.status == 0 else "límite de tiempo (mejor programa encontrado)"
    x = np.round(res.x[: len(model.x_index)])
    # Re-solve the funding as an LP with the starts fixed, so money adds up exactly.
    lower, upper = model.lower.copy(), model.upper.copy()
    lower[: len(x)] = x
    upper[: len(x)] = x
    lp = _solve(model, time_limit, gap, lower, upper, integer=False)
    values = lp.x if lp.x is not None else res.x
    starts = {projects[i].name: s for (i, s), col in model.x_index.items() if x[col] > 0.5}
    funding = {}
    for (i, k, y), col in model.f_index.items():
        amount = max(float(values[col]), 0.0) * model.unit
        if projects[i].name in starts and amount > 1e-9 * model.unit:
            funding[(projects[i].name, k, y)] = amount
    objective = objective_value(starts, projects, score_vec, targets, result_weight)
    mip_gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return _build_programme(
        "optimo", projects, score_vec, score_table, starts, funding, space, years,
        om_after_horizon, objective, estado, time.perf_counter() - t0, post_horizon_room, borrowing, mip_gap,
    )


# --------------------------------------------------------------------------- ranked fill


def _greedy_funding(p: Project, s: int, remaining: np.ndarray, cap_loan: np.ndarray, used_loan: np.ndarray,
                    years: Sequence[int], borrowing: NewBorrowing | None):
    """Fund p started in s in its ``fuentes`` order; (new remaining, new loan use, plan) or None."""
    k_index = {k: i for i, k in enumerate(FUENTES)}
    y_index = {y: j for j, y in enumerate(years)}
    trial = remaining.copy()
    used = used_loan.copy()
    plan: dict[tuple[str, str, int], float] = {}
    for t, amount in enumerate(p.yearly_cost()):
        j = y_index[s + t]
        need = amount
        for k in p.sources:
            if k == INFOM:
                available = loan_room(cap_loan, used, years, borrowing)[j]
            else:
                available = trial[k_index[k], j]
            take = min(max(available, 0.0), need)
            if take > 0:
                if k == INFOM:
                    used[j] += take
                trial[k_index[k], j] -= take
                plan[(p.name, k, s + t)] = take
                need -= take
        if need > _REL_TOL * max(amount, 1.0):
            return None
    return trial, used, plan


def ranked_fill(
    projects: Sequence[Project],
    space: Any,
    years: Sequence[int],
    weights: Mapping[str, Any] | None = None,
    sector_priority: Mapping[str, Any] | None = None,
    results_targets: Mapping[str, Any] | None = None,
    scores: Mapping[str, float] | None = None,
    om_after_horizon: bool = True,
    post_horizon_room: float | None = None,
    borrowing: NewBorrowing | None = None,
    result_weight: float = 0.0,
    default_priority: float = 0.5,
) -> Programme:
    """The spreadsheet method: by score descending (mandatory first), each project at the
    earliest start where it fits what is left (O&M and borrowing room included), funded
    greedily in its ``fuentes`` order; a project that fits in no year is skipped.

    ``result_weight`` only values the result (``objetivo``) the same way as the optimum, so the
    two can be compared; it does not change the order.
    """
    inputs = _prepare(projects, years, space, borrowing, results_targets, scores, weights, sector_priority,
                      default_priority)
    return _ranked(inputs, om_after_horizon, post_horizon_room, result_weight)


def _ranked(inputs: _Inputs, om_after_horizon: bool, post_horizon_room: float | None,
            result_weight: float) -> Programme:
    """:func:`ranked_fill` of inputs already prepared."""
    projects, years, space, borrowing, targets, score_vec, score_table = inputs
    t0 = time.perf_counter()
    k_index = {k: i for i, k in enumerate(FUENTES)}
    y_index = {y: j for j, y in enumerate(years)}
    remaining = space.to_numpy(dtype=float).copy()
    cap_loan = remaining[k_index[INFOM]].copy()
    used_loan = np.zeros(len(years))
    post_room = float(space.loc[PROPIOS, years[-1]]) if post_horizon_room is None else float(post_horizon_room)
    by_name = {p.name: p for p in projects}
    order = sorted(range(len(projects)), key=lambda i: (not projects[i].mandatory, -score_vec[i], i))
    starts: dict[str, int] = {}
    funding: dict[tuple[str, str, int], float] = {}
    taken_groups: set[str] = set()
    for i in order:
        p = projects[i]
        if p.exclusive_group and p.exclusive_group in taken_groups:
            continue
        if any(d not in starts for d in p.depends_on):
            continue
        if om_after_horizon and p.annual_om_cost > post_room + _REL_TOL * max(p.annual_om_cost, 1.0):
            continue
        ready = max((starts[d] + by_name[d].duration for d in p.depends_on), default=years[0])
        for s in (s for s in start_years(p, years) if s >= ready):
            funded = _greedy_funding(p, s, remaining, cap_loan, used_loan, years, borrowing)
            if funded is None:
                continue
            trial, used, plan = funded
            if p.annual_om_cost > 0:
                for y in years:
                    if y >= s + p.duration:
                        trial[k_index[PROPIOS], y_index[y]] -= p.annual_om_cost
                if trial[k_index[PROPIOS]].min() < -_REL_TOL * max(p.annual_om_cost, 1.0):
                    continue
            remaining, used_loan = trial, used
            post_room -= p.annual_om_cost
            starts[p.name] = s
            funding.update(plan)
            if p.exclusive_group:
                taken_groups.add(p.exclusive_group)
            break
    objective = objective_value(starts, projects, score_vec, targets, result_weight)
    return _build_programme(
        "orden", projects, score_vec, score_table, starts, funding, space, years,
        om_after_horizon, objective, "heurística", time.perf_counter() - t0, post_horizon_room, borrowing,
    )


def compare_methods(
    projects: Sequence[Project],
    space: Any,
    years: Sequence[int],
    *,
    weights: Mapping[str, Any] | None = None,
    sector_priority: Mapping[str, Any] | None = None,
    results_targets: Mapping[str, Any] | None = None,
    result_weight: float = 0.0,
    scores: Mapping[str, float] | None = None,
    om_after_horizon: bool = True,
    time_limit: float = 60.0,
    gap: float = 1e-6,
    post_horizon_room: float | None = None,
    borrowing: NewBorrowing | None = None,
    default_priority: float = 0.5,
) -> Comparison:
    """Optimal programme and ranked fill on the same inputs, checked and scored once; gain =
    (óptimo / orden - 1) × 100 on the objective (Σ puntaje, plus the results term when
    ``result_weight`` > 0). Options as in :func:`optimal_programme`."""
    inputs = _prepare(projects, years, space, borrowing, results_targets, scores, weights, sector_priority,
                      default_priority)
    best = _optimum(inputs, result_weight, om_after_horizon, time_limit, gap, post_horizon_room)
    ranked = _ranked(inputs, om_after_horizon, post_horizon_room, result_weight)
    gain = (
        100.0 * (best.objetivo / ranked.objetivo - 1.0)
        if ranked.objetivo > 0
        else float("inf") if best.objetivo > 0 else 0.0
    )
    return Comparison(best, ranked, gain)


__all__ = [
    "Comparison",
    "INFOM",
    "PROPIOS",
    "Programme",
    "check_borrowing",
    "check_years",
    "compare_methods",
    "declared_om",
    "explain_infeasible",
    "fiscal_space_table",
    "loan_load",
    "loan_room",
    "new_loans",
    "objective_value",
    "optimal_programme",
    "ranked_fill",
    "start_years",
]
