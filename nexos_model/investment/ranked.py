"""The ranked fill: the spreadsheet method the optimum is compared with.

Mandatory projects first, then by score descending, each at its earliest start where it fits
the remaining space (its O&M from the free money, the new loans' debt service from their payment
source, and the borrowing room included), funded greedily in its ``fuentes`` order; a project
that fits in no year is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from nexos_model.investment.borrowing import NewBorrowing, loan_room, new_loan_service
from nexos_model.investment.inputs import (
    FIT_TOLERANCE,
    ProgrammeInputs,
    ProgrammeOptions,
    allocate_om,
    objective_value,
    post_room,
    prepare,
    start_years,
)
from nexos_model.investment.programme import Programme, build_programme
from nexos_model.investment.project import FUENTES, INFOM, Project


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
    projects, years, space, borrowing, targets, score_vec, score_table, om_room = inputs
    om_after_horizon = options.om_after_horizon
    t0 = time.perf_counter()
    k_index = {k: i for i, k in enumerate(FUENTES)}
    i_loan = k_index[INFOM]
    cap = space.to_numpy(dtype=float)
    room = om_room.to_numpy(dtype=float)
    pay = k_index.get(borrowing.payment_source) if borrowing is not None else None

    def left(invest: np.ndarray, om: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What is left of each source (K, Y) after the investment, the new loans' debt service and
        the O&M (paid from the free money), and the O&M no source can pay (Y,)."""
        base = cap - invest
        if pay is not None:
            base[pay] -= new_loan_service(cap[i_loan], invest[i_loan], years, borrowing)
        paid, short = allocate_om(om, room, base)
        return base - paid, short

    invest = np.zeros_like(cap)
    om_total = np.zeros(len(years))
    remaining, _ = left(invest, om_total)
    cap_loan = cap[i_loan].copy()
    after = post_room(options, om_room)
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
        tolerance = FIT_TOLERANCE * max(p.annual_om_cost, 1.0)
        if om_after_horizon and p.annual_om_cost > after + tolerance:
            continue
        ready = max((starts[d] + by_name[d].duration for d in p.depends_on), default=years[0])
        for s in (s for s in start_years(p, years) if s >= ready):
            funded = _greedy_funding(p, s, remaining, cap_loan, invest[i_loan], years, borrowing)
            if funded is None:
                continue
            _, _, plan = funded
            trial_invest = invest.copy()
            for (_, k, y), amount in plan.items():
                trial_invest[k_index[k], years.index(y)] += amount
            trial_om = om_total + np.array([p.annual_om_cost if y >= s + p.duration else 0.0 for y in years])
            trial_left, short = left(trial_invest, trial_om)
            scale = FIT_TOLERANCE * max(p.total_cost, 1.0)
            others = np.delete(trial_left, i_loan, axis=0)
            if short.max(initial=0.0) > tolerance or others.min(initial=0.0) < -scale:
                continue
            invest, om_total, remaining = trial_invest, trial_om, trial_left
            after -= p.annual_om_cost
            starts[p.name] = s
            funding.update(plan)
            if p.exclusive_group:
                taken_groups.add(p.exclusive_group)
            break
    objective = objective_value(starts, projects, score_vec, targets, options.result_weight)
    return build_programme(
        "orden", projects, score_vec, score_table, starts, funding, space, years,
        om_after_horizon, objective, "heurística", time.perf_counter() - t0, post_room(options, om_room), borrowing,
        om_room=om_room,
    )


__all__ = ["ranked_fill", "ranked_programme"]
