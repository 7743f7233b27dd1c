"""Helpers of the investment tests: projects and settings in a line, small plans, and the
independent truth the MILP is held to (a brute-force search over every combination of starts,
and a checker of every constraint written from the tables alone)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.optimize import optimal_programme
from nexos_model.investment.project import FUENTES, Project
from nexos_model.params.loader import load_parameters


def project(name, cost, duration=1, sources=("propios",), **extra) -> Project:
    return Project(nombre=name, sector=extra.pop("sector", "agua"), costo_total=cost, duracion=duration,
                   fuentes=list(sources), **extra)


def settings(**changes):
    """The default ``inversion`` settings with some keys changed (Spanish keys)."""
    overrides = {f"inversion.{k}": v for k, v in changes.items()}
    return load_parameters(None, None, overrides).params.investment


def target(**values) -> dict:
    base = {"indicador": "Hogares con agua", "unidad": "hogares", "anio_base": 2025, "linea_base": 0,
            "anio_meta": 2030, "meta": 100}
    return {**base, **values}


def small_plan():
    years = [2026, 2027]
    projects = [
        project("Estudio", 30, inicio_minimo=2026, inicio_maximo=2026),
        project("Camino", 60, depende_de=["Estudio"]),
        project("Mercado A", 70, grupo_exclusivo="mercado"),
        project("Mercado B", 65, grupo_exclusivo="mercado"),
        project("Escuela", 40, costo_operacion_anual=50, obligatorio=True),
    ]
    space = {"propios": {2026: 100, 2027: 100}}
    scores = {"Estudio": 0.1, "Camino": 1.0, "Mercado A": 0.9, "Mercado B": 0.8, "Escuela": 0.7}
    return projects, space, years, optimal_programme(projects, space, years, ProgrammeOptions(scores=scores))


# --------------------------------------------------------------------------- brute force


TOL = 1e-6


def allowed_starts(p: Project, years: list[int]) -> list[int]:
    lo = p.earliest_start if p.earliest_start is not None else years[0]
    hi = p.latest_start if p.latest_start is not None else years[-1]
    return [s for s in range(max(lo, years[0]), min(hi, years[-1]) + 1) if s + p.duration - 1 <= years[-1]]


# SUBSET[K, m]: source set m is contained in source set K (bit masks over the 5 sources)
SUBSET = np.array([[(m & ~K) == 0 for m in range(32)] for K in range(32)], dtype=float)


MASK_CAP = np.array([[(K >> i) & 1 for i in range(5)] for K in range(32)], dtype=float)


def _fits(choice: dict[int, int], projects, space: np.ndarray, years, om_after) -> bool:
    """Exact funding feasibility (Gale/Hall): for every set K of sources, the cost of the
    projects that can only use sources in K fits in the space of K, in every year."""
    propios = FUENTES.index("propios")
    cap = space.copy()
    post = 0.0
    for i, s in choice.items():
        p = projects[i]
        post += p.annual_om_cost
        for j, y in enumerate(years):
            if y >= s + p.duration:
                cap[propios, j] -= p.annual_om_cost
    if om_after and post > space[propios, -1] + 1e-9:  # O&M after the horizon
        return False
    if (cap < -1e-9).any():
        return False
    for j, y in enumerate(years):
        demand = np.zeros(32)
        for i, s in choice.items():
            p = projects[i]
            if s <= y < s + p.duration:
                mask = sum(1 << FUENTES.index(k) for k in p.sources)
                demand[mask] += p.total_cost * p.cost_profile[y - s]
        if (SUBSET @ demand > MASK_CAP @ cap[:, j] + 1e-6).any():
            return False
    return True


def brute_force(projects, space: np.ndarray, years, scores, om_after=True) -> float:
    """Best total score over every selection × start year (depth-first, pruning on the
    constraints that only get harder as projects are added: space and exclusivity)."""
    options = [[None] + allowed_starts(p, years) for p in projects]
    best = -np.inf

    def leaf_ok(choice):
        for i, p in enumerate(projects):
            if p.mandatory and i not in choice:
                return False
        names = {p.name: i for i, p in enumerate(projects)}
        for i, s in choice.items():
            for dep in projects[i].depends_on:
                a = names[dep]
                if a not in choice or choice[a] + projects[a].duration > s:
                    return False
        return True

    def visit(i, choice, groups):
        nonlocal best
        if i == len(projects):
            if leaf_ok(choice):
                best = max(best, sum(scores[projects[k].name] for k in choice))
            return
        for s in options[i]:
            if s is None:
                visit(i + 1, choice, groups)
                continue
            g = projects[i].exclusive_group
            if g and g in groups:
                continue
            trial = {**choice, i: s}
            if not _fits(trial, projects, space, years, om_after):
                continue
            visit(i + 1, trial, groups | ({g} if g else set()))

    visit(0, {}, frozenset())
    return best


def assert_valid(prog, projects, space_table: pd.DataFrame, years, om_after=True):
    by = {p.name: p for p in projects}
    starts = prog.starts
    scale = max(1.0, float(space_table.to_numpy().max()))
    fin = prog.financiamiento
    # every selected project fully funded each year, only from its eligible sources
    for name, s in starts.items():
        p = by[name]
        assert p.earliest_start is None or s >= p.earliest_start
        assert p.latest_start is None or s <= p.latest_start
        assert years[0] <= s and s + p.duration - 1 <= years[-1]
        rows = fin[fin["proyecto"] == name]
        assert set(rows["fuente"]) <= set(p.sources)
        for t in range(p.duration):
            paid = rows.loc[rows["anio"] == s + t, "monto"].sum()
            assert paid == pytest.approx(p.total_cost * p.cost_profile[t], rel=1e-6, abs=TOL * scale)
        assert set(rows["anio"]) <= set(range(s, s + p.duration))
    assert set(fin["proyecto"]) <= set(starts)
    # no source over its space in any year, O&M of finished projects charged to propios
    for k in FUENTES:
        for y in years:
            used = fin.loc[(fin["fuente"] == k) & (fin["anio"] == y), "monto"].sum()
            if k == "propios":
                used += sum(by[n].annual_om_cost for n, s in starts.items() if y >= s + by[n].duration)
            assert used <= space_table.loc[k, y] + TOL * scale, (k, y, used)
    if om_after:
        om = sum(by[n].annual_om_cost for n in starts)
        assert om <= space_table.loc["propios", years[-1]] + TOL * scale
    for name, s in starts.items():
        for dep in by[name].depends_on:
            assert dep in starts and starts[dep] + by[dep].duration <= s
    groups = [by[n].exclusive_group for n in starts if by[n].exclusive_group]
    assert len(groups) == len(set(groups))
    for p in projects:
        if p.mandatory:
            assert p.name in starts


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    n_years = int(rng.choice([3, 4]))
    years = list(range(2026, 2026 + n_years))
    n = int(rng.integers(5, 8 if n_years == 3 else 7))
    projects = []
    for i in range(n):
        duration = int(rng.integers(1, 3))
        lo = int(rng.integers(years[0], years[-1] + 1))
        hi = int(rng.integers(lo, years[-1] + 1))
        sources = list(rng.choice(FUENTES, size=int(rng.integers(1, 3)), replace=False))
        profile = None
        if duration == 2:
            a = float(rng.uniform(0.2, 0.8))
            profile = [a, 1 - a]
        cost = float(rng.integers(10, 100)) * 1000
        projects.append(dict(nombre=f"P{i}", sector="agua", costo_total=cost, duracion=duration,
                             perfil_costo=profile, inicio_minimo=lo, inicio_maximo=hi, fuentes=sources,
                             costo_operacion_anual=round(cost * float(rng.uniform(0.02, 0.05)))))
    if n >= 4:
        projects[1]["depende_de"] = ["P0"]
        projects[0]["inicio_minimo"] = years[0]
        projects[2]["grupo_exclusivo"] = "g"
        projects[3]["grupo_exclusivo"] = "g"
    projects = [Project(**p) for p in projects]
    total = sum(p.total_cost for p in projects)
    space = rng.uniform(0.0, 0.35, size=(len(FUENTES), n_years)) * total / n_years * 2
    space[FUENTES.index("propios")] += 0.08 * total  # room for some O&M
    scores = {p.name: float(rng.uniform(0.1, 1.0)) for p in projects}
    return projects, space, years, scores
