"""The MILP of the multi-year investment programme (POM), solved with ``scipy.optimize.milp`` (HiGHS).

:func:`~nexos_model.investment.optimize.optimal_programme` solves it; the formulation:

Variables
    ``x[p, s]`` ∈ {0, 1}: project p starts in year s, for s in its window
    (``inicio_minimo <= s <= inicio_maximo``) such that it finishes within the horizon
    (``s + duracion - 1 <= last year``).
    ``f[p, k, y]`` >= 0 (Q): money of eligible source k paying project p in year y.
    ``z[r]`` ∈ [0, 1] (only with ``result_weight > 0``): share of result r's gap closed.

Constraints
    one start           Σ_s x[p, s] <= 1  (= 1 when ``obligatorio``)
    full funding        Σ_k f[p, k, y] = Σ_s costo_total_p × perfil_p[y - s] × x[p, s]
    O&M paid            Σ_k o[k, y] = Σ_p O&M_p × Σ_{s: s + duracion_p <= y} x[p, s],  0 <= o[k, y] <= libre[k, y]
                        (O&M starts the year after the project ends and is paid from the free
                        money of each source, ``om_room``: own revenue, the free shares of the
                        aporte and IVA-PAZ; by default own revenue's whole space)
    space by source     Σ_p f[p, k, y] + o[k, y] + [k = pago] × Σ_t n_t × s_t(y) <= espacio[k, y]
                        (the new loans' debt service is paid from ``deuda.fuente_pago``: the plan
                        never invests money its own loans must repay)
    O&M after horizon   Σ_p O&M_p × Σ_s x[p, s] <= room after the plan
                        (``om_after_horizon``: the plan stays affordable once built; the room
                        is ``post_horizon_room``, by default the free money of the last year,
                        i.e. assuming it stays at that level)
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

A project with no declared O&M (``costo_operacion_anual`` absent) counts 0 here;
:func:`nexos_model.investment.plan.plan_investment` estimates it first from the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from nexos_model.investment.borrowing import being_repaid
from nexos_model.investment.inputs import start_years
from nexos_model.investment.project import FUENTES, INFOM, PROPIOS
from nexos_model.investment.targets import counted_by


@dataclass
class MilpModel:
    """The MILP as scipy takes it, and where each project's variables are (``x``: starts,
    ``f``: funding by source and year, ``z``: results), in units of ``unit`` quetzales."""

    c: np.ndarray
    constraints: list[LinearConstraint]
    integrality: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    x_index: dict[tuple[int, int], int]
    f_index: dict[tuple[int, str, int], int]
    z_index: dict[str, int]
    unit: float


def build_model(projects, scores, space, years, om_after_horizon, targets, result_weight,
                 post_room=None, borrowing=None, om_room=None) -> MilpModel:
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
    free = (np.zeros_like(cap) if om_room is None else np.asarray(om_room, dtype=float) / unit)
    if om_room is None:
        free[FUENTES.index(PROPIOS)] = cap[FUENTES.index(PROPIOS)]
    om_sources = [kk for kk in range(len(FUENTES)) if free[kk].max() > 0]
    o_index: dict[tuple[int, int], int] = {}
    for kk in om_sources:
        for j in range(len(years)):
            o_index[(kk, j)] = n_var + len(o_index)
    n_var += len(o_index)
    kk_loan = FUENTES.index(INFOM)
    n_index: dict[int, int] = {}
    if borrowing is not None:
        for t in years:
            has_loan = any(k == INFOM and yf == t for (_, k, yf) in f_index)
            if has_loan and borrowing.capacity[t] > 0:
                n_index[t] = n_var + len(n_index)
        n_var += len(n_index)
    pay = FUENTES.index(borrowing.payment_source) if borrowing is not None and \
        borrowing.payment_source in FUENTES else None

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
    # O&M of the projects finished before each year, paid from the sources' free money
    for j, y in enumerate(years):
        entries = [(col, -projects[i].annual_om_cost / unit) for (i, s), col in x_index.items()
                   if projects[i].annual_om_cost > 0 and s + projects[i].duration <= y]
        if entries:
            add(entries + [(o_index[(kk, j)], 1.0) for kk in om_sources], 0.0, 0.0)
    # space by source and year: investment, O&M and the new loans' debt service
    for kk, k in enumerate(FUENTES):
        for j, y in enumerate(years):
            entries = [(col, 1.0) for (i, kf, yf), col in f_index.items() if kf == k and yf == y]
            if (kk, j) in o_index:
                entries.append((o_index[(kk, j)], 1.0))
            if kk == pay:
                entries += [(col, borrowing.service_share(t, y)) for t, col in n_index.items()
                            if borrowing.service_share(t, y) > 0]
            if entries:
                add(entries, -np.inf, cap[kk, j])
    if om_after_horizon:
        room = free[:, -1].sum() if post_room is None else post_room / unit
        entries = [(col, projects[i].annual_om_cost / unit) for (i, s), col in x_index.items()
                   if projects[i].annual_om_cost > 0]
        if entries:
            add(entries, -np.inf, room)
    # new loans of several years share the debt-service room while they are repaid
    if borrowing is not None:
        for t, n_col in n_index.items():
            cols_t = [col for (i, k, yf), col in f_index.items() if k == INFOM and yf == t]
            decided = max(cap[kk_loan, y_index[t]] - borrowing.capacity[t] / unit, 0.0)
            add([(col, 1.0) for col in cols_t] + [(n_col, -1.0)], -np.inf, decided)
        for y in years:
            entries = [(col, unit / borrowing.capacity[t]) for t, col in n_index.items()
                       if being_repaid(t, y, borrowing)]
            if entries:
                add(entries, -np.inf, 1.0)
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
    for (kk, j), col in o_index.items():
        upper[col] = max(free[kk, j], 0.0)
    constraints = [LinearConstraint(matrix, np.array(lo), np.array(hi))] if row else []
    return MilpModel(c, constraints, integrality, lower, upper, x_index, f_index, z_index, unit)


def solve(model: MilpModel, time_limit: float, gap: float, lower=None, upper=None, integer=True):
    return milp(
        model.c,
        constraints=model.constraints,
        integrality=model.integrality if integer else None,
        bounds=Bounds(model.lower if lower is None else lower, model.upper if upper is None else upper),
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )


def fits_together(projects, required: set[str], space, years, om_after_horizon, post_room=None,
                    borrowing=None, om_room=None) -> bool:
    """Whether the projects in ``required`` fit together (all forced, others left out)."""
    subset = [
        p.model_copy(update={"mandatory": True, "depends_on": tuple(d for d in p.depends_on if d in required)})
        for p in projects
        if p.name in required
    ]
    if any(not start_years(p, years) for p in subset):
        return False
    model = build_model(subset, np.ones(len(subset)), space, years, om_after_horizon, {}, 0.0,
                         post_room, borrowing, om_room)
    res = solve(model, 30.0, 1e-4)
    return res.status in (0, 1) and res.x is not None


__all__ = ["MilpModel", "build_model", "fits_together", "solve"]
