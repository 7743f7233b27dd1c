"""Investment programming: portfolio validation, the MILP vs brute force, ranked fill."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nexos_model.errors import NexosError, ParameterError
from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.project import FUENTES, Project
from nexos_model.investment.optimize import compare_methods, optimal_programme
from nexos_model.investment.inputs import fiscal_space_table
from nexos_model.io.portfolio import illustrative_portfolio_for
from nexos_model.io.portfolio import load_portfolio
from nexos_model.investment.ranked import ranked_fill
from nexos_model.investment.scoring import score_projects
from nexos_model.investment.progress import strategic_progress
from nexos_model.investment.illustrative import ILLUSTRATIVE_PREFIX
from nexos_model.io.portfolio import portfolio_to_yaml

TOL = 1e-6


def project(name, cost, duration=1, sources=("propios",), **extra) -> Project:
    return Project(nombre=name, sector=extra.pop("sector", "agua"), costo_total=cost, duracion=duration,
                   fuentes=list(sources), **extra)


# --------------------------------------------------------------------------- brute force


def _allowed_starts(p: Project, years: list[int]) -> list[int]:
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
    options = [[None] + _allowed_starts(p, years) for p in projects]
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


# --------------------------------------------------------------------------- invariants


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


def test_mandatory_project_is_always_programmed():
    projects, space, years, scores = random_case(3)
    cheap = min(projects, key=lambda p: p.total_cost)
    projects = [p.model_copy(update={"mandatory": True}) if p is cheap else p for p in projects]
    space = space + 0.0
    space[FUENTES.index(cheap.sources[0])] += cheap.total_cost
    expected = brute_force(projects, space, years, scores)
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores))
    assert cheap.name in prog.starts
    assert prog.puntaje_total == pytest.approx(expected, rel=1e-6)


# --------------------------------------------------------------------------- hand cases


def test_hand_case_dependency_exclusive_om_and_poa():
    """Two years, Q100 of propios per year. The road (Q60, score 1) needs the study first."""
    years = [2026, 2027]
    projects = [
        project("Estudio", 30, inicio_minimo=2026, inicio_maximo=2026),
        project("Camino", 60, depende_de=["Estudio"]),
        project("Mercado A", 70, grupo_exclusivo="mercado"),
        project("Mercado B", 65, grupo_exclusivo="mercado"),
        project("Escuela", 40, costo_operacion_anual=50),
    ]
    space = {"propios": {2026: 100, 2027: 100}}
    scores = {"Estudio": 0.1, "Camino": 1.0, "Mercado A": 0.9, "Mercado B": 0.8, "Escuela": 0.7}
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores))
    # 2026: Estudio 30 + Mercado A 70; 2027: Camino 60 + Escuela 40 (its O&M starts after 2027,
    # and 50 <= 100 of propios after the horizon)
    assert prog.starts == {"Estudio": 2026, "Mercado A": 2026, "Camino": 2027, "Escuela": 2027}
    assert prog.puntaje_total == pytest.approx(2.7)
    reasons = dict(zip(prog.no_financiados["proyecto"], prog.no_financiados["razon"]))
    assert "excluyente con 'Mercado A'" in reasons["Mercado B"]
    assert set(prog.poa["proyecto"]) == {"Estudio", "Mercado A"}
    assert prog.poa["total"].sum() == pytest.approx(100)
    assert prog.operacion.set_index("anio").loc[2027, "operacion_nueva"] == 0
    # ranked fill: Camino first, but its dependency is not yet chosen -> skipped
    ranked = ranked_fill(projects, space, years, ProgrammeOptions(scores=scores))
    assert "Camino" not in ranked.starts
    assert ranked.puntaje_total < prog.puntaje_total


def test_om_reduces_later_propios_space():
    years = [2026, 2027]
    projects = [
        project("Planta", 50, costo_operacion_anual=60, inicio_maximo=2026),
        project("Parque", 50, inicio_minimo=2027),
    ]
    space = {"propios": {2026: 100, 2027: 100}}
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores={"Planta": 1, "Parque": 1}, om_after_horizon=False))
    # Planta's O&M (60 in 2027) leaves 40 < 50 for Parque
    assert set(prog.starts) == {"Planta"}
    reason = prog.no_financiados.set_index("proyecto").loc["Parque", "razon"]
    assert "2027" in reason and "propios" in reason


def test_infeasible_mandatory_is_explained_in_spanish():
    years = [2026, 2027]
    projects = [
        project("Hospital", 500, sources=("codede",), obligatorio=True),
        project("Puesto", 10),
    ]
    with pytest.raises(ParameterError) as err:
        optimal_programme(projects, {"codede": [100, 100], "propios": [50, 50]}, years)
    text = str(err.value)
    assert "obligatorio 'Hospital' no cabe por sí solo" in text
    assert "codede" in text and "HiGHS" not in text and "status" not in text.lower()


def test_mandatory_projects_that_do_not_fit_together():
    years = [2026]
    projects = [project("A", 80, obligatorio=True), project("B", 80, obligatorio=True)]
    with pytest.raises(NexosError) as err:
        optimal_programme(projects, {"propios": [100]}, years)
    assert "juntos" in str(err.value) and "'A'" in str(err.value)


def test_mandatory_outside_window_is_explained():
    with pytest.raises(ParameterError) as err:
        optimal_programme([project("Relleno", 10, duration=3, obligatorio=True)], {"propios": [100, 100]},
                          [2026, 2027])
    assert "fuera de su ventana" in str(err.value)


def test_scores_each_criterion():
    projects = [
        project("A", 100, alineacion=5, beneficiarios=100, sector="agua", resultados={"agua": 50}),
        project("B", 1000, alineacion=0, beneficiarios=10, sector="vial"),
    ]
    table = score_projects(projects, {"alineacion": 0.5, "costo_por_beneficiario": 0.5},
                           sector_priority={"agua": 1.0})
    a, b = table.set_index("proyecto").loc["A"], table.set_index("proyecto").loc["B"]
    assert a["puntaje"] == pytest.approx(1.0) and b["puntaje"] == pytest.approx(0.0)
    assert a["indice_prioridad_sector"] == 1.0 and b["indice_prioridad_sector"] == 0.5
    with pytest.raises(ParameterError, match="criterio desconocido"):
        score_projects(projects, {"belleza": 1})


def test_strategic_progress_against_linear_path():
    years = [2026, 2027]
    projects = [project("Agua", 50, duration=2, resultados={"cobertura_agua": 400}),
                project("Pozo", 100, resultados={"cobertura_agua": 100})]
    prog = optimal_programme(projects, {"propios": [50, 50]}, years, ProgrammeOptions(scores={"Agua": 1, "Pozo": 1}))
    target = {"indicador": "Hogares con agua", "unidad": "hogares", "anio_base": 2025, "linea_base": 1000,
              "anio_meta": 2027, "meta": 2000}
    table, summary, messages = strategic_progress(prog, {"cobertura_agua": target})
    row = table.set_index("anio").loc[2027]
    assert row["programado"] == 1400 and row["meta_lineal"] == 2000
    assert table.set_index("anio").loc[2026, "meta_lineal"] == 1500
    assert summary.loc[0, "avance_brecha"] == pytest.approx(0.4)
    assert "faltan proyectos" in summary.loc[0, "situacion"]
    assert len(messages) == 1 and "faltan proyectos" in messages[0]


def test_compare_reports_gain():
    projects, space, years, scores = random_case(5)
    comp = compare_methods(projects, space, years, ProgrammeOptions(scores=scores))
    assert comp.ganancia_pct >= -1e-9
    assert list(comp.summary()["metodo"]) == ["óptimo (MILP)", "orden de puntaje"]


# --------------------------------------------------------------------------- files


def test_yaml_portfolio_reports_every_error_at_once(tmp_path):
    path = tmp_path / "0901.yaml"
    path.write_text(
        "proyectos:\n"
        "  - nombre: Agua\n"
        "    sector: agua\n"
        "    costo_total: -5\n"
        "    duracion: 2\n"
        "    perfil_costo: [0.5, 0.6]\n"
        "    fuentes: [propios, petroleo]\n"
        "  - nombre: Drenaje\n"
        "    sector: saneamiento\n"
        "    costo_total: 100\n"
        "    duracion: 1\n"
        "    inicio_minimo: 2029\n"
        "    inicio_maximo: 2027\n"
        "    depende_de: [Planta]\n"
        "    fuentes: [codede]\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError) as err:
        load_portfolio(path)
    messages = err.value.messages
    text = "\n".join(messages)
    assert f"{path}: proyecto 'Agua' (fila 2): costo_total: fuera de rango (valor dado: -5;" in text
    assert "perfil_costo: las proporciones suman 1.1" in text
    assert "fuentes.1: fuente de financiamiento desconocida (valor dado: 'petroleo'" in text
    assert "proyecto 'Drenaje' (fila 8): inicio_minimo: es posterior a inicio_maximo" in text
    assert "depende_de: proyecto desconocido (valor dado: ['Planta']" in text
    assert len(messages) == 5


def test_cycle_is_an_error(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "proyectos:\n"
        "  - {nombre: A, sector: x, costo_total: 1, duracion: 1, fuentes: [propios], depende_de: [B]}\n"
        "  - {nombre: B, sector: x, costo_total: 1, duracion: 1, fuentes: [propios], depende_de: [A]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="dependencia circular"):
        load_portfolio(path)


def test_csv_portfolio_with_lists(tmp_path):
    path = tmp_path / "cartera.csv"
    path.write_text(
        "Cartera de inversión 2026\n\n"
        "nombre,sector,costo_total,duracion,perfil_costo,fuentes,depende_de,obligatorio,resultados\n"
        'Planta,agua,"Q 1,200,000.00",2,0.4;0.6,codede;propios,,no,cobertura_agua:1200\n'
        "Red,agua,500000,1,,aporte_constitucional,Planta,sí,\n",
        encoding="utf-8",
    )
    planta, red = load_portfolio(path)
    assert planta.total_cost == 1_200_000 and planta.cost_profile == (0.4, 0.6)
    assert planta.sources == ("codede", "propios") and planta.results == {"cobertura_agua": 1200}
    assert red.depends_on == ("Planta",) and red.mandatory and red.cost_profile == (1.0,)
    bad = tmp_path / "mala.csv"
    bad.write_text("nombre,sector,costo_total,duracion,fuentes\nX,agua,abc,0,propios\n", encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_portfolio(bad)
    assert len(err.value.messages) == 2 and "(fila 2)" in err.value.messages[0]


@pytest.mark.parametrize("code", ["0901", "1301"])
def test_illustrative_portfolio_is_valid_and_labelled(code, tmp_path):
    years = [2026, 2027, 2028, 2029]
    projects = illustrative_portfolio_for(code, years)
    assert 12 <= len(projects) <= 20
    assert all(p.illustrative and p.name.startswith(ILLUSTRATIVE_PREFIX) for p in projects)
    assert sum(p.mandatory for p in projects) == 1
    assert any(p.depends_on for p in projects)
    assert sum(p.exclusive_group is not None for p in projects) == 2
    assert all(0.02 <= p.annual_om_cost / p.total_cost <= 0.05 + 1e-3 for p in projects)
    assert projects == illustrative_portfolio_for(code, years)  # deterministic
    path = tmp_path / f"{code}.yaml"
    path.write_text(portfolio_to_yaml(projects), encoding="utf-8")
    assert [p.name for p in load_portfolio(path)] == [p.name for p in projects]
    total = sum(p.total_cost for p in projects)
    space = {k: [total * 0.08] * len(years) for k in FUENTES}
    prog = optimal_programme(projects, space, years)
    assert_valid(prog, projects, fiscal_space_table(space, years), years)
    assert len(prog.starts) + len(prog.no_financiados) == len(projects)
