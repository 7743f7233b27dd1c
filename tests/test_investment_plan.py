"""The investment plan: MILP == exhaustive search up to 15 projects (with shared borrowing room
and strategic results), every rule held by every output (checked by ``plan_violations``, which
is itself shown to catch broken programmes), Spanish explanations, the run-side plan, the
``nexos planificar`` command and the Gantt chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.optimize import linprog

from conftest import ROOT, nexos
from nexos_model.errors import ParameterError
from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.project import FUENTES, Project
from nexos_model.investment.scoring import DEFAULT_WEIGHTS
from nexos_model.investment.plan import LoanTerms, plan_investment
from nexos_model.io.portfolio import load_portfolio
from nexos_model.investment.optimize import optimal_programme
from nexos_model.investment.verify import plan_violations
from nexos_model.investment.ranked import ranked_fill
from nexos_model.investment.borrowing import NewBorrowing, loan_room
from nexos_model.investment.illustrative import ILLUSTRATIVE_PREFIX
from nexos_model.params.investment_schema import ResultTarget
from nexos_model.params.loader import load_parameters

INFOM = FUENTES.index("prestamo_infom")
PROPIOS = FUENTES.index("propios")


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


# --------------------------------------------------------------------------- exhaustive search

SUBSET = np.array([[(m & ~K) == 0 for m in range(32)] for K in range(32)], dtype=float)
MASK_CAP = np.array([[(K >> i) & 1 for i in range(5)] for K in range(32)], dtype=float)


def _starts(p: Project, years):
    lo = p.earliest_start if p.earliest_start is not None else years[0]
    hi = p.latest_start if p.latest_start is not None else years[-1]
    return [s for s in range(max(lo, years[0]), min(hi, years[-1]) + 1) if s + p.duration - 1 <= years[-1]]


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
    options = [([] if p.mandatory else [None]) + _starts(p, years) for p in projects]
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
    prog = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores, borrowing=borrowing, results_targets=model_targets, result_weight=0.7))
    assert prog.objetivo == pytest.approx(expected, rel=1e-6)
    assert plan_violations(prog, projects, space, years, ProgrammeOptions(borrowing=borrowing)) == []
    # in these cases the shared room binds: borrowing every year to the full capacity would be worth more
    unshared = optimal_programme(projects, space, years, ProgrammeOptions(scores=scores, results_targets=model_targets, result_weight=0.7))
    assert unshared.objetivo > prog.objetivo + 1e-6
    assert plan_violations(unshared, projects, space, years, ProgrammeOptions(borrowing=borrowing)) != []
    ranked = ranked_fill(projects, space, years, ProgrammeOptions(scores=scores, borrowing=borrowing, results_targets=model_targets, result_weight=0.7))
    assert plan_violations(ranked, projects, space, years, ProgrammeOptions(borrowing=borrowing)) == []
    assert ranked.objetivo <= prog.objetivo + 1e-9


# --------------------------------------------------------------------------- the checker


def _small_plan():
    years = [2026, 2027]
    projects = [
        project("Estudio", 30, inicio_minimo=2026, inicio_maximo=2026),
        project("Camino", 60, depende_de=["Estudio"]),
        project("Mercado A", 70, grupo_exclusivo="mercado"),
        project("Mercado B", 65, grupo_exclusivo="mercado"),
        project("Escuela", 40, costo_operacion_anual=50, obligatorio=True),
    ]
    space = {"propios": {2026: 100, 2027: 100}}
    return projects, space, years, optimal_programme(projects, space, years, ProgrammeOptions(scores={"Estudio": 0.1, "Camino": 1.0, "Mercado A": 0.9,
                                                             "Mercado B": 0.8, "Escuela": 0.7}))


def _tampered(prog, **tables):
    from dataclasses import replace

    return replace(prog, **tables)


def test_checker_accepts_the_optimum_and_catches_each_broken_rule():
    projects, space, years, prog = _small_plan()
    assert plan_violations(prog, projects, space, years) == []
    crono, fin = prog.cronograma, prog.financiamiento

    over = fin.copy()
    over.loc[over.index[0], "monto"] += 5  # paid more than the cost, and over the space
    text = "\n".join(plan_violations(_tampered(prog, financiamiento=over), projects, space, years))
    assert "pagado" in text and "espacio" in text

    wrong = fin.copy()
    wrong.loc[wrong.index[0], "fuente"] = "codede"
    problems = plan_violations(_tampered(prog, financiamiento=wrong), projects, space, years)
    assert any("no elegibles" in m for m in problems)

    early = crono.copy()
    early.loc[early["proyecto"] == "Camino", ["inicio", "fin"]] = 2026
    moved = fin.copy()
    moved.loc[moved["proyecto"] == "Camino", "anio"] = 2026
    text = "\n".join(plan_violations(_tampered(prog, cronograma=early, financiamiento=moved), projects, space, years))
    assert "antes de que termine 'Estudio'" in text

    both = pd.concat([crono, crono.loc[crono["proyecto"] == "Mercado A"].assign(proyecto="Mercado B")])
    unfunded = prog.no_financiados.loc[prog.no_financiados["proyecto"] != "Mercado B"]
    text = "\n".join(plan_violations(_tampered(prog, cronograma=both, no_financiados=unfunded), projects, space, years))
    assert "grupo_exclusivo 'mercado'" in text

    dropped = crono.loc[crono["proyecto"] != "Escuela"]
    text = "\n".join(plan_violations(
        _tampered(prog, cronograma=dropped, financiamiento=fin.loc[fin["proyecto"] != "Escuela"],
                  no_financiados=pd.concat([prog.no_financiados, pd.DataFrame({"proyecto": ["Escuela"]})])),
        projects, space, years))
    assert "obligatorio 'Escuela' no está programado" in text


def test_checker_catches_om_that_does_not_fit_after_the_plan():
    projects, space, years, prog = _small_plan()
    assert plan_violations(prog, projects, space, years, ProgrammeOptions(post_horizon_room=10)) != []


# --------------------------------------------------------------------------- borrowing and the effect on the projection


def test_new_loans_share_the_room_and_their_service_is_the_amortization_formula():
    """Capacity Q100 each year, 2-year loans: borrowing Q100 in 2026 uses the whole room in 2026
    and 2027, so a 2027 project that needs a new loan cannot also be paid (a decided loan of Q50
    in 2027 is not enough for it)."""
    years = [2026, 2027]
    projects = [project("A", 100, sources=("prestamo_infom",), inicio_maximo=2026),
                project("B", 100, sources=("prestamo_infom",), inicio_minimo=2027)]
    space = {"prestamo_infom": {2026: 100, 2027: 150}}
    st = settings(peso_resultados=0)
    plan = plan_investment(projects, space, years, st, loans=LoanTerms(rate=0.08, term=2, payments_per_year=1),
                           new_capacity={2026: 100, 2027: 100})
    assert len(plan.optimo.starts) == 1  # one or the other, never both
    alone = plan_investment(projects, space, years, st, loans=LoanTerms(rate=0.08, term=1, payments_per_year=1),
                            new_capacity={2026: 100, 2027: 100})
    assert set(alone.optimo.starts) == {"A", "B"}  # one-year loans do not overlap
    effect = alone.efecto.set_index("anio")
    # A: new loan of 100 in 2026; B: 100 in 2027, of which 50 from the decided loan -> new loan 50
    assert effect.loc[2026, "desembolso_prestamo"] == pytest.approx(100)
    assert effect.loc[2027, "desembolso_prestamo"] == pytest.approx(50)
    assert effect.loc[2026, "servicio_deuda"] == pytest.approx(108)  # 1 year at 8 %: 100 + 8
    assert effect.loc[2027, "servicio_deuda"] == pytest.approx(54)
    two = plan_investment([projects[0]], space, years, st, loans=LoanTerms(rate=0.08, term=2, payments_per_year=1),
                          new_capacity={2026: 100, 2027: 100}).efecto.set_index("anio")
    payment = 100 * 0.08 / (1 - 1.08 ** -2)  # French annuity
    assert two.loc[2026, "servicio_deuda"] == pytest.approx(payment)
    assert two.loc[2027, "servicio_deuda"] == pytest.approx(payment)
    assert two.loc[2026, "intereses"] == pytest.approx(8)
    assert two.loc[2027, "saldo_deuda"] == pytest.approx(0, abs=1e-9)


def test_loan_room_follows_the_shared_room():
    years = [2026, 2027, 2028]
    borrowing = NewBorrowing({2026: 100, 2027: 100, 2028: 100}, {2026: 2, 2027: 2, 2028: 2})
    room = loan_room(np.array([100, 120, 100]), np.array([60, 0, 0]), years, borrowing)
    # 2026: 40 left; 2027: decided 20 + 40 % of capacity (60 % used by the 2026 loan in 2027); 2028: free
    assert room.tolist() == pytest.approx([40, 60, 100])


def test_om_effect_goes_on_after_the_plan_and_undeclared_om_is_estimated():
    years = [2026, 2027]
    projects = [project("Planta", 100, costo_operacion_anual=5), project("Parque", 50)]
    plan = plan_investment(projects, {"propios": [100, 100]}, years, settings(), om_share=0.04,
                           effect_years=range(2026, 2031))
    effect = plan.efecto.set_index("anio")["operacion_mantenimiento"]
    starts = plan.optimo.starts
    expected = {y: sum(om for n, om in (("Planta", 5), ("Parque", 2)) if n in starts and y > starts[n])
                for y in range(2026, 2031)}
    assert effect.to_dict() == pytest.approx(expected)
    assert effect.loc[2030] == 7
    assert any("'Parque'" in a and "4.0 %" in a for a in plan.avisos)


# --------------------------------------------------------------------------- strategic results


def test_results_weight_buys_progress_the_score_alone_would_not():
    years = [2026]
    projects = [project("Parque", 100), project("Red de agua", 100, resultados={"agua": 500})]
    scores = {"Parque": 0.5, "Red de agua": 0.4}
    targets = {"agua": target(linea_base=1000, meta=1500, anio_meta=2030)}
    plain = optimal_programme(projects, {"propios": [100]}, years, ProgrammeOptions(scores=scores, results_targets=targets))
    assert set(plain.starts) == {"Parque"}
    valued = optimal_programme(projects, {"propios": [100]}, years, ProgrammeOptions(scores=scores, results_targets=targets, result_weight=1.0))
    assert set(valued.starts) == {"Red de agua"} and valued.objetivo == pytest.approx(1.4)


def test_denominator_turns_households_into_percentage_points_and_targets_can_go_down():
    coverage = ResultTarget.model_validate(target(unidad="%", linea_base=72, meta=90, anio_base=2019,
                                                  anio_meta=2030, denominador=20000))
    assert coverage.effect(1200) == pytest.approx(6.0)  # 1,200 households of 20,000 = 6 points
    assert coverage.value_with(1200) == pytest.approx(78.0)
    assert coverage.share_of_gap(1200) == pytest.approx(6 / 18)
    assert coverage.path(2019) == 72 and coverage.path(2030) == 90 and coverage.path(2035) == 90
    malnutrition = ResultTarget.model_validate(target(unidad="%", linea_base=46, meta=36))
    assert malnutrition.value_with(4) == pytest.approx(42) and malnutrition.share_of_gap(4) == pytest.approx(0.4)


def test_plan_reports_which_results_the_money_cannot_reach():
    years = [2026, 2027]
    projects = [project("Pozo", 100, resultados={"agua": 20}), project("Red", 300, resultados={"agua": 60}),
                project("Aulas", 50, resultados={"aulas": 4})]
    st = settings(resultados={
        "agua": target(indicador="Cobertura de agua", unidad="%", linea_base=50, meta=80, anio_meta=2027),
        "aulas": target(indicador="Aulas nuevas", unidad="aulas", linea_base=0, meta=10, anio_meta=2027),
    })
    plan = plan_investment(projects, {"propios": [100, 100]}, years, st)
    summary = plan.resultados_metas.set_index("resultado")
    assert "falta dinero" in summary.loc["agua", "situacion"]  # the whole portfolio would reach 130
    assert "faltan proyectos" in summary.loc["aulas", "situacion"]  # 4 classrooms of 10
    assert summary.loc["aulas", "con_toda_la_cartera"] == 4
    assert any(a.startswith("Aulas nuevas:") and "faltan proyectos" in a for a in plan.avisos)
    table = plan.resultados.set_index(["resultado", "anio"])
    assert table.loc[("agua", 2027), "meta_lineal"] == 80


# --------------------------------------------------------------------------- infeasible portfolios


def test_infeasible_mandatory_portfolio_is_explained_in_spanish_not_a_solver_error():
    years = [2026, 2027]
    projects = [project("Hospital", 500, sources=("codede",), obligatorio=True), project("Puesto", 10)]
    with pytest.raises(ParameterError) as err:
        plan_investment(projects, {"codede": [100, 100], "propios": [50, 50]}, years, settings())
    text = str(err.value)
    assert text.startswith("no hay programa factible con los proyectos obligatorios:")
    assert "el proyecto obligatorio 'Hospital' no cabe por sí solo" in text and "Q 500" in text
    assert "codede Q 100" in text and "status" not in text.lower() and "HiGHS" not in text


def test_mandatory_project_whose_om_never_fits_is_explained():
    with pytest.raises(ParameterError) as err:
        plan_investment([project("Planta", 50, costo_operacion_anual=120, obligatorio=True)],
                        {"propios": [100, 100]}, [2026, 2027], settings())
    assert "operación y mantenimiento (Q 120/año) no cabe en los ingresos propios después de 2027" in str(err.value)


# --------------------------------------------------------------------------- parameters


def test_default_weights_are_the_documented_defaults():
    assert load_parameters(None, None).params.investment.weights.as_dict() == DEFAULT_WEIGHTS


def test_results_in_a_municipality_file_are_validated_with_file_and_key(params_copy):
    (params_copy / "municipios" / "0901.yaml").write_text(yaml.safe_dump({"inversion": {"resultados": {
        "agua": {"indicador": "Agua", "unidad": "%", "anio_base": 2030, "linea_base": 70, "anio_meta": 2020,
                 "meta": "mucho"}}}}), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_parameters("0901", "base")
    text = str(err.value)
    assert "municipios/0901.yaml: inversion.resultados.agua.meta: debe ser un número" in text


# --------------------------------------------------------------------------- from a run, the command, the chart


@pytest.fixture(scope="module")
def run_0901():
    from nexos_model.api import run

    return run("0901", "base")


def test_plan_for_run_uses_the_bundled_portfolio_and_keeps_every_rule(run_0901):
    from nexos_model.api import plan_for_run
    from nexos_model.investment.plan import run_space

    plan = plan_for_run(run_0901)
    assert plan.cartera.endswith("params/carteras/0901.yaml") and plan.ilustrativa
    space, capacity, terms = run_space(run_0901, "0901")
    assert len(plan.years) == run_0901.params.params.investment.horizon
    assert plan.espacio.loc["prestamo_infom"].sum() == pytest.approx(
        space.loc[space["anio"].isin(plan.years) & (space["fuente"] == "prestamo_infom"), "monto"].sum())
    for programme in (plan.optimo, plan.orden):
        assert plan_violations(programme, plan.projects, plan.espacio, plan.years, ProgrammeOptions(om_after_horizon=True, post_horizon_room=plan.post_horizon_room, borrowing=plan.borrowing)) == []
    projection_years = sorted(run_0901.projection["anio"].unique())
    assert plan.efecto["anio"].min() == plan.years[0] and plan.efecto["anio"].max() >= projection_years[-1]
    assert set(plan.tables()) >= {"cronograma", "financiamiento", "no_financiados", "poa", "puntajes", "resultados",
                                  "comparacion", "efecto_proyeccion"}
    assert (plan.poa["anio"] == plan.years[0]).all()
    assert plan.comparison.ganancia_pct >= -1e-9


def test_plan_for_run_without_a_portfolio_file_uses_a_labelled_illustrative_one():
    from nexos_model.api import run
    from nexos_model.api import plan_for_run

    plan = plan_for_run(run("0101", "base"))
    assert plan.ilustrativa and all(p.name.startswith(ILLUSTRATIVE_PREFIX) for p in plan.projects)
    assert "ILUSTRATIVA" in plan.avisos[0]


@pytest.mark.parametrize("code", ["0901", "1301"])
def test_bundled_portfolios_are_valid_and_clearly_illustrative(code):
    path = ROOT / "params" / "carteras" / f"{code}.yaml"
    projects = load_portfolio(path)
    assert len(projects) == 16 and all(p.illustrative and p.name.startswith(ILLUSTRATIVE_PREFIX) for p in projects)
    assert "NO es un plan municipal real" in path.read_text(encoding="utf-8").splitlines()[0]


def test_planificar_writes_every_sheet_and_the_gantt_chart(tmp_path):
    target_file, chart = tmp_path / "plan.xlsx", tmp_path / "cronograma.svg"
    out = nexos("planificar", "--municipio", "1301", "--salida", str(target_file), "--grafico", str(chart),
                "--set", "inversion.horizonte=3")
    assert out.returncode == 0, out.stderr
    sheets = pd.read_excel(target_file, sheet_name=None)
    assert {"cronograma", "financiamiento", "no_financiados", "poa", "puntajes", "resultados", "comparacion",
            "efecto_proyeccion"} <= set(sheets)
    assert sheets["cronograma"]["fin"].max() <= sheets["cronograma"]["inicio"].min() + 2
    assert "Plan de inversión de 1301" in out.stdout and "ganancia del óptimo" in out.stdout
    assert "Cronograma de inversión" in chart.read_text(encoding="utf-8")


def test_csv_and_parquet_hold_the_schedule(tmp_path):
    from nexos_model.cli.planificar import write_plan

    projects, space, years, _ = _small_plan()
    plan = plan_investment(projects, space, years, settings())
    for suffix in (".csv", ".parquet"):
        path = write_plan(plan, tmp_path / f"cronograma{suffix}")
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
        assert table["proyecto"].tolist() == plan.cronograma["proyecto"].tolist()


def test_planificar_explains_an_infeasible_portfolio_and_exits_1(tmp_path):
    cartera = tmp_path / "cartera.csv"
    cartera.write_text("nombre,sector,costo_total,duracion,fuentes,obligatorio\n"
                       "Hospital regional,salud,9000000000000,1,codede,sí\n", encoding="utf-8")
    out = nexos("planificar", "--municipio", "1301", "--cartera", str(cartera), "--salida", str(tmp_path / "p.xlsx"))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "error: no hay programa factible con los proyectos obligatorios:" in out.stderr
    assert "'Hospital regional' no cabe por sí solo" in out.stderr
    assert not (tmp_path / "p.xlsx").exists()


def test_gantt_chart_is_spanish_and_grey():
    from nexos_model.report.gantt import gantt_chart

    projects, space, years, _ = _small_plan()
    plan = plan_investment(projects, space, years, settings(), municipio="0901", effect_years=range(2026, 2030))
    chart = gantt_chart(plan)
    bars = [m for m in chart.marks if m.kind == "rect"]
    assert sum(len(m.x0) for m in bars) == len(plan.cronograma)
    for mark in bars:  # grey tones only: the chart reads the same on a black-and-white printer
        fill = mark.style["fill"]
        assert fill[1:3] == fill[3:5] == fill[5:7]
    table = plan.cronograma.sort_values(["inicio", "fin", "proyecto"], ignore_index=True)
    assert [label for _, label in chart.yticks] == table["proyecto"].tolist()
    # Each bar spans its project's execution years (edges half a year out, like the year ticks).
    starts = sorted(x + 0.5 for m in bars for x in m.x0)
    assert starts == sorted(table["inicio"].astype(float))
    assert chart.title.startswith("Cronograma de inversión 2026-2027, municipio 0901")
    assert chart.legend == ["Ejecución, proyecto obligatorio", "Ejecución", "Operación y mantenimiento"]


def test_an_illustrative_portfolio_never_stops_a_report():
    """0111's fiscal space cannot pay the illustrative mandatory project: the plan still comes out,
    with the mandatory flags dropped and a warning (a real portfolio would raise instead)."""
    from nexos_model import run
    from nexos_model.api import plan_for_run

    plan = plan_for_run(run("0111"), "0111")
    assert plan.ilustrativa
    assert any("no caben en el espacio fiscal de 0111" in a for a in plan.avisos)
