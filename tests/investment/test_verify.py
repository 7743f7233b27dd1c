"""The rule checker accepts the optimum and catches each broken rule."""

from __future__ import annotations

import pandas as pd

from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.verify import plan_violations
from tests.investment.support import small_plan


def _tampered(prog, **tables):
    from dataclasses import replace

    return replace(prog, **tables)


def test_checker_accepts_the_optimum_and_catches_each_broken_rule():
    projects, space, years, prog = small_plan()
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
    projects, space, years, prog = small_plan()
    assert plan_violations(prog, projects, space, years, ProgrammeOptions(post_horizon_room=10)) != []
