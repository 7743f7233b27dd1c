"""The MILP against independent truth: a brute-force search over every start-year combination of
small random portfolios (every constraint checked from the tables), and an exhaustive search up
to 15 projects with shared borrowing room and strategic results."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import linprog

from nexos_model.investment.borrowing import NewBorrowing
from nexos_model.investment.inputs import ProgrammeOptions, fiscal_space_table
from nexos_model.investment.optimize import optimal_programme
from nexos_model.investment.project import FUENTES, Project
from nexos_model.investment.ranked import ranked_fill
from nexos_model.investment.verify import plan_violations
from tests.investment.support import (
    MASK_CAP,
    SUBSET,
    allowed_starts,
    assert_valid,
    brute_force,
    random_case,
    target,
)


@pytest.mark.parametrize("seed", range(10))
def test_milp_matches_brute_force_and_respects_every_constraint(seed):
    projects, space, years, scores = random_case(seed)
    expected = brute_force(projects, space, years, scores)
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores))
    assert prog.puntaje_total == pytest.approx(expected, rel=1e-6)
    assert_valid(prog, projects, fiscal_space_table(space, years), years)
    ranked = ranked_fill(projects, space, years, ProgrammeOptions(scores=scores))
    assert_valid(ranked, projects, fiscal_space_table(space, years), years)
    assert ranked.puntaje_total <= prog.puntaje_total + 1e-9
    # every unfunded project has a Spanish reason
    assert all(isinstance(r, str) and r for r in prog.no_financiados["razon"])


INFOM = FUENTES.index("prestamo_infom")


PROPIOS = FUENTES.index("propios")


def _om(p):
    return p.annual_om_cost or 0.0


def _hall_ok(choice, projects, space, years, post_room):
    """Necessary condition (exact without shared borrowing): for every set K of sources, the
    cost of the projects that can only use sources in K fits in K's space, every year."""
    cap = space.copy()
    om_total = 0.0
    for i, s in choice.items():
        om_total += _om(projects[i])
        for j, y in enumerate(years):
            if y >= s + projects[i].duration:
                cap[PROPIOS, j] -= _om(projects[i])
    if om_total > post_room + 1e-6 or (cap < -1e-6).any():
        return False
    for j, y in enumerate(years):
        demand = np.zeros(32)
        for i, s in choice.items():
            p = projects[i]
            if s <= y < s + p.duration:
                demand[sum(1 << FUENTES.index(k) for k in p.sources)] += p.total_cost * p.cost_profile[y - s]
        if (SUBSET @ demand > MASK_CAP @ cap[:, j] + 1e-6).any():
            return False
    return True


def _lp_ok(choice, projects, space, years, borrowing):
    """Exact funding feasibility as a small LP, new borrowing sharing the room while repaid."""
    cols = [(i, k, y) for i, s in choice.items() for y in range(s, s + projects[i].duration)
            for k in projects[i].sources]
    loan_years = [t for t in years if borrowing and borrowing["capacity"][t] > 0]
    n = len(cols) + len(loan_years)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for i, s in choice.items():
        for y in range(s, s + projects[i].duration):
            row = np.zeros(n)
            for c, (ii, k, yy) in enumerate(cols):
                if ii == i and yy == y:
                    row[c] = 1
            a_eq.append(row)
            b_eq.append(projects[i].total_cost * projects[i].cost_profile[y - s])
    for kk, k in enumerate(FUENTES):
        for j, y in enumerate(years):
            row = np.zeros(n)
            for c, (i, kc, yc) in enumerate(cols):
                if kc == k and yc == y:
                    row[c] = 1
            om = sum(_om(projects[i]) for i, s in choice.items() if k == "propios" and y >= s + projects[i].duration)
            a_ub.append(row)
            b_ub.append(space[kk, j] - om)
    if borrowing:
        for m, t in enumerate(loan_years):  # borrowed in t - decided money <= new loan n_t
            row = np.zeros(n)
            for c, (i, k, y) in enumerate(cols):
                if k == "prestamo_infom" and y == t:
                    row[c] = 1
            row[len(cols) + m] = -1
            a_ub.append(row)
            b_ub.append(space[INFOM, years.index(t)] - borrowing["capacity"][t])
        for y in years:
            row = np.zeros(n)
            for m, t in enumerate(loan_years):
                if t <= y < t + borrowing["term"][t]:
                    row[len(cols) + m] = 1 / borrowing["capacity"][t]
            a_ub.append(row)
            b_ub.append(1.0)
        for t in years:  # no new loan where there is no capacity
            if borrowing["capacity"][t] <= 0:
                row = np.zeros(n)
                for c, (i, k, y) in enumerate(cols):
                    if k == "prestamo_infom" and y == t:
                        row[c] = 1
                a_ub.append(row)
                b_ub.append(space[INFOM, years.index(t)])
    if not cols:
        return all(b >= -1e-6 for b in b_ub)
    res = linprog(np.zeros(n), A_ub=np.array(a_ub), b_ub=np.array(b_ub) * (1 + 1e-9) + 1e-6,
                  A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None), method="highs")
    return res.status == 0


def _objective(choice, projects, scores, targets, result_weight):
    value = sum(scores[projects[i].name] for i in choice)
    for r, t in targets.items():
        gap = abs(t["meta"] - t["linea_base"])
        if gap > 0 and result_weight > 0:
            closed = sum(projects[i].results.get(r, 0.0) / gap for i, s in choice.items()
                         if s + projects[i].duration - 1 <= t["anio_meta"])
            value += result_weight * min(1.0, closed)
    return value


def exhaustive(projects, space, years, scores, *, post_room=None, borrowing=None, targets=None, result_weight=0.0):
    """Best objective over every selection × start year: depth-first over projects, pruning
    a branch when its projects already break a rule that more projects cannot repair (money,
    exclusive groups, mandatory left out) or when even every remaining project cannot beat
    the best found; each complete candidate that would improve is checked exactly (LP)."""
    targets = targets or {}
    post_room = space[PROPIOS, -1] if post_room is None else post_room
    names = {p.name: i for i, p in enumerate(projects)}
    options = [([] if p.mandatory else [None]) + allowed_starts(p, years) for p in projects]
    bound = np.cumsum([max(scores[p.name], 0) for p in projects][::-1])[::-1].tolist() + [0.0]
    extra = result_weight * len(targets)
    best = [-np.inf]

    def visit(i, choice, groups, score):
        if score + bound[i] + extra <= best[0] + 1e-12:
            return
        if i == len(projects):
            for k, s in choice.items():
                for dep in projects[k].depends_on:
                    a = names[dep]
                    if a not in choice or choice[a] + projects[a].duration > s:
                        return
            value = _objective(choice, projects, scores, targets, result_weight)
            if value > best[0] + 1e-12 and _lp_ok(choice, projects, space, years, borrowing):
                best[0] = value
            return
        for s in options[i]:
            if s is None:
                visit(i + 1, choice, groups, score)
                continue
            g = projects[i].exclusive_group
            if g and g in groups:
                continue
            trial = {**choice, i: s}
            if _hall_ok(trial, projects, space, years, post_room):
                visit(i + 1, trial, groups | ({g} if g else set()), score + scores[projects[i].name])

    visit(0, {}, frozenset(), 0.0)
    return best[0]


def big_case(seed: int, n: int):
    """``n`` projects over 3-4 years: windows, 1-3 year profiles, 1-3 sources, O&M, two
    dependencies, an exclusive group of three, a mandatory project and strategic results."""
    rng = np.random.default_rng(1000 + seed)
    years = list(range(2026, 2026 + int(rng.choice([3, 4]))))
    items = []
    for i in range(n):
        duration = int(rng.choice([1, 1, 2, 3 if len(years) == 4 else 2]))
        latest = years[-1] - duration + 1
        lo = int(rng.integers(years[0], latest + 1))
        hi = int(min(latest, lo + rng.integers(0, 2)))
        profile = None
        if duration > 1:
            raw = rng.uniform(0.2, 1.0, size=duration)
            profile = list(raw / raw.sum())
            profile[-1] = 1 - sum(profile[:-1])
        cost = float(rng.integers(20, 120)) * 1000
        items.append(dict(nombre=f"P{i:02d}", sector="agua", costo_total=cost, duracion=duration,
                          perfil_costo=profile, inicio_minimo=lo, inicio_maximo=hi,
                          fuentes=list(rng.choice(FUENTES, size=int(rng.integers(1, 4)), replace=False)),
                          costo_operacion_anual=round(cost * float(rng.uniform(0.0, 0.05)))))
    items[0].update(inicio_minimo=years[0], inicio_maximo=years[0], duracion=1, perfil_costo=None)
    items[1].update(depende_de=["P00"], inicio_minimo=years[1], inicio_maximo=years[-1] - items[1]["duracion"] + 1)
    items[3]["depende_de"] = ["P02"]
    for j in (4, 5, 6):
        items[j]["grupo_exclusivo"] = "sitio"
    items[7].update(obligatorio=True, fuentes=["aporte_constitucional", "propios"], costo_total=15000.0,
                    inicio_minimo=None, inicio_maximo=None)
    for j in (8, 9, 10):
        items[j]["resultados"] = {"agua": float(rng.integers(20, 70))}
    items[11]["resultados"] = {"vial": 5.0}
    projects = [Project(**p) for p in items]
    total = sum(p.total_cost for p in projects)
    space = rng.uniform(0.05, 0.3, size=(len(FUENTES), len(years))) * total / len(years)
    space[PROPIOS] += 0.06 * total
    scores = {p.name: float(rng.uniform(0.05, 1.0)) for p in projects}
    targets = {"agua": {"linea_base": 0, "meta": 100, "anio_meta": years[-1]},
               "vial": {"linea_base": 10, "meta": 0, "anio_meta": years[-1]}}  # a target below the baseline
    return projects, space, years, scores, targets


def _targets_for_model(targets):
    return {r: target(linea_base=t["linea_base"], meta=t["meta"], anio_meta=t["anio_meta"]) for r, t in targets.items()}


@pytest.mark.parametrize("seed,n", [(0, 12), (1, 13), (2, 14), (3, 15), (4, 15)])
def test_milp_equals_exhaustive_search_up_to_15_projects(seed, n):
    projects, space, years, scores, _ = big_case(seed, n)
    expected = exhaustive(projects, space, years, scores)
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores))
    assert prog.objetivo == pytest.approx(expected, rel=1e-6)
    assert plan_violations(prog, projects, space, years) == []
    ranked = ranked_fill(projects, space, years, ProgrammeOptions(scores=scores))
    assert plan_violations(ranked, projects, space, years) == []
    assert ranked.objetivo <= prog.objetivo + 1e-9


@pytest.mark.parametrize("seed", [5, 9, 10, 13])
def test_milp_equals_exhaustive_search_with_shared_borrowing_room_and_results(seed):
    projects, space, years, scores, targets = big_case(seed, 13)
    # every project may borrow; loans last 2 years, so loans of consecutive years share the room
    projects = [p.model_copy(update={"sources": tuple(dict.fromkeys(p.sources + ("prestamo_infom",)))})
                for p in projects]
    space[:INFOM] *= 0.5
    space[INFOM] = 0.3 * sum(p.total_cost for p in projects) / len(years)
    capacity = {y: 0.9 * space[INFOM, j] for j, y in enumerate(years)}  # the rest: a loan already decided
    term = {y: 2 for y in years}
    expected = exhaustive(projects, space, years, scores, borrowing={"capacity": capacity, "term": term},
                          targets=targets, result_weight=0.7)
    borrowing = NewBorrowing(capacity, term)
    model_targets = _targets_for_model(targets)
    options = ProgrammeOptions(scores=scores, borrowing=borrowing, results_targets=model_targets, result_weight=0.7)
    prog = optimal_programme(projects, space, years, options)
    assert prog.objetivo == pytest.approx(expected, rel=1e-6)
    assert plan_violations(prog, projects, space, years, ProgrammeOptions(borrowing=borrowing)) == []
    # in these cases the shared room binds: borrowing every year to the full capacity would be worth more
    unshared = optimal_programme(projects, space, years, replace(options, borrowing=None))
    assert unshared.objetivo > prog.objetivo + 1e-6
    assert plan_violations(unshared, projects, space, years, ProgrammeOptions(borrowing=borrowing)) != []
    ranked = ranked_fill(projects, space, years, options)
    assert plan_violations(ranked, projects, space, years, ProgrammeOptions(borrowing=borrowing)) == []
    assert ranked.objetivo <= prog.objetivo + 1e-9
