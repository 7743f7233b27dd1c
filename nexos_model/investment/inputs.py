"""The programme's inputs, checked once for the optimum and the ranked fill alike.

Years, fiscal space by funding source and year, new borrowing, results targets and the
projects' scores; :class:`ProgrammeOptions` gathers every choice that shapes a programme, so
:func:`~nexos_model.investment.optimize.optimal_programme`,
:func:`~nexos_model.investment.ranked.ranked_fill`,
:func:`~nexos_model.investment.optimize.compare_methods`,
:func:`~nexos_model.investment.reasons.explain_infeasible` and
:func:`~nexos_model.investment.verify.plan_violations` read the same options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from nexos_model.errors import ParameterError
from nexos_model.investment.borrowing import NewBorrowing, check_borrowing
from nexos_model.investment.project import FUENTES, INFOM, PROPIOS, Project, check_portfolio
from nexos_model.investment.scoring import PRIORIDAD_POR_DEFECTO, score_projects
from nexos_model.investment.targets import counted_by, parse_targets

#: Relative tolerance of the "fits" checks (money in Q).
FIT_TOLERANCE = 1e-7


@dataclass(frozen=True)
class ProgrammeOptions:
    """Every choice that shapes a programme besides the projects, the space and the years.

    ``weights``, ``sector_priority`` and ``default_priority`` (the priority of sectors not
    listed): the multi-criteria score (:func:`~nexos_model.investment.scoring.score_projects`);
    ``scores``: ``{proyecto: puntaje}`` replacing it. ``results_targets`` and ``result_weight``:
    the weight of Σ_r (share of result r's gap closed, capped at 1) in the objective.
    ``om_room``: the part of each source's space that is of free use and may pay the O&M of
    what is built (same forms as the space; :func:`om_room_table`): the O&M of the projects
    finished before a year is paid from it, source by source in :data:`OM_ORDER`, and counts
    against each source's space. Default: own revenue's whole space (``propios``) and nothing
    else. ``om_after_horizon``: the O&M of everything built must fit the free money after the
    plan, ``post_horizon_room`` (default: the free money of the last year). ``borrowing``: new
    INFOM borrowing the plan may decide (:class:`~nexos_model.investment.borrowing.NewBorrowing`),
    whose debt service counts against the space of its payment source; without it the
    ``prestamo_infom`` space is money like any other source. ``time_limit`` (s) and ``gap``
    (relative): when the MILP solver may stop.
    """

    weights: Mapping[str, Any] | None = None
    sector_priority: Mapping[str, Any] | None = None
    default_priority: float = PRIORIDAD_POR_DEFECTO
    scores: Mapping[str, float] | None = None
    results_targets: Mapping[str, Any] | None = None
    result_weight: float = 0.0
    om_after_horizon: bool = True
    post_horizon_room: float | None = None
    om_room: Any = None
    borrowing: NewBorrowing | None = None
    time_limit: float = 60.0
    gap: float = 1e-6


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
    (:class:`~nexos_model.investment.borrowing.NewBorrowing`).
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


#: The order in which the plan's sources pay the O&M of what is built (own revenue first: it
#: already pays the payroll; then the free shares of the aporte and IVA-PAZ). CODEDE funds and
#: loans never pay operation (their free room is 0).
OM_ORDER: tuple[str, ...] = (PROPIOS, "aporte_constitucional", "iva_paz", "codede", INFOM)


def om_room_table(om_room: Any, space: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """The free room for O&M by source and year (sources × years, ``FUENTES`` order), at most each
    source's space; ``None`` gives own revenue's whole space and nothing else."""
    if om_room is None:
        table = pd.DataFrame(0.0, index=list(FUENTES), columns=list(years))
        table.loc[PROPIOS] = space.loc[PROPIOS]
        return table
    table = fiscal_space_table(om_room, years)
    table.loc[[INFOM, "codede"]] = 0.0
    return table.clip(upper=space)


def om_capacity(om_room: np.ndarray, remaining: np.ndarray) -> np.ndarray:
    """O&M that can still be paid each year (Y,): Σ_k min(free room_k, what is left of source k)."""
    return np.minimum(np.maximum(om_room, 0.0), np.maximum(remaining, 0.0)).sum(axis=0)


def allocate_om(om: np.ndarray, om_room: np.ndarray, remaining: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The O&M of each year (Y,) paid source by source in :data:`OM_ORDER`, each from at most its
    free room (K, Y) and what is left of it (K, Y): the allocation (K, Y) and what no source can
    pay (Y,). Greedy is exact here: each source's cap is its own, so any order that fits, fits."""
    paid = np.zeros(np.shape(remaining))
    need = np.array(om, dtype=float)
    for k in (FUENTES.index(source) for source in OM_ORDER):
        take = np.minimum(need, np.maximum(np.minimum(om_room[k], remaining[k]), 0.0))
        paid[k] += take
        need = need - take
    return paid, need


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


class ProgrammeInputs(NamedTuple):
    """The inputs the optimum and the ranked fill share, checked, and the projects' scores."""

    projects: list[Project]
    years: list[int]
    space: pd.DataFrame
    borrowing: NewBorrowing | None
    targets: dict[str, Any]
    scores: np.ndarray
    score_table: pd.DataFrame
    om_room: pd.DataFrame  # free room for O&M by source and year (om_room_table)


def prepare(projects: Sequence[Project], space: Any, years: Sequence[int],
            options: ProgrammeOptions) -> ProgrammeInputs:
    """Validate the inputs the optimum and the ranked fill share, and score the projects."""
    projects = declared_om(projects)
    check_portfolio(projects)
    years = check_years(years)
    space = fiscal_space_table(space, years)
    borrowing = check_borrowing(options.borrowing, space, years)
    targets = parse_targets(options.results_targets)
    score_vec, score_table = _scores(projects, options.scores, options.weights, options.sector_priority,
                                     options.results_targets, options.default_priority)
    return ProgrammeInputs(projects, years, space, borrowing, targets, score_vec, score_table,
                           om_room_table(options.om_room, space, years))


def post_room(options: ProgrammeOptions, om_room: pd.DataFrame) -> float:
    """The free money for the O&M of everything built once the plan ends: ``post_horizon_room``,
    or the free money of the plan's last year."""
    if options.post_horizon_room is not None:
        return float(options.post_horizon_room)
    return float(om_room.iloc[:, -1].sum())


__all__ = [
    "FIT_TOLERANCE",
    "OM_ORDER",
    "allocate_om",
    "om_capacity",
    "om_room_table",
    "post_room",
    "ProgrammeInputs",
    "ProgrammeOptions",
    "check_years",
    "declared_om",
    "fiscal_space_table",
    "objective_value",
    "prepare",
    "start_years",
]
