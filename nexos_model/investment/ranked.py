"""The ranked fill: the spreadsheet method the optimum is compared with.

Mandatory projects first, then by score descending, each at its earliest start where it fits
the remaining space (O&M and borrowing included), funded greedily in its ``fuentes`` order; a
project that fits in no year is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from nexos_model.investment.borrowing import NewBorrowing, loan_room
from nexos_model.investment.inputs import (
    FIT_TOLERANCE,
    ProgrammeInputs,
    ProgrammeOptions,
    objective_value,
    prepare,
    start_years,
)
from nexos_model.investment.programme import Programme, build_programme
from nexos_model.investment.project import FUENTES, INFOM, PROPIOS, Project


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
        if need > FIT_TOLERANCE * max(amount, 1.0):
            return None
    return trial, used, plan


def ranked_fill(projects: Sequence[Project], space: Any, years: Sequence[int],
                options: ProgrammeOptions = ProgrammeOptions()) -> Programme:
    """The spreadsheet method: by score descending (mandatory first), each project at the
    earliest start where it fits what is left (O&M and borrowing room included), funded
    greedily in its ``fuentes`` order; a project that fits in no year is skipped.

    ``options.result_weight`` only values the result (``objetivo``) the same way as the optimum,
    so the two can be compared; it does not change the order. ``time_limit`` and ``gap`` do not
    apply.
    """
    return ranked_programme(prepare(projects, space, years, options), options)


def ranked_programme(inputs: ProgrammeInputs, options: ProgrammeOptions) -> Programme:
    """:func:`ranked_fill` of inputs already prepared."""
    projects, years, space, borrowing, targets, score_vec, score_table = inputs
    om_after_horizon, post_horizon_room = options.om_after_horizon, options.post_horizon_room
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
        if om_after_horizon and p.annual_om_cost > post_room + FIT_TOLERANCE * max(p.annual_om_cost, 1.0):
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
                if trial[k_index[PROPIOS]].min() < -FIT_TOLERANCE * max(p.annual_om_cost, 1.0):
                    continue
            remaining, used_loan = trial, used
            post_room -= p.annual_om_cost
            starts[p.name] = s
            funding.update(plan)
            if p.exclusive_group:
                taken_groups.add(p.exclusive_group)
            break
    objective = objective_value(starts, projects, score_vec, targets, options.result_weight)
    return build_programme(
        "orden", projects, score_vec, score_table, starts, funding, space, years,
        om_after_horizon, objective, "heurística", time.perf_counter() - t0, post_horizon_room, borrowing,
    )


__all__ = ["ranked_fill", "ranked_programme"]
