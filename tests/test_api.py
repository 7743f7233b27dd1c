"""``run()``'s investment plan: the municipality's portfolio or a labelled illustrative one, every rule kept."""

from __future__ import annotations

import pytest

from nexos_model.investment.illustrative import ILLUSTRATIVE_PREFIX
from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.verify import plan_violations


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
        options = ProgrammeOptions(post_horizon_room=plan.post_horizon_room, borrowing=plan.borrowing)
        assert plan_violations(programme, plan.projects, plan.espacio, plan.years, options) == []
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


def test_an_illustrative_portfolio_never_stops_a_report():
    """0111's fiscal space cannot pay the illustrative mandatory project: the plan still comes out,
    with the mandatory flags dropped and a warning (a real portfolio would raise instead)."""
    from nexos_model import run
    from nexos_model.api import plan_for_run

    plan = plan_for_run(run("0111"), "0111")
    assert plan.ilustrativa
    assert any("no caben en el espacio fiscal de 0111" in a for a in plan.avisos)


@pytest.mark.parametrize("selection", ["", ",", " , ", []])
def test_an_empty_selection_of_municipalities_is_an_error(selection):
    from nexos_model.api import resolve_municipios
    from nexos_model.errors import NexosError

    with pytest.raises(NexosError, match="no se indicó ningún municipio"):
        resolve_municipios(selection)


def test_table_names_are_those_of_a_run():
    from nexos_model import run
    from nexos_model.api import TABLE_NAMES

    assert tuple(run("0901").tables()) == TABLE_NAMES[:9]
    assert tuple(run("0901", simulaciones=5).tables()) == TABLE_NAMES
