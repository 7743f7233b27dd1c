"""The optimal multi-year investment programme (POM) and its first year (POA), beside the ranked fill.

:func:`optimal_programme` solves the MILP of :mod:`nexos_model.investment.milp`, re-solves the
funding as an LP with the starts fixed (so money adds up exactly) and explains in Spanish why
the mandatory projects do not fit when they do not (:mod:`nexos_model.investment.reasons`).
:func:`compare_methods` puts it beside the spreadsheet method
(:mod:`nexos_model.investment.ranked`) on the same checked inputs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from nexos_model.errors import NexosError, ParameterError
from nexos_model.investment.inputs import (
    ProgrammeInputs,
    ProgrammeOptions,
    objective_value,
    post_room,
    prepare,
    start_years,
)
from nexos_model.investment.milp import build_model, solve
from nexos_model.investment.programme import Comparison, Programme, build_programme
from nexos_model.investment.project import Project
from nexos_model.investment.ranked import ranked_programme
from nexos_model.investment.reasons import infeasible_error


def optimal_programme(projects: Sequence[Project], space: Any, years: Sequence[int],
                      options: ProgrammeOptions = ProgrammeOptions()) -> Programme:
    """The objective-maximising multi-year programme (see :mod:`nexos_model.investment.milp`).

    ``space``: fiscal space by source and year (see
    :func:`~nexos_model.investment.inputs.fiscal_space_table`); ``options``: scores, results,
    O&M after the plan, new borrowing and the solver's limits
    (:class:`~nexos_model.investment.inputs.ProgrammeOptions`).
    Raises ParameterError with a Spanish explanation if the mandatory projects do not fit,
    NexosError if the solver stops without any programme (time limit).
    """
    return optimum(prepare(projects, space, years, options), options)


def optimum(inputs: ProgrammeInputs, options: ProgrammeOptions) -> Programme:
    """:func:`optimal_programme` of inputs already prepared."""
    projects, years, space, borrowing, targets, score_vec, score_table, om_room = inputs
    result_weight, om_after_horizon = options.result_weight, options.om_after_horizon
    time_limit, gap, after = options.time_limit, options.gap, post_room(options, om_room)
    if result_weight < 0:
        raise ParameterError(f"peso_resultados: valor dado {result_weight!r} (se esperaba: >= 0)")
    t0 = time.perf_counter()
    if any(p.mandatory and not start_years(p, years) for p in projects):
        raise infeasible_error(inputs, options)
    model = build_model(projects, score_vec, space, years, om_after_horizon, targets, result_weight,
                         after, borrowing, om_room.to_numpy(dtype=float))
    res = solve(model, time_limit, gap)
    if res.status == 2:
        raise infeasible_error(inputs, options)
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
    lp = solve(model, time_limit, gap, lower, upper, integer=False)
    values = lp.x if lp.x is not None else res.x
    starts = {projects[i].name: s for (i, s), col in model.x_index.items() if x[col] > 0.5}
    funding = {}
    for (i, k, y), col in model.f_index.items():
        amount = max(float(values[col]), 0.0) * model.unit
        if projects[i].name in starts and amount > 1e-9 * model.unit:
            funding[(projects[i].name, k, y)] = amount
    objective = objective_value(starts, projects, score_vec, targets, result_weight)
    mip_gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return build_programme(
        "optimo", projects, score_vec, score_table, starts, funding, space, years,
        om_after_horizon, objective, estado, time.perf_counter() - t0, after, borrowing, mip_gap, om_room,
    )


def compare_methods(projects: Sequence[Project], space: Any, years: Sequence[int],
                    options: ProgrammeOptions = ProgrammeOptions()) -> Comparison:
    """Optimal programme and ranked fill on the same inputs, checked and scored once; gain =
    (óptimo / orden - 1) × 100 on the objective (Σ puntaje, plus the results term when
    ``options.result_weight`` > 0)."""
    inputs = prepare(projects, space, years, options)
    best = optimum(inputs, options)
    ranked = ranked_programme(inputs, options)
    gain = (
        100.0 * (best.objetivo / ranked.objetivo - 1.0)
        if ranked.objetivo > 0
        else float("inf") if best.objetivo > 0 else 0.0
    )
    return Comparison(best, ranked, gain)


__all__ = ["compare_methods", "optimal_programme", "optimum"]
